/* Host virtio-blk driver over virtio-mmio version 2 (virtio 1.x, sections 4.2 and 5.2). Probed
 * at boot from every "virtio,mmio" node of the device tree; transports with no device (ID 0) or
 * another kind of device are left alone. Up to TAGS requests per disk are on the device at once,
 * each with its own tag: header, status byte and indirect descriptor table (one ring entry per
 * request, so long ones fit together), or one request at a time in a direct chain on a device
 * without indirect tables. The interrupt handler takes the used entries back
 * (drivers/virtio_blk_ring.c) and calls each request's done; a caller of the synchronous calls
 * sleeps until its own completes. Ring and tags are under a spinlock held for O(TAGS). */
#include <drivers/virtio_blk.h>
#include <drivers/virtio_blk_ring.h>

#include <arch/mmio.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/board.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/irq.h>
#include <kernel/mutex.h>
#include <kernel/page_alloc.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sem.h>
#include <kernel/thread.h>
#include <lib/format.h>
#include <string.h>

#define MMIO_MAGIC	      0x000
#define MMIO_VERSION	      0x004
#define MMIO_DEVICE_ID	      0x008
#define MMIO_DEV_FEATURES     0x010
#define MMIO_DEV_FEATURES_SEL 0x014
#define MMIO_DRV_FEATURES     0x020
#define MMIO_DRV_FEATURES_SEL 0x024
#define MMIO_QUEUE_SEL	      0x030
#define MMIO_QUEUE_NUM_MAX    0x034
#define MMIO_QUEUE_NUM	      0x038
#define MMIO_QUEUE_READY      0x044
#define MMIO_QUEUE_NOTIFY     0x050
#define MMIO_INT_STATUS	      0x060
#define MMIO_INT_ACK	      0x064
#define MMIO_STATUS	      0x070
#define MMIO_QUEUE_DESC	      0x080
#define MMIO_QUEUE_DRIVER     0x090
#define MMIO_QUEUE_DEVICE     0x0a0
#define MMIO_CONFIG_GEN	      0x0fc
#define MMIO_CONFIG	      0x100

#define MAGIC_VIRT   0x74726976u /* "virt" */
#define DEV_ID_BLOCK 2u

#define ST_ACKNOWLEDGE 1u
#define ST_DRIVER      2u
#define ST_DRIVER_OK   4u
#define ST_FEATURES_OK 8u
#define ST_FAILED      128u

#define CFG_CAPACITY		0x00 /* u64, 512-byte sectors */
#define CFG_SIZE_MAX		0x08 /* u32, with VIRTIO_BLK_F_SIZE_MAX */
#define CFG_SEG_MAX		0x0c /* u32, with VIRTIO_BLK_F_SEG_MAX */
#define CFG_BLK_SIZE		0x14 /* u32, with VIRTIO_BLK_F_BLK_SIZE */
#define CFG_MAX_DISCARD_SECTORS 0x24 /* u32, with VIRTIO_BLK_F_DISCARD */
#define CFG_MAX_WZEROES_SECTORS 0x30 /* u32, with VIRTIO_BLK_F_WRITE_ZEROES */

#define BOUNCE_ORDER   4 /* 64 KiB: the most one request moves */
#define BOUNCE_SECTORS ((BUDDY_PAGE_SIZE << BOUNCE_ORDER) / BLK_SECTOR_SIZE)
#define TIMEOUT_US     (30ull * 1000000) /* a request longer out takes the disk out of service */
#define POLL_MS	       100 /* a synchronous caller looks for a broken disk this often */
#define TAGS	       8u  /* requests on the device at once (with indirect tables) */
#define TAGS_ORDER     3   /* their indirect tables: one page each */
#define RING_ORDER     1   /* the ring: vring_bytes(VRING_MAX) */

_Static_assert(VRING_BYTES_MAX <= (BUDDY_PAGE_SIZE << RING_ORDER), "the ring fits");

/* What the device reads and writes for one request besides its data: its header and status
 * byte (all tags' in one page), and with indirect tables its chain (header, data, status). */
struct tag_io {
	struct {
		uint32_t type, reserved;
		uint64_t sector;
	} hdr;
	uint8_t status;
};
typedef struct vring_desc tag_table[VBLK_SG_MAX + 2];
_Static_assert(TAGS * sizeof(struct tag_io) <= BUDDY_PAGE_SIZE, "tag headers fit a page");
_Static_assert(TAGS * sizeof(tag_table) <= (BUDDY_PAGE_SIZE << TAGS_ORDER), "tables fit");

