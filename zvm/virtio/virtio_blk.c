/* virtio-blk for guests on a host disk (include/zvm/virtio/virtio_blk.h). */
#include <block/blk_sched.h>
#include <drivers/virtio_blk.h>
#include <drivers/virtio_blk_ring.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/thread.h>
#include <lib/format.h>
#include <string.h>
#include <zvm/virtio/blk_disk.h>
#include <zvm/virtio/blk_req.h>
#include <zvm/virtio/virtio_blk.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtq.h>
#include <zvm/vm.h>
#include <zvm/vm_opts.h>

#define SEGS	(VIRTIO_BLK_SEG_MAX + 4) /* a chain's segments, header and status included */
#define WAIT_US 10000 /* a worker waiting on the disk looks for resets this often */

struct vblk;

/* One guest request in flight: an IN or OUT goes to the disk's scheduler in pieces (up to
 * VBLK_DIRECT_MAX bytes sent without a copy, started on the disk and finished by its interrupt,
 * else BLK_BOUNCE bytes copied by the sending thread; slot_piece), one piece queued at a time
 * (the worker queues the next, slot_next); a DISCARD or WRITE_ZEROES as its range (in
 * BLK_BOUNCE pieces where the driver writes the zeros); a FLUSH as one. */
struct vslot {
	struct vblk *b;
	struct virtio_mmio_dev *m;
	unsigned gen;
	bool busy;
	uint16_t head;
	uint64_t off; /* bytes of req done before the piece in flight (the worker's) */
	struct blk_req req;
	struct blk_io io;
	struct blkdev_req hreq;		 /* a direct piece on the disk */
	struct vblk_seg sg[VBLK_SG_MAX]; /* its host pieces, found when the piece was sized */
	unsigned nr_sg;
	uint32_t sg_len; /* bytes they cover (0: none, the piece goes through the bounce buffer) */
	struct virtq_seg data[SEGS];
};

struct vblk {
	struct blkdev *disk;
	uint64_t first; /* the VM's sector 0 on the disk */
	struct blk_cfg cfg;
	unsigned vm_id;
	/* The sending thread's (one at a time per disk): the worker or the dispatcher. */
	uint8_t *bounce;
	struct virtq_seg segs[SEGS]; /* the worker's chain (off its 16 KiB stack) */
	struct vslot slots[BLK_SCHED_SLOTS];
	struct blk_sched_client client;
	uint64_t reads, writes, flushes, zeroes, discards, errors; /* worker only */
	uint64_t direct,
	    copied;	   /* IN/OUT pieces moved without, with a copy (the disk's thread's) */
	uint64_t answered; /* requests answered from the disk's interrupt (atomic) */
	/* Requests a reset found on the disk (waited for) or still queued (taken back). */
	uint64_t reset_inflight, reset_cancelled;
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

/* The longest prefix, up to len bytes, of the request's data from byte off that lies in
 * host-contiguous RAM blocks, as at most max host pieces (adjacent ones merged) into sg (NULL:
 * only counted). Returns its bytes. A dynamic VM's pages move: nothing. */
static uint32_t host_prefix(struct vm *vm, const struct blk_req *r, uint64_t off, uint32_t len,
			    struct vblk_seg *sg, unsigned max, unsigned *nr)
{
	uint64_t end = 0;
	uint32_t got = 0;
	unsigned n = 0;

