/* virtio-blk for guests on a host disk (include/zvm/virtio/virtio_blk.h). */
#include <drivers/virtio_blk.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <lib/format.h>
#include <string.h>
#include <zvm/virtio/blk_disk.h>
#include <zvm/virtio/blk_req.h>
#include <zvm/virtio/virtio_blk.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtq.h>
#include <zvm/vm.h>

#define SEGS 130 /* a chain's segments: the header, up to 128 data pieces, the status */

struct vblk {
	struct blkdev *disk;
	uint64_t first; /* the VM's sector 0 on the disk */
	struct blk_cfg cfg;
	unsigned vm_id;
	uint8_t *bounce;
	struct virtq_seg segs[SEGS], data[SEGS]; /* the worker's (off its 16 KiB stack) */
	uint64_t reads, writes, flushes, errors; /* worker only */
};

static struct k_spinlock claims_lock;
static struct blk_claim claims[BLK_CLAIMS_MAX];

/* Copies len bytes at byte offset off of the request's data segments from or to buf. */
static int seg_copy(struct vm *vm, const struct blk_req *r, uint64_t off, void *buf, size_t len,
		    bool to_guest)
{
	uint8_t *p = buf;

	for (uint16_t i = 0; i < r->nr_segs && len; i++) {
		const struct virtq_seg *s = &r->segs[i];
		uint64_t n;
		int err;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? s->len - off : len;
		err = to_guest ? vm_write(vm, s->ipa + off, p, n) : vm_read(vm, s->ipa + off, p, n);
		if (err)
			return err;
		p += n;
		len -= n;
		off = 0;
	}
	return len ? -EFAULT : 0;
}

/* IN or OUT, chunk by chunk through the bounce buffer. A request may be 4 GiB of the same
 * few guest pages: between chunks it stops when the driver reset the device (its buffers are
 * not ours any more) or the VM is being reset or deleted (which waits for this worker). */
static int rw(struct virtio_mmio_dev *m, unsigned gen, struct vblk *b, const struct blk_req *r)
{
	struct vm *vm = virtio_mmio_dev_vm(m);
	bool in = r->type == VIRTIO_BLK_T_IN;

	for (uint64_t done = 0; done < r->data_len;) {
		uint32_t n = r->data_len - done > BLK_BOUNCE ? BLK_BOUNCE : r->data_len - done;
		uint64_t sector = b->first + r->sector + done / VIRTIO_BLK_SECTOR;
		int err;

		if (virtio_mmio_dev_stale(m, gen))
			return -ECANCELED;
		if (in) {
			err =
			    blkdev_rw(b->disk, BLK_READ, sector, b->bounce, n / VIRTIO_BLK_SECTOR);
			if (!err)
				err = seg_copy(vm, r, done, b->bounce, n, true);
		} else {
			err = seg_copy(vm, r, done, b->bounce, n, false);
			if (!err)
				err = blkdev_rw(b->disk, BLK_WRITE, sector, b->bounce,
						n / VIRTIO_BLK_SECTOR);
		}
		if (err)
			return err;
		done += n;
	}
	return 0;
}

/* Serves one parsed request: the status, and *written (bytes written into the chain). */
static uint8_t serve(struct virtio_mmio_dev *m, unsigned gen, struct vblk *b,
		     const struct blk_req *r, uint32_t *written)
{
	struct vm *vm = virtio_mmio_dev_vm(m);
	char id[VIRTIO_BLK_ID_BYTES + 1] = {0};

	*written = 0;
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		if (rw(m, gen, b, r))
			return VIRTIO_BLK_S_IOERR;
		if (r->type == VIRTIO_BLK_T_IN) {
			*written = r->data_len;
			b->reads++;
		} else {
			b->writes++;
		}
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_FLUSH:
		b->flushes++;
		return blkdev_rw(b->disk, BLK_FLUSH, 0, NULL, 0) ? VIRTIO_BLK_S_IOERR
								 : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID: {
		uint32_t n = r->data_len < VIRTIO_BLK_ID_BYTES ? r->data_len : VIRTIO_BLK_ID_BYTES;

		fmt_snprintf(id, sizeof(id), "zvm-vm%u-%s", b->vm_id, blkdev_name(b->disk));
		if (seg_copy(vm, r, 0, id, n, true))
			return VIRTIO_BLK_S_IOERR;
		*written = n;
		return VIRTIO_BLK_S_OK;
	}
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static void vblk_notify(struct virtio_mmio_dev *m, unsigned queue)
{
	struct vblk *b = virtio_mmio_dev_priv(m);
	struct vm *vm = virtio_mmio_dev_vm(m);
	struct virtq_chain c = {.segs = b->segs, .max = SEGS};
	unsigned gen;
	struct virtq *q = virtio_mmio_dev_vq(m, queue, &gen);

	if (!q)
		return;
	do {
		int r = 0, pushed = 0;

		virtio_mmio_dev_kicks(m, queue, gen, false);
		while (!virtio_mmio_dev_stale(m, gen) &&
		       (r = virtio_mmio_dev_pop(m, queue, gen, &c)) == 1) {
			struct blk_req req;
			uint32_t written = 0;
			uint8_t status = blk_req_parse(q, &c, &b->cfg, &req, b->data);

			if (status == VIRTIO_BLK_S_OK)
				status = serve(m, gen, b, &req, &written);
			/* Cut short by a reset (of the device or the VM) or a delete: its buffers
			 * are not ours to complete any more. */
			if (virtio_mmio_dev_stale(m, gen))
				return;
			if (status != VIRTIO_BLK_S_OK)
				b->errors++;
			/* Without a status byte the chain goes back with nothing written. */
			if (req.has_status && !vm_write(vm, req.status_ipa, &status, 1))
				written++;
			else
				written = 0;
			if (virtio_mmio_dev_push(m, queue, gen, c.head, written))
				return; /* reset or broken */
			pushed++;
		}
		if (r < 0)
			return;
		if (pushed)
			virtio_mmio_dev_signal(m, queue, gen);
	} while (!virtio_mmio_dev_stale(m, gen) && virtio_mmio_dev_kicks(m, queue, gen, true));
}

/* Capacity, le64 at offset 0: the only config field without feature bits we offer; the rest
 * of struct virtio_blk_config reads as zero (a driver or a tool may read it all). */
#define VBLK_CONFIG_SIZE 60

static int config_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	const struct vblk *b = dev;

	if (offset >= VBLK_CONFIG_SIZE || size > VBLK_CONFIG_SIZE - offset)
		return -EINVAL;
	if (offset + size > 8) {
		*val = 0;
		if (offset >= 8)
			return 0;
		return -EINVAL; /* straddling capacity and the next field: no driver does */
	}
	*val = b->cfg.capacity >> (8 * offset);
	if (size < 8)
		*val &= (1ULL << (8 * size)) - 1;
	return 0;
}