struct blkdev {
	char name[8];
	uintptr_t base;
	unsigned intid;
	uint64_t sectors;
	uint32_t block_size;
	bool ro, flush, broken;
	uint32_t max_discard, max_wzeroes; /* sectors per request; 0: no such command */
	uint32_t max_sg, size_max;	   /* data pieces per request, bytes per piece */
	unsigned irq_cpu; /* where the interrupt is routed: the last sender's CPU (racy, a hint) */
	uint8_t *bounce;
	struct k_mutex lock;	     /* one copying caller at a time: guards bounce */
	struct k_sem tag_free;	     /* counts free tags */
	struct k_sem tag_wait[TAGS]; /* a synchronous caller waits for its request on its tag's */
	/* Under ring_lock (also taken by the interrupt handler). */
	struct k_spinlock ring_lock;
	struct vring ring;
	struct tag_io *tags;		   /* depth of them */
	tag_table *tables;		   /* with indirect tables: depth of them */
	struct blkdev_req *tag_req[TAGS];  /* the request on each tag, NULL: free */
	uint64_t tag_since[TAGS];	   /* its submission, uptime us */
	uint8_t head_tag[VRING_MAX];	   /* a chain in flight: its tag */
	struct vblk_chain tag_chain[TAGS]; /* its chain, to post it */
	unsigned depth, inflight;
	bool hold;	 /* blkdev_hold: new requests wait on their tags */
	uint32_t parked; /* bit t: the request on tag t waits for the release */
	bool bad;	 /* the interrupt saw an impossible used entry: blkdev_poll takes it out */
	struct blkdev_stats st;
};

static struct blkdev disks[BLKDEV_MAX];
static unsigned nr_disks;

static uint32_t rd(const struct blkdev *d, unsigned off)
{
	return readl(d->base + off);
}

static void wr(const struct blkdev *d, unsigned off, uint32_t v)
{
	writel(v, d->base + off);
}

static void wr64(const struct blkdev *d, unsigned off, uint64_t v)
{
	wr(d, off, (uint32_t)v);
	wr(d, off + 4, (uint32_t)(v >> 32));
}

static int status_errno(uint8_t status)
{
	return status == VBLK_S_OK ? 0 : status == VBLK_S_UNSUPP ? -ENOTSUP : -EIO;
}

/* Hands finished requests to their owners: the tags back first (done may submit again). */
static void complete(struct blkdev *d, struct blkdev_req **reqs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (reqs[i]->status)
			__atomic_fetch_add(&d->st.errors, 1, __ATOMIC_RELAXED);
		k_sem_give(&d->tag_free);
	}
	for (unsigned i = 0; i < n; i++)
		reqs[i]->done(reqs[i]);
}

/* ring_lock held: takes the request off tag t with status. */
static struct blkdev_req *untag(struct blkdev *d, unsigned t, int status)
{
	struct blkdev_req *r = d->tag_req[t];

	d->tag_req[t] = NULL;
	d->inflight--;
	r->status = status;
	return r;
}

static void vblk_irq(unsigned intid, void *arg)
{
	struct blkdev *d = arg;
	struct blkdev_req *done[TAGS];
	unsigned n = 0;
	k_spinlock_key_t key;
	uint16_t head;
	uint32_t len;
	int r = 0;

	(void)intid;
	/* Acknowledge what is pending (used buffer or config change) so the line drops. */
	wr(d, MMIO_INT_ACK, rd(d, MMIO_INT_STATUS));
	__atomic_fetch_add(&d->st.irqs, 1, __ATOMIC_RELAXED);
	key = k_spin_lock(&d->ring_lock);
	/* At most one entry per chain in flight (vring_pop_used refuses more): n <= TAGS. */
	while (!d->broken && !d->bad && (r = vring_pop_used(&d->ring, &head, &len)) == 1) {
		unsigned t = d->head_tag[head];

		done[n++] = untag(d, t, status_errno(d->tags[t].status));
	}
	/* Resetting the device sleeps: the next blkdev_poll does it. */
	if (r < 0)
		d->bad = true;
	k_spin_unlock(&d->ring_lock, key);
	complete(d, done, n);
}