	for (uint16_t i = 0; i < r->nr_segs && got < len; i++) {
		const struct virtq_seg *s = &r->segs[i];
		uint32_t take;
		void *host;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		take = s->len - off < len - got ? (uint32_t)(s->len - off) : len - got;
		host = vm_ipa_to_host(vm, s->ipa + off, take);
		if (!host)
			break;
		if (!n || end != (uintptr_t)host) {
			if (n == max)
				break;
			if (sg)
				sg[n] = (struct vblk_seg){(uintptr_t)host, 0};
			n++;
		}
		if (sg)
			sg[n - 1].len += take;
		end = (uintptr_t)host + take;
		got += take;
		off = 0;
	}
	*nr = n;
	return got;
}

/* Copies a piece through the bounce buffer, BLK_BOUNCE bytes at a time. */
static int copy_piece(struct vm *vm, struct vslot *sl, struct blk_io *io)
{
	struct vblk *b = sl->b;
	uint64_t sector = io->sector, off = sl->off;
	uint32_t left = io->nr_sectors * VIRTIO_BLK_SECTOR;
	int err = 0;

	while (left && !err) {
		uint32_t n = left < BLK_BOUNCE ? left : BLK_BOUNCE;

		if (io->op == IOSCHED_IN) {
			err =
			    blkdev_rw(b->disk, BLK_READ, sector, b->bounce, n / VIRTIO_BLK_SECTOR);
			err = err ?: seg_copy(vm, &sl->req, off, b->bounce, n, true);
		} else {
			err = seg_copy(vm, &sl->req, off, b->bounce, n, false);
			err = err
				  ?: blkdev_rw(b->disk, BLK_WRITE, sector, b->bounce,
					       n / VIRTIO_BLK_SECTOR);
		}
		sector += n / VIRTIO_BLK_SECTOR;
		off += n;
		left -= n;
	}
	return err;
}

/* The disk's interrupt, IRQs masked: the last piece of a read or write went well. The guest
 * gets its answer here (status byte, used entry, interrupt), not after two thread switches
 * to the worker and back; the worker frees the slot later (reap). A static VM's status byte
 * has a fixed host address; anything else is left to the worker: a dynamic VM, or (refused
 * under the transport's lock, nothing written) a reset since or a stopped device, whose VM
 * may be going. Before blk_io_finish: the VM's memory stays until the unit is off the disk. */
static bool answer_now(struct vslot *sl)
{
	uint64_t end = sl->off + (uint64_t)sl->io.nr_sectors * VIRTIO_BLK_SECTOR;
	volatile uint8_t *status;

	if (end != sl->req.data_len || !sl->req.has_status)
		return false;
	status = vm_ipa_to_host(virtio_mmio_dev_vm(sl->m), sl->req.status_ipa, 1);
	if (!status)
		return false;
	return !virtio_mmio_dev_answer(sl->m, 0, sl->gen, sl->head,
				       (sl->req.type == VIRTIO_BLK_T_IN ? sl->req.data_len : 0) + 1,
				       status, VIRTIO_BLK_S_OK);
}

/* The disk's interrupt: a direct piece is over. */
static void slot_hreq_done(struct blkdev_req *r)
{
	struct vslot *sl = r->arg;

	if (!r->status) {
		__atomic_fetch_add(&sl->b->direct, 1, __ATOMIC_RELAXED);
		sl->io.answered = answer_now(sl);
		if (sl->io.answered)
			__atomic_fetch_add(&sl->b->answered, 1, __ATOMIC_RELAXED);
	}
	blk_io_finish(&sl->io, r->status);
}

/* On the thread that sends the unit (this worker or the dispatcher): one piece, started on the
 * disk or copied. The worker waits for it, so the VM and its memory stay; after a reset of the
 * device or the VM the guest's buffers are not ours: skip it. */
static int slot_io(struct blk_io *io)
{
	struct vslot *sl = io->arg;
	struct vblk *b = sl->b;
	struct vm *vm = virtio_mmio_dev_vm(sl->m);
	uint32_t len = io->nr_sectors * VIRTIO_BLK_SECTOR;
	unsigned n;
	int err;

	if (virtio_mmio_dev_stale(sl->m, sl->gen))
		return -ECANCELED;
	/* Straight between guest RAM and the disk where the buffers allow (slot_piece sized
	 * the piece for it): no copy. */
	if (io->op == IOSCHED_IN || io->op == IOSCHED_OUT) {
		/* A static VM's RAM stays put, so the pieces slot_piece found still hold. */
		n = sl->nr_sg;
		if (sl->sg_len == len || host_prefix(vm, &sl->req, sl->off, len, sl->sg,
						     blkdev_max_sg(b->disk), &n) == len) {
			sl->hreq = (struct blkdev_req){
			    .op = io->op == IOSCHED_IN ? BLK_READ : BLK_WRITE,
			    .sector = io->sector,
			    .sg = sl->sg,
			    .nr_sg = n,
			    .done = slot_hreq_done,
			    .arg = sl,
			};
			err = blkdev_submit(b->disk, &sl->hreq);
			if (!err)
				return BLK_IO_STARTED;
			if (err != -E2BIG) /* else: copied below */
				return err;
		}
		__atomic_fetch_add(&b->copied, 1, __ATOMIC_RELAXED);
		return copy_piece(vm, sl, io);
	}
	switch (io->op) {
	case IOSCHED_FLUSH:
		return blkdev_rw(b->disk, BLK_FLUSH, 0, NULL, 0);
	case IOSCHED_WRITE_ZEROES:
		return blkdev_rw(b->disk, BLK_WRITE_ZEROES, io->sector, NULL, io->nr_sectors);
	case IOSCHED_DISCARD:
		return blkdev_rw(b->disk, BLK_DISCARD, io->sector, NULL, io->nr_sectors);
	default:
		return -EINVAL;
	}
}

/* The piece at sl->off (or the FLUSH) into io. A piece holds the disk for about one host
 * request (so another VM's request waits for one piece at most): as much data as one direct
 * request moves (up to VBLK_DIRECT_MAX, as many host pieces as the disk takes), else
 * BLK_BOUNCE bytes through the bounce buffer; a whole range when the host disk zeroes or
 * discards it itself. */
static void slot_piece(struct vslot *sl)
{
	struct blk_io *io = &sl->io;
	uint64_t left = sl->req.data_len - sl->off, max = BLK_BOUNCE;
	uint32_t direct;
	unsigned n;

	io->answered = false;
	switch (sl->req.type) {
	case VIRTIO_BLK_T_FLUSH:
		io->op = IOSCHED_FLUSH;
		io->sector = 0;
		io->nr_sectors = 0;
		return;
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		io->op = sl->req.type == VIRTIO_BLK_T_IN ? IOSCHED_IN : IOSCHED_OUT;
		direct = host_prefix(virtio_mmio_dev_vm(sl->m), &sl->req, sl->off,
				     left < VBLK_DIRECT_MAX ? (uint32_t)left : VBLK_DIRECT_MAX,
				     sl->sg, blkdev_max_sg(sl->b->disk), &n);
		/* Kept for slot_io when they cover the piece exactly (whole sectors). */
		sl->nr_sg = n;
		sl->sg_len = direct % VIRTIO_BLK_SECTOR ? 0 : direct;
		direct -= direct % VIRTIO_BLK_SECTOR;
		if (direct)
			max = direct;
		break;
	case VIRTIO_BLK_T_WRITE_ZEROES:
		io->op = IOSCHED_WRITE_ZEROES;
		if (blkdev_has_write_zeroes(sl->b->disk))
			max = left;
		break;
	case VIRTIO_BLK_T_DISCARD: /* to_disk() lets no other type through */
	default:
		io->op = IOSCHED_DISCARD;
		max = left;
		break;
	}
	io->sector = sl->b->first + sl->req.sector + sl->off / VIRTIO_BLK_SECTOR;
	io->nr_sectors = (uint32_t)((left < max ? left : max) / VIRTIO_BLK_SECTOR);
}

/* The request moves data through the scheduler (the others are answered at once). A
 * DISCARD or WRITE_ZEROES becomes its one range as sector and length. */
static bool to_disk(struct blk_req *r)
{
	switch (r->type) {
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		r->sector = r->ranges[0].sector;
		r->data_len = r->ranges[0].nr_sectors * VIRTIO_BLK_SECTOR;
		return true;
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
	case VIRTIO_BLK_T_FLUSH:
		return true;
	default:
		return false;
	}
}

/* On the worker after a piece: on to the next one, if any. */
static bool slot_next(struct blk_io *io)
{
	struct vslot *sl = io->arg;

	if (sl->req.type == VIRTIO_BLK_T_FLUSH)
		return false;
	sl->off += (uint64_t)io->nr_sectors * VIRTIO_BLK_SECTOR;
	if (sl->off >= sl->req.data_len)
		return false;
	slot_piece(sl);
	return true;
}

/* Queues the slot's request from its first piece: 0 or the scheduler's error. */
static int slot_submit(struct vblk *b, struct vslot *sl)
{
	struct blk_io *io = &sl->io;

	io->fn = slot_io;
	io->next = slot_next;
	io->arg = sl;
	io->ioprio = IOPRIO_PRIO(sl->req.prio_class, sl->req.prio_level);
	sl->off = 0;
	slot_piece(sl);
	return blk_sched_submit(&b->client, io);
}

/* Writes the status and returns the chain: 0, or the push's error (reset or broken). */
static int finish(struct virtio_mmio_dev *m, unsigned gen, struct vblk *b, uint16_t head,
		  const struct blk_req *req, uint8_t status, uint32_t written)
{
	struct vm *vm = virtio_mmio_dev_vm(m);

	if (status != VIRTIO_BLK_S_OK)
		b->errors++;
	/* Without a status byte the chain goes back with nothing written. */
	if (req->has_status && !vm_write(vm, req->status_ipa, &status, 1))
		written++;
	else
		written = 0;
	return virtio_mmio_dev_push(m, 0, gen, head, written);
}

/* GET_ID and requests refused by the parser are answered at once. */
static uint8_t serve_now(struct vm *vm, struct vblk *b, const struct blk_req *r, uint32_t *written)
{
	char id[VIRTIO_BLK_ID_BYTES + 1] = {0};
	uint32_t n = r->data_len < VIRTIO_BLK_ID_BYTES ? r->data_len : VIRTIO_BLK_ID_BYTES;

	*written = 0;
	if (r->type != VIRTIO_BLK_T_GET_ID)
		return VIRTIO_BLK_S_UNSUPP;
	fmt_snprintf(id, sizeof(id), "zvm-vm%u-%s", b->vm_id, blkdev_name(b->disk));
	if (seg_copy(vm, r, 0, id, n, true))
		return VIRTIO_BLK_S_IOERR;
	*written = n;
	return VIRTIO_BLK_S_OK;
}

static struct vslot *free_slot(struct vblk *b)
{
	for (unsigned i = 0; i < BLK_SCHED_SLOTS; i++)
		if (!b->slots[i].busy)
			return &b->slots[i];
	return NULL;
}

static unsigned busy_slots(const struct vblk *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < BLK_SCHED_SLOTS; i++)
		n += b->slots[i].busy;
	return n;
}