static int config_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	(void)dev, (void)offset, (void)size, (void)val;
	return 0; /* read-only fields */
}

static const struct virtio_mmio_config_ops vblk_config = {
    .read = config_read,
    .write = config_write,
};

static void vblk_info(struct virtio_mmio_dev *m, void (*print)(const char *fmt, ...))
{
	const struct vblk *b = virtio_mmio_dev_priv(m);

	print(
	    "    disk: %s sectors %llu-%llu%s, reads %llu, writes %llu, flushes %llu, errors %llu",
	    blkdev_name(b->disk), (unsigned long long)b->first,
	    (unsigned long long)(b->first + b->cfg.capacity - 1), b->cfg.ro ? " (read-only)" : "",
	    (unsigned long long)b->reads, (unsigned long long)b->writes,
	    (unsigned long long)b->flushes, (unsigned long long)b->errors);
}

static void vblk_destroy(void *priv)
{
	struct vblk *b = priv;
	k_spinlock_key_t key = k_spin_lock(&claims_lock);

	blk_claim_drop(claims, BLK_CLAIMS_MAX, b->disk, b->first, b->cfg.capacity, b->vm_id,
		       b->cfg.ro);
	k_spin_unlock(&claims_lock, key);
	k_free(b->bounce);
	k_free(b);
}

static const struct virtio_dev_ops vblk_ops_rw = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = (1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_F_INDIRECT_DESC) |
		(1ULL << VIRTIO_F_EVENT_IDX),
    .nr_queues = 1,
    .queue_num_max = VIRTIO_BLK_QUEUE_SIZE,
    .config = &vblk_config,
    .notify = vblk_notify,
    .info = vblk_info,
    .destroy = vblk_destroy,
};

static const struct virtio_dev_ops vblk_ops_ro = {
    .name = "virtio-blk",
    .device_id = VIRTIO_ID_BLOCK,
    .features = (1ULL << VIRTIO_BLK_F_RO) | (1ULL << VIRTIO_BLK_F_FLUSH) |
		(1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX),
    .nr_queues = 1,
    .queue_num_max = VIRTIO_BLK_QUEUE_SIZE,
    .config = &vblk_config,
    .notify = vblk_notify,
    .info = vblk_info,
    .destroy = vblk_destroy,
};

int virtio_blk_create(struct vm *vm, const char *spec)
{
	struct blk_spec s;
	const char *why;
	struct blkdev *disk;
	struct vblk *b;
	unsigned owner = 0;
	k_spinlock_key_t key;
	int err;

	if (blk_spec_parse(spec, &s, &why)) {
		printk("error: bad --disk '%s': %s\n", spec, why);
		return -EINVAL;
	}
	disk = blkdev_find(s.name);
	if (!disk) {
		printk("error: no host disk '%s' (see 'kernel blk')\n", s.name);
		return -ENOENT;
	}
	if (s.whole) {
		s.first = 0;
		s.count = blkdev_sectors(disk);
	}
	if (!s.count || s.first > blkdev_sectors(disk) ||
	    s.count > blkdev_sectors(disk) - s.first) {
		printk("error: --disk '%s': %s has %llu sectors\n", spec, s.name,
		       (unsigned long long)blkdev_sectors(disk));
		return -ERANGE;
	}
	s.ro = s.ro || blkdev_read_only(disk);
	b = k_calloc(1, sizeof(*b));
	if (!b || !(b->bounce = k_malloc(BLK_BOUNCE))) {
		k_free(b);
		return -ENOMEM;
	}
	key = k_spin_lock(&claims_lock);
	err = blk_claim_take(claims, BLK_CLAIMS_MAX, disk, s.first, s.count, vm->id, s.ro, &owner);
	k_spin_unlock(&claims_lock, key);
	if (err) {
		if (err == -EBUSY)
			printk("error: --disk '%s': those sectors belong to vm %u (share them "
			       "read-only, or give each VM its own range)\n",
			       spec, owner);
		else
			printk("error: --disk '%s': more than %d disk claims\n", spec,
			       BLK_CLAIMS_MAX);
		k_free(b->bounce);
		k_free(b);
		return err;
	}
	b->disk = disk;
	b->first = s.first;
	b->vm_id = vm->id;
	b->cfg.capacity = s.count;
	b->cfg.ro = s.ro;
	b->cfg.flush = true;
	return virtio_mmio_dev_create(vm, s.ro ? &vblk_ops_ro : &vblk_ops_rw, b, NULL);
}