/* A consistent read of the configuration (it may change under us: 4.2.2.2 generation). */
static void read_config(struct blkdev *d, uint64_t accepted)
{
	uint32_t gen;

	do {
		gen = rd(d, MMIO_CONFIG_GEN);
		d->sectors = rd(d, MMIO_CONFIG + CFG_CAPACITY) |
			     (uint64_t)rd(d, MMIO_CONFIG + CFG_CAPACITY + 4) << 32;
		d->block_size = accepted & VBLK_F_BLK_SIZE ? rd(d, MMIO_CONFIG + CFG_BLK_SIZE) : 0;
		d->max_discard =
		    accepted & VBLK_F_DISCARD ? rd(d, MMIO_CONFIG + CFG_MAX_DISCARD_SECTORS) : 0;
		d->max_wzeroes =
		    accepted & VBLK_F_WZEROES ? rd(d, MMIO_CONFIG + CFG_MAX_WZEROES_SECTORS) : 0;
		/* Without SEG_MAX one piece per request, as Linux assumes. */
		d->max_sg = accepted & VBLK_F_SEG_MAX ? rd(d, MMIO_CONFIG + CFG_SEG_MAX) : 1;
		d->size_max =
		    accepted & VBLK_F_SIZE_MAX ? rd(d, MMIO_CONFIG + CFG_SIZE_MAX) : UINT32_MAX;
		if (!d->size_max) /* a device saying 0 means no limit it can keep to */
			d->size_max = UINT32_MAX;
	} while (gen != rd(d, MMIO_CONFIG_GEN));
	if (d->max_sg > VBLK_SG_MAX)
		d->max_sg = VBLK_SG_MAX;
	if (d->block_size < BLK_SECTOR_SIZE || (d->block_size & (d->block_size - 1)))
		d->block_size = BLK_SECTOR_SIZE;
}

static int fail_probe(struct blkdev *d, const char *why)
{
	wr(d, MMIO_STATUS, rd(d, MMIO_STATUS) | ST_FAILED);
	pr_warn("virtio-blk at 0x%lx: %s\n", (unsigned long)d->base, why);
	return -EIO;
}