/* Takes chains while a slot is free: each is answered at once or queued on the disk. Returns
 * how many chains were answered, or a negative errno (queue broken, device reset). */
static int fill(struct virtio_mmio_dev *m, unsigned gen, struct vblk *b, struct virtq *q)
{
	struct virtq_chain c = {.segs = b->segs, .max = SEGS};
	uint64_t feat = virtio_mmio_dev_features(m);
	/* What was offered and accepted: a command the driver did not take is UNSUPP. */
	struct blk_cfg cfg = b->cfg;
	struct vslot *sl;
	int r = 0, answered = 0;

	cfg.discard = cfg.discard && (feat & (1ULL << VIRTIO_BLK_F_DISCARD));
	cfg.write_zeroes = cfg.write_zeroes && (feat & (1ULL << VIRTIO_BLK_F_WRITE_ZEROES));
	cfg.flush = cfg.flush && (feat & (1ULL << VIRTIO_BLK_F_FLUSH));

	while ((sl = free_slot(b)) && !virtio_mmio_dev_stale(m, gen) &&
	       (r = virtio_mmio_dev_pop(m, 0, gen, &c)) == 1) {
		uint8_t status = blk_req_parse(q, &c, &cfg, &sl->req, sl->data);
		uint32_t written = 0;

		if (status == VIRTIO_BLK_S_OK && to_disk(&sl->req)) {
			sl->m = m;
			sl->gen = gen;
			sl->head = c.head;
			sl->off = 0;
			if (sl->req.type != VIRTIO_BLK_T_FLUSH && !sl->req.data_len) {
				/* nothing to move: done */
				if (finish(m, gen, b, c.head, &sl->req, status, 0))
					return -EIO;
				answered++;
				continue;
			}
			if (!slot_submit(b, sl)) {
				sl->busy = true;
				continue;
			}
			status = VIRTIO_BLK_S_IOERR; /* the queue was cancelled: a reset */
		} else if (status == VIRTIO_BLK_S_OK) {
			status = serve_now(virtio_mmio_dev_vm(m), b, &sl->req, &written);
		}
		if (finish(m, gen, b, c.head, &sl->req, status, written))
			return -EIO;
		answered++;
	}
	if (virtio_mmio_dev_stale(m, gen))
		return -ESTALE;
	return r < 0 ? r : answered;
}