/* The initialisation sequence of 3.1.1, for a transport already known to hold a disk. */
static int probe_disk(struct blkdev *d)
{
	uint64_t offered, accepted;
	uint32_t qmax;
	uint16_t num;
	void *ring;

	wr(d, MMIO_STATUS, 0); /* reset */
	wr(d, MMIO_STATUS, ST_ACKNOWLEDGE);
	wr(d, MMIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER);
	wr(d, MMIO_DEV_FEATURES_SEL, 1);
	offered = (uint64_t)rd(d, MMIO_DEV_FEATURES) << 32;
	wr(d, MMIO_DEV_FEATURES_SEL, 0);
	offered |= rd(d, MMIO_DEV_FEATURES);
	if (vblk_negotiate(offered, &accepted))
		return fail_probe(d, "no VIRTIO_F_VERSION_1");
	wr(d, MMIO_DRV_FEATURES_SEL, 1);
	wr(d, MMIO_DRV_FEATURES, (uint32_t)(accepted >> 32));
	wr(d, MMIO_DRV_FEATURES_SEL, 0);
	wr(d, MMIO_DRV_FEATURES, (uint32_t)accepted);
	wr(d, MMIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK);
	if (!(rd(d, MMIO_STATUS) & ST_FEATURES_OK))
		return fail_probe(d, "features refused");
	d->ro = accepted & VBLK_F_RO;
	d->flush = accepted & VBLK_F_FLUSH;
	read_config(d, accepted);

	wr(d, MMIO_QUEUE_SEL, 0);
	if (rd(d, MMIO_QUEUE_READY))
		return fail_probe(d, "queue 0 already in use");
	qmax = rd(d, MMIO_QUEUE_NUM_MAX);
	num = vring_pick_num(qmax);
	if (num < 4) /* room for one request of three descriptors */
		return fail_probe(d, "queue too small");
	if (d->max_sg > num - 2u) /* a whole chain fits in our ring, header and status too */
		d->max_sg = num - 2u;
	/* Without indirect tables a long request takes most of the ring: one at a time. */
	d->depth = accepted & VBLK_F_INDIRECT ? TAGS : 1;
	ring = page_alloc(RING_ORDER);
	d->tags = page_alloc(0);
	d->tables = d->depth > 1 ? page_alloc(TAGS_ORDER) : NULL;
	d->bounce = page_alloc(BOUNCE_ORDER);
	if (!ring || !d->tags || (d->depth > 1 && !d->tables) || !d->bounce)
		return fail_probe(d, "out of memory"); /* a page got is kept: rare, boot only */
	vring_init(&d->ring, ring, num);
	wr(d, MMIO_QUEUE_NUM, num);
	wr64(d, MMIO_QUEUE_DESC, (uintptr_t)d->ring.desc);
	wr64(d, MMIO_QUEUE_DRIVER, (uintptr_t)d->ring.avail);
	wr64(d, MMIO_QUEUE_DEVICE, (uintptr_t)d->ring.used);
	k_mutex_init(&d->lock);
	k_sem_init(&d->tag_free, d->depth, d->depth);
	for (unsigned t = 0; t < TAGS; t++)
		k_sem_init(&d->tag_wait[t], 0, 1);
	d->irq_cpu = ~0u; /* routed by the first request */
	/* Before the queue goes live: a failure here leaves no ring the device may use. */
	if (irq_connect(d->intid, vblk_irq, d))
		return fail_probe(d, "interrupt already taken");
	dsb(st); /* the zeroed ring before the device may look at it */
	wr(d, MMIO_QUEUE_READY, 1);
	gic_irq_enable(d->intid);
	wr(d, MMIO_STATUS, ST_ACKNOWLEDGE | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	return 0;
}

static void probe_node(const void *fdt, int node)
{
	struct blkdev *d = &disks[nr_disks];
	struct board_region reg;
	uint64_t page;
	int intid;

	if (board_node_reg(fdt, node, 0, &reg) || reg.size < MMIO_CONFIG + 0x20)
		return;
	page = reg.base & ~(uint64_t)(BUDDY_PAGE_SIZE - 1);
	if (mmu_map(page,
		    (reg.base + reg.size - page + BUDDY_PAGE_SIZE - 1) &
			~(uint64_t)(BUDDY_PAGE_SIZE - 1),
		    MMU_DEVICE))
		return;
	memset(d, 0, sizeof(*d));
	d->base = (uintptr_t)reg.base;
	if (rd(d, MMIO_MAGIC) != MAGIC_VIRT || rd(d, MMIO_DEVICE_ID) != DEV_ID_BLOCK)
		return;
	if (rd(d, MMIO_VERSION) != 2) {
		pr_warn("virtio-blk at 0x%lx: legacy transport (QEMU: -global "
			"virtio-mmio.force-legacy=false), not driven\n",
			(unsigned long)d->base);
		return;
	}
	intid = board_node_irq(fdt, node, 0);
	if (intid < 0) {
		pr_warn("virtio-blk at 0x%lx: no interrupt\n", (unsigned long)d->base);
		return;
	}
	d->intid = (unsigned)intid;
	fmt_snprintf(d->name, sizeof(d->name), "vd%c", 'a' + nr_disks);
	if (probe_disk(d))
		return;
	pr_info("%s: virtio-blk at 0x%lx, %llu sectors%s\n", d->name, (unsigned long)d->base,
		(unsigned long long)d->sectors, d->ro ? ", read-only" : "");
	nr_disks++;
}

static void virtio_blk_boot(void)
{
	const void *fdt = host_dtb();

	for (int node = fdt_node_offset_by_compatible(fdt, -1, "virtio,mmio");
	     node >= 0 && nr_disks < BLKDEV_MAX;
	     node = fdt_node_offset_by_compatible(fdt, node, "virtio,mmio")) {
		const char *s = fdt_getprop(fdt, node, "status", NULL);

		if (!s || !strcmp(s, "okay") || !strcmp(s, "ok"))
			probe_node(fdt, node);
	}
}
INIT_HOOK(INIT_HOOK_BOOT, virtio_blk_boot);

struct blkdev *blkdev_nth(unsigned index)
{
	return index < nr_disks ? &disks[index] : NULL;
}

struct blkdev *blkdev_find(const char *name)
{
	for (unsigned i = 0; i < nr_disks; i++)
		if (!strcmp(disks[i].name, name))
			return &disks[i];
	return NULL;
}

const char *blkdev_name(const struct blkdev *d)
{
	return d->name;
}

uint64_t blkdev_sectors(const struct blkdev *d)
{
	return d->sectors;
}

uint32_t blkdev_block_size(const struct blkdev *d)
{
	return d->block_size;
}

bool blkdev_read_only(const struct blkdev *d)
{
	return d->ro;
}

bool blkdev_can_flush(const struct blkdev *d)
{
	return d->flush;
}

bool blkdev_can_discard(const struct blkdev *d)
{
	return d->max_discard && !d->ro;
}

bool blkdev_has_write_zeroes(const struct blkdev *d)
{
	return d->max_wzeroes && !d->ro;
}

void blkdev_stats(const struct blkdev *d, struct blkdev_stats *out)
{
	out->requests = __atomic_load_n(&d->st.requests, __ATOMIC_RELAXED);
	out->irqs = __atomic_load_n(&d->st.irqs, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&d->st.errors, __ATOMIC_RELAXED);
	out->irq_cpu = (int)__atomic_load_n(&d->irq_cpu, __ATOMIC_RELAXED);
	out->depth = d->depth;
	out->max_inflight = __atomic_load_n(&d->st.max_inflight, __ATOMIC_RELAXED);
}

/* A device that answered nonsense or not at all may still write the requests' buffers, which
 * are a guest's RAM for blkdev_submit: reset it (4.2.2.1: status 0, read back until 0), which
 * ends its use of the ring and the buffers, stop using it for good, and only then complete what
 * it had with err. Thread context (the reset sleeps). */
static void broken(struct blkdev *d, int err, const char *why)
{
	struct blkdev_req *out[TAGS];
	k_spinlock_key_t key = k_spin_lock(&d->ring_lock);
	bool first = !d->broken;
	unsigned n = 0;

	d->broken = true; /* no new request, the interrupt takes nothing back */
	k_spin_unlock(&d->ring_lock, key);
	if (!first)
		return; /* the first caller completes everything */
	wr(d, MMIO_STATUS, 0);
	for (unsigned i = 0; i < 1000 && rd(d, MMIO_STATUS); i++)
		k_sleep_ms(1);
	pr_err("%s: %s; disk taken out of service\n", d->name, why);
	key = k_spin_lock(&d->ring_lock);
	d->parked = 0;
	for (unsigned t = 0; t < d->depth; t++)
		if (d->tag_req[t])
			out[n++] = untag(d, t, err);
	k_spin_unlock(&d->ring_lock, key);
	complete(d, out, n);
}

void blkdev_poll(struct blkdev *d)
{
	k_spinlock_key_t key = k_spin_lock(&d->ring_lock);
	uint64_t now = k_uptime_us(); /* under the lock: no tag_since is later */
	bool bad = d->bad, late = false;

	for (unsigned t = 0; t < d->depth; t++) /* a held request is not late */
		late = late || (d->tag_req[t] && !(d->parked & (1u << t)) &&
				now - d->tag_since[t] > TIMEOUT_US);
	k_spin_unlock(&d->ring_lock, key);
	if (bad)
		broken(d, -EIO, "bad used ring entry");
	else if (late)
		broken(d, -ETIMEDOUT, "request timed out");
}

/* ring_lock held: puts the request on tag t into the ring. 0 or vring_add_blk's error. */
static int post(struct blkdev *d, unsigned t)
{
	int head = vring_add_blk(&d->ring, &d->tag_chain[t]);

	if (head < 0)
		return head;
	d->head_tag[head] = (uint8_t)t;
	d->tag_since[t] = k_uptime_us();
	vring_publish(&d->ring);
	return 0;
}

/* After posting: the device is told (the completion interrupt to this CPU, so the wake-up of
 * the thread that sent the request stays local). */
static void notify(struct blkdev *d)
{
	unsigned cpu = cpu_id();

	if (__atomic_load_n(&d->irq_cpu, __ATOMIC_RELAXED) != cpu && !gic_irq_route(d->intid, cpu))
		__atomic_store_n(&d->irq_cpu, cpu, __ATOMIC_RELAXED);
	dsb(st); /* buffers and index visible before the notification */
	wr(d, MMIO_QUEUE_NOTIFY, 0);
}

/* Sends r: its data in the bounce buffer (len bytes, the caller holds the mutex) or, with
 * r->nr_sg, in the pieces at r->sg. 0 (r->done runs later) or an error (it does not). While
 * the disk is held (blkdev_hold) the request takes its tag and waits there for the release. */
static int start(struct blkdev *d, struct blkdev_req *r, uint32_t type, uint32_t len)
{
	struct vblk_chain c = {
	    .type = type,
	    .data_pa = (uintptr_t)d->bounce,
	    .data_len = len,
	    .sg = r->sg,
	    .nr_sg = (uint16_t)r->nr_sg,
	};
	k_spinlock_key_t key;
	unsigned t = 0;
	int err;

	if (k_sem_take(&d->tag_free, K_SECONDS(TIMEOUT_US / 1000000))) {
		__atomic_fetch_add(&d->st.errors, 1, __ATOMIC_RELAXED);
		return -ETIMEDOUT; /* the requests out are the poll's to time out */
	}
	key = k_spin_lock(&d->ring_lock);
	while (d->tag_req[t]) /* tag_free counted one */
		t++;
	c.hdr_pa = (uintptr_t)&d->tags[t].hdr;
	c.status_pa = (uintptr_t)&d->tags[t].status;
	if (d->depth > 1) {
		c.table = d->tables[t];
		c.table_pa = (uintptr_t)d->tables[t];
	}
	d->tags[t].hdr.type = type;
	d->tags[t].hdr.reserved = 0;
	d->tags[t].hdr.sector = r->sector;
	d->tags[t].status = 0xff; /* not a status the device may give */
	d->tag_chain[t] = c;
	err = d->broken ? -EIO : d->hold ? 0 : post(d, t);
	if (!err) {
		d->tag_req[t] = r;
		r->tag = (uint8_t)t;
		d->parked |= (uint32_t)d->hold << t;
		if (++d->inflight > d->st.max_inflight)
			d->st.max_inflight = d->inflight;
	}
	k_spin_unlock(&d->ring_lock, key);
	if (err) {
		k_sem_give(&d->tag_free);
		__atomic_fetch_add(&d->st.errors, 1, __ATOMIC_RELAXED);
		return err;
	}
	__atomic_fetch_add(&d->st.requests, 1, __ATOMIC_RELAXED);
	if (!(d->parked & (1u << t)))
		notify(d);
	return 0;
}

/* A synchronous caller's request. It waits on its tag's semaphore (not one on its stack: the
 * give may still touch the semaphore after the waiter has seen done and returned), which a
 * request before it on the tag may have left given: done says whether it is over. */
struct waiter {
	struct blkdev_req r;
	struct blkdev *d;
	bool done; /* atomic */
};

static void wake_waiter(struct blkdev_req *r)
{
	struct waiter *w = r->arg;
	struct k_sem *sem = &w->d->tag_wait[r->tag];

	__atomic_store_n(&w->done, true, __ATOMIC_RELEASE); /* w may be gone after this */
	k_sem_give(sem);
}

/* One request, its data in the bounce buffer (len bytes; mutex held), waited for. */
static int do_request(struct blkdev *d, uint32_t type, uint64_t sector, uint32_t len)
{
	struct waiter w = {.r = {.sector = sector, .done = wake_waiter}, .d = d};
	int err;

	w.r.arg = &w;
	err = start(d, &w.r, type, len);
	if (err)
		return err;
	while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE))
		if (k_sem_take(&d->tag_wait[w.r.tag], K_MSEC(POLL_MS)))
			blkdev_poll(d);
	return w.r.status;
}

/* DISCARD or WRITE_ZEROES of count sectors, one range per request (QEMU and the spec's
 * max_*_seg allow one at least) of at most max sectors. Lock held. */
static int do_ranges(struct blkdev *d, uint32_t type, uint32_t max, uint64_t sector, uint32_t count)
{
	struct vblk_range *rg = (struct vblk_range *)d->bounce;
	int err = 0;

	while (count && !err) {
		uint32_t n = count < max ? count : max;

		*rg = (struct vblk_range){.sector = sector, .num_sectors = n};
		err = do_request(d, type, 0, sizeof(*rg));
		sector += n;
		count -= n;
	}
	return err;
}

/* Lock held: reads or writes count sectors through the bounce buffer; p NULL writes zeros. */
static int do_rw(struct blkdev *d, enum blk_op op, uint64_t sector, uint8_t *p, uint32_t count)
{
	int err = 0;

	if (!p)
		memset(d->bounce, 0,
		       (count < BOUNCE_SECTORS ? count : BOUNCE_SECTORS) * BLK_SECTOR_SIZE);
	while (count && !err) {
		uint32_t n = count < BOUNCE_SECTORS ? count : BOUNCE_SECTORS;
		uint32_t bytes = n * BLK_SECTOR_SIZE;

		if (op == BLK_WRITE && p)
			memcpy(d->bounce, p, bytes);
		err = do_request(d, op == BLK_WRITE ? VBLK_T_OUT : VBLK_T_IN, sector, bytes);
		if (!err && op == BLK_READ)
			memcpy(p, d->bounce, bytes);
		if (p)
			p += bytes;
		sector += n;
		count -= n;
	}
	return err;
}