/* A request that went well, in the device's statistics. */
static void count_done(struct vblk *b, uint32_t type)
{
	if (type == VIRTIO_BLK_T_IN)
		b->reads++;
	else if (type == VIRTIO_BLK_T_OUT)
		b->writes++;
	else if (type == VIRTIO_BLK_T_WRITE_ZEROES)
		b->zeroes++;
	else if (type == VIRTIO_BLK_T_DISCARD)
		b->discards++;
	else
		b->flushes++;
}

/* Whether answer_now() answered the slot's request (and signalled it). */
static bool answered_early(const struct vslot *sl)
{
	return sl->io.answered && !sl->io.status;
}

/* Returns finished requests (their pieces were queued one after the other). Returns
 * how many, or a negative errno (the push failed: reset or broken). */
static int reap(struct virtio_mmio_dev *m, unsigned gen, struct vblk *b)
{
	int answered = 0;

	for (unsigned i = 0; i < BLK_SCHED_SLOTS; i++) {
		struct vslot *sl = &b->slots[i];
		uint8_t status = VIRTIO_BLK_S_OK;
		uint32_t written = 0;
		bool early;

		if (!sl->busy || !blk_io_done(&b->client, &sl->io))
			continue;
		early = answered_early(sl);
		if (!early && (sl->io.status == -ECANCELED || virtio_mmio_dev_stale(m, gen))) {
			/* Its buffers are not ours to complete any more; counted as abandon()
			 * does (this worker may have been the one sending it when the reset came).
			 */
			sl->busy = false;
			if (sl->io.status == -ECANCELED)
				b->reset_cancelled++;
			else
				b->reset_inflight++;
			return -ESTALE;
		}
		if (sl->io.status)
			status = VIRTIO_BLK_S_IOERR;
		sl->busy = false;
		if (status == VIRTIO_BLK_S_OK) {
			count_done(b, sl->req.type);
			if (sl->req.type == VIRTIO_BLK_T_IN)
				written = sl->req.data_len;
		}
		if (early)
			continue;
		if (finish(m, gen, b, sl->head, &sl->req, status, written))
			return -EIO;
		answered++;
	}
	return answered;
}