int blkdev_rw(struct blkdev *d, enum blk_op op, uint64_t sector, void *buf, uint32_t count)
{
	int err = 0;

	if (!d || ((op == BLK_READ || op == BLK_WRITE) && !buf) || op > BLK_WRITE_ZEROES)
		return -EINVAL;
	if (op != BLK_FLUSH && (sector > d->sectors || count > d->sectors - sector))
		return -ERANGE;
	if (op != BLK_READ && op != BLK_FLUSH && d->ro)
		return -EROFS;
	if (op == BLK_FLUSH && !d->flush)
		return 0;
	if (op == BLK_DISCARD && !d->max_discard)
		return -ENOTSUP;
	if (k_mutex_lock(&d->lock, K_FOREVER))
		return -EBUSY;
	switch (op) {
	case BLK_FLUSH:
		err = do_request(d, VBLK_T_FLUSH, 0, 0);
		break;
	case BLK_DISCARD:
		err = do_ranges(d, VBLK_T_DISCARD, d->max_discard, sector, count);
		break;
	case BLK_WRITE_ZEROES:
		err = d->max_wzeroes ? do_ranges(d, VBLK_T_WZEROES, d->max_wzeroes, sector, count)
				     : do_rw(d, BLK_WRITE, sector, NULL, count);
		break;
	default:
		err = do_rw(d, op, sector, buf, count);
		break;
	}
	k_mutex_unlock(&d->lock);
	return err;
}