/* Ends a pass with requests out: takes back the queued ones and waits for those on the disk
 * (each stops at its next piece: stale), so no piece touches the VM after the pass. */
static void abandon(struct vblk *b)
{
	blk_sched_cancel(&b->client);
	while (busy_slots(b)) {
		for (unsigned i = 0; i < BLK_SCHED_SLOTS; i++) {
			struct vslot *sl = &b->slots[i];

			if (!sl->busy || !blk_io_done(&b->client, &sl->io))
				continue;
			sl->busy = false;
			if (answered_early(sl)) /* the guest has it: done */
				count_done(b, sl->req.type);
			else if (sl->io.status == -ECANCELED)
				b->reset_cancelled++;
			else
				b->reset_inflight++;
		}
		if (busy_slots(b))
			blk_sched_wait(&b->client, WAIT_US);
	}
}

/* Kicks on while the worker waits (and from then on in this pass), so a chain the guest adds
 * meanwhile wakes it (through the worker's wake-up, which the disk's completions give too) and
 * goes to the disk at once, beside those already there. A wake taken here is handed back when
 * the pass ends (rewake). */
static void wait_event(struct virtio_mmio_dev *m, unsigned queue, unsigned gen, struct vblk *b,
		       bool *took_wake)
{
	/* With every slot busy, chains waiting on the ring are no reason to go round: only a
	 * completion frees a slot. */
	if (!free_slot(b) || !virtio_mmio_dev_kicks(m, queue, gen, true))
		*took_wake |= blk_sched_wait(&b->client, WAIT_US);
}

static void vblk_notify(struct virtio_mmio_dev *m, unsigned queue)
{
	struct vblk *b = virtio_mmio_dev_priv(m);
	unsigned gen;
	struct virtq *q = virtio_mmio_dev_vq(m, queue, &gen);
	bool took_wake = false;

	if (!q)
		return;
	/* The VM's priority now (it may have changed since the last pass). */
	blk_sched_prepare(&b->client, (unsigned)k_thread_priority(k_current()),
			  virtio_mmio_dev_wake_sem(m));
	virtio_mmio_dev_kicks(m, queue, gen, false);
	for (;;) {
		int filled = fill(m, gen, b, q), reaped = 0;

		/* Every chain queued first (the scheduler orders them by ioprio), then those that
		 * may go sent from here, finished ones completed; each completion signalled. */
		if (filled >= 0 && busy_slots(b)) {
			blk_sched_run(&b->client);
			reaped = reap(m, gen, b);
		}
		if (filled < 0 || reaped < 0 || virtio_mmio_dev_stale(m, gen)) {
			abandon(b);
			took_wake = true; /* its waits may have taken the reset's */
			break;
		}
		if (filled + reaped)
			virtio_mmio_dev_signal(m, queue, gen);
		/* Requests out and none finished: what comes next is a completion or a chain. */
		if (busy_slots(b)) {
			if (!reaped)
				wait_event(m, queue, gen, b, &took_wake);
			continue;
		}
		/* Idle: sleep unless the driver added chains while kicks were off. */
		if (!virtio_mmio_dev_kicks(m, queue, gen, true))
			break;
		virtio_mmio_dev_kicks(m, queue, gen, false);
	}
	if (took_wake)
		virtio_mmio_dev_rewake(m);
}

/* struct virtio_blk_config: capacity (le64 at 0), seg_max (le32 at 12), the discard fields
 * (le32 max_discard_sectors at 36, max_discard_seg at 40, discard_sector_alignment at 44) and
 * the write-zeroes fields (le32 max_write_zeroes_sectors at 48, max_write_zeroes_seg at 52,
 * u8 write_zeroes_may_unmap at 56: 0, zeroing never deallocates); fields of features not
 * offered read as zero (a driver or a tool may read them all). Any size at any offset inside
 * reads the bytes there. */
#define VBLK_CONFIG_SIZE 60

static uint8_t config_byte(const struct vblk *b, uint64_t i)
{
	uint32_t word;

	if (i < 8)
		return (uint8_t)(b->cfg.capacity >> (8 * i));
	switch (i & ~3ULL) {
	case 12:
		word = VIRTIO_BLK_SEG_MAX;
		break;
	case 36:
		word = b->cfg.max_discard_sectors;
		break;
	case 40:
		word = b->cfg.max_discard_seg;
		break;
	case 44:
		word = b->cfg.discard ? blkdev_block_size(b->disk) / VIRTIO_BLK_SECTOR : 0;
		break;
	case 48:
		word = b->cfg.max_write_zeroes_sectors;
		break;
	case 52:
		word = b->cfg.max_write_zeroes_seg;
		break;
	default:
		return 0;
	}
	return (uint8_t)(word >> (8 * (i & 3)));
}

static int config_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	const struct vblk *b = dev;

	if (offset >= VBLK_CONFIG_SIZE || size > 8 || size > VBLK_CONFIG_SIZE - offset)
		return -EINVAL;
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint64_t)config_byte(b, offset + i) << (8 * i);
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
	struct vblk *b = virtio_mmio_dev_priv(m);

	struct blk_sched_stats st;

	print(
	    "    disk: %s sectors %llu-%llu%s, reads %llu, writes %llu, flushes %llu, errors %llu, "
	    "zeroes %llu, discards %llu",
	    blkdev_name(b->disk), (unsigned long long)b->first,
	    (unsigned long long)(b->first + b->cfg.capacity - 1), b->cfg.ro ? " (read-only)" : "",
	    (unsigned long long)b->reads, (unsigned long long)b->writes,
	    (unsigned long long)b->flushes, (unsigned long long)b->errors,
	    (unsigned long long)b->zeroes, (unsigned long long)b->discards);
	print("    resets: requests on the disk waited for %llu, queued ones taken back %llu",
	      (unsigned long long)b->reset_inflight, (unsigned long long)b->reset_cancelled);
	/* IN and OUT pieces that went between guest RAM and the disk with no copy, and those
	 * copied through the bounce buffer (a dynamic VM, a buffer across RAM blocks); requests
	 * whose last direct piece answered the guest from the disk's interrupt. */
	print("    pieces: direct %llu, copied %llu; answered at the disk's interrupt %llu",
	      (unsigned long long)__atomic_load_n(&b->direct, __ATOMIC_RELAXED),
	      (unsigned long long)__atomic_load_n(&b->copied, __ATOMIC_RELAXED),
	      (unsigned long long)__atomic_load_n(&b->answered, __ATOMIC_RELAXED));
	/* The host scheduler's view (block/blk_sched.c): what went to the disk for this device,
	 * how often another device's request went first while this one had some queued, and
	 * how many units its own worker sent (an idle disk) rather than the disk's dispatcher. */
	blk_sched_client_stats(&b->client, &st);
	print("    sched: prio %u, dispatched %llu, bytes %llu, bypassed %llu, cancelled %llu, "
	      "queued %u, inflight %u, sent by the worker %llu",
	      st.prio, (unsigned long long)st.dispatched, (unsigned long long)st.bytes,
	      (unsigned long long)st.bypassed, (unsigned long long)st.cancelled, st.queued,
	      st.inflight, (unsigned long long)st.inline_units);
	/* By the request header's ioprio (Linux: ionice); "passed" counts units of a class sent
	 * while a more urgent class of this device had requests queued. */
	print("    ioprio: rt %llu, be %llu, idle %llu, passed %llu",
	      (unsigned long long)st.class_units[0], (unsigned long long)st.class_units[1],
	      (unsigned long long)st.class_units[2], (unsigned long long)st.class_passed);
}