int blkdev_submit(struct blkdev *d, struct blkdev_req *r)
{
	uint64_t bytes = 0;

	if (!d || !r || !r->done || (r->op != BLK_READ && r->op != BLK_WRITE) || !r->sg ||
	    !r->nr_sg)
		return -EINVAL;
	if (r->nr_sg > d->max_sg)
		return -E2BIG;
	for (unsigned i = 0; i < r->nr_sg; i++) {
		if (!r->sg[i].len)
			return -EINVAL;
		if (r->sg[i].len > d->size_max)
			return -E2BIG;
		bytes += r->sg[i].len;
	}
	if (bytes % BLK_SECTOR_SIZE || bytes > UINT32_MAX)
		return -EINVAL;
	if (r->sector > d->sectors || bytes / BLK_SECTOR_SIZE > d->sectors - r->sector)
		return -ERANGE;
	if (r->op == BLK_WRITE && d->ro)
		return -EROFS;
	return start(d, r, r->op == BLK_WRITE ? VBLK_T_OUT : VBLK_T_IN, 0);
}

unsigned blkdev_queue_depth(const struct blkdev *d)
{
	return d->depth;
}

void blkdev_hold(struct blkdev *d, bool on)
{
	struct blkdev_req *failed[TAGS];
	unsigned n = 0;
	k_spinlock_key_t key = k_spin_lock(&d->ring_lock);
	bool posted = false;

	d->hold = on;
	for (unsigned t = 0; !on && t < d->depth; t++) {
		if (!(d->parked & (1u << t)))
			continue;
		d->parked &= ~(1u << t); /* none once broken: broken() completed them */
		if (!post(d, t))
			posted = true;
		else
			failed[n++] = untag(d, t, -EIO);
	}
	k_spin_unlock(&d->ring_lock, key);
	if (posted)
		notify(d);
	complete(d, failed, n);
}

bool blkdev_holding(const struct blkdev *d)
{
	return __atomic_load_n(&d->parked, __ATOMIC_RELAXED) != 0;
}

unsigned blkdev_max_sg(const struct blkdev *d)
{
	return d->max_sg;
}

int blkdev_get_id(struct blkdev *d, char id[21])
{
	int err;

	if (!d)
		return -EINVAL;
	if (k_mutex_lock(&d->lock, K_FOREVER))
		return -EBUSY;
	err = do_request(d, VBLK_T_GET_ID, 0, VBLK_ID_BYTES);
	if (!err) {
		memcpy(id, d->bounce, VBLK_ID_BYTES);
		id[VBLK_ID_BYTES] = '\0';
	}
	k_mutex_unlock(&d->lock);
	return err;
}