/* The VM is going and its worker with it (after this): a worker that faulted in a pass may have
 * left requests queued or on the disk, whose completions must not wake its freed thread. */
static void vblk_stop(struct virtio_mmio_dev *m)
{
	blk_sched_unbind(&((struct vblk *)virtio_mmio_dev_priv(m))->client);
}

static void vblk_destroy(void *priv)
{
	struct vblk *b = priv;
	k_spinlock_key_t key;

	blk_sched_detach(&b->client);
	key = k_spin_lock(&claims_lock);
	blk_claim_drop(claims, BLK_CLAIMS_MAX, b->disk, b->first, b->cfg.capacity, b->vm_id,
		       b->cfg.ro);
	k_spin_unlock(&claims_lock, key);
	k_free(b->bounce);
	k_free(b);
}

/* The three feature sets: read-write with or without the host disk's DISCARD (WRITE_ZEROES
 * always: the host driver writes zeros where the disk cannot), and read-only. */
#define VBLK_FEATURES                                                                              \
	((1ULL << VIRTIO_BLK_F_FLUSH) | (1ULL << VIRTIO_BLK_F_SEG_MAX) |                           \
	 (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX))
#define VBLK_OPS(feat)                                                                             \
	{                                                                                          \
		.name = "virtio-blk", .device_id = VIRTIO_ID_BLOCK, .features = (feat),            \
		.nr_queues = 1, .queue_num_max = VIRTIO_BLK_QUEUE_SIZE, .config = &vblk_config,    \
		.notify = vblk_notify, .info = vblk_info, .stop = vblk_stop,                       \
		.destroy = vblk_destroy,                                                           \
	}

static const struct virtio_dev_ops vblk_ops_rw =
    VBLK_OPS(VBLK_FEATURES | (1ULL << VIRTIO_BLK_F_WRITE_ZEROES));
static const struct virtio_dev_ops vblk_ops_rw_discard =
    VBLK_OPS(VBLK_FEATURES | (1ULL << VIRTIO_BLK_F_WRITE_ZEROES) | (1ULL << VIRTIO_BLK_F_DISCARD));
static const struct virtio_dev_ops vblk_ops_ro =
    VBLK_OPS(VBLK_FEATURES | (1ULL << VIRTIO_BLK_F_RO));

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
	/* One range per request, as QEMU offers: each is one host request (or piece run). */
	b->cfg.write_zeroes = !s.ro;
	b->cfg.max_write_zeroes_sectors = VBLK_RANGE_MAX_SECTORS;
	b->cfg.max_write_zeroes_seg = 1;
	b->cfg.discard = !s.ro && blkdev_can_discard(disk);
	b->cfg.max_discard_sectors = b->cfg.discard ? VBLK_RANGE_MAX_SECTORS : 0;
	b->cfg.max_discard_seg = b->cfg.discard ? 1 : 0;
	for (unsigned i = 0; i < BLK_SCHED_SLOTS; i++)
		b->slots[i].b = b;
	/* The queue's priority follows the worker's (the VM's) from its first pass. */
	err = blk_sched_attach(&b->client, disk, VM_PRIO_DEFAULT);
	if (err) {
		printk("error: --disk '%s': %s has no I/O scheduler\n", spec, s.name);
		vblk_destroy(b);
		return err;
	}
	return virtio_mmio_dev_create(vm,
				      s.ro	       ? &vblk_ops_ro
				      : b->cfg.discard ? &vblk_ops_rw_discard
						       : &vblk_ops_rw,
				      b, NULL);
}
