/* Host block devices: the disks on the board's virtio-mmio transports (virtio-blk, modern
 * interface only), found at boot from the device tree and named vda, vdb... in tree order.
 *
 * The API the host block layer builds on. blkdev_rw() and the other calls that return a
 * status submit one request and sleep until it completes, so they may only be called from a
 * thread (not an interrupt handler, not with IRQs masked); their buffers may be anywhere in host
 * memory (a thread stack too): the driver copies through its own DMA buffer, one such caller at
 * a time. blkdev_submit() sends a request without a copy and returns at once; the disk's
 * interrupt completes it. Up to blkdev_queue_depth() requests are on the device at once (each
 * in its own indirect descriptor table), from any threads; a scheduler on top decides the
 * order. */
#ifndef DRIVERS_VIRTIO_BLK_H
#define DRIVERS_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#define BLK_SECTOR_SIZE 512u /* unit of sector numbers and counts, whatever the block size */
#define BLKDEV_MAX	4u

/* DISCARD: the sectors' contents become undefined (the device may free them; buf ignored).
 * WRITE_ZEROES: the sectors read as zeros afterwards (buf ignored); on a disk without the
 * command the driver writes zeros itself. */
enum blk_op { BLK_READ, BLK_WRITE, BLK_FLUSH, BLK_DISCARD, BLK_WRITE_ZEROES };

struct blkdev;

struct blkdev_stats {
	uint64_t requests; /* submitted to the device */
	uint64_t irqs;	   /* interrupts taken */
	uint64_t errors;   /* requests that failed: device status, bad reply, timeout */
	int irq_cpu;	   /* the CPU its interrupt goes to (the last requester's), -1: none yet */
	unsigned depth;	   /* requests it may have at once (blkdev_queue_depth) */
	unsigned max_inflight; /* the most it had at once since boot */
};

/* The disk named name, or NULL. */
struct blkdev *blkdev_find(const char *name);
/* Disks in name order (index 0..), NULL past the end. */
struct blkdev *blkdev_nth(unsigned index);

const char *blkdev_name(const struct blkdev *d);
uint64_t blkdev_sectors(const struct blkdev *d);    /* capacity in 512-byte sectors */
uint32_t blkdev_block_size(const struct blkdev *d); /* the device's preferred unit, bytes */
bool blkdev_read_only(const struct blkdev *d);
bool blkdev_can_flush(const struct blkdev *d); /* without it, writes are durable on completion */
bool blkdev_can_discard(const struct blkdev *d);
bool blkdev_has_write_zeroes(const struct blkdev *d); /* the device's own, not the fallback */
void blkdev_stats(const struct blkdev *d, struct blkdev_stats *out);

/* Reads, writes, discards or zeroes count sectors at sector, or flushes the device's write
 * cache (sector, buf and count ignored; 0 at once when the device has no cache to flush).
 * Returns 0, -ERANGE (past the capacity), -EROFS (write, discard or zeroing on a read-only
 * disk), -ENOTSUP (discard on a disk without it), -EIO (the device failed it or answered
 * nonsense; the disk is then taken out of service), -ETIMEDOUT (no answer; likewise), -EINVAL
 * (bad arguments), -EBUSY (called where a thread cannot sleep). */
int blkdev_rw(struct blkdev *d, enum blk_op op, uint64_t sector, void *buf, uint32_t count);
struct vblk_seg;
struct blkdev_req;
/* Called once per submitted request, from the disk's interrupt handler (IRQs masked: only set
 * flags and give semaphores) or, when the disk is taken out of service, from the thread that
 * found it broken. r->status is set: 0 or as blkdev_rw. */
typedef void (*blkdev_done_fn)(struct blkdev_req *r);

/* One request of blkdev_submit: reads (BLK_READ) or writes (BLK_WRITE) the sectors at sector
 * straight from or into the nr_sg pieces of host memory at sg (physical addresses: the device's
 * own view), no copy. The pieces' lengths add up to a multiple of 512. The request, sg and the
 * memory stay valid and unused by anyone else until done ran. */
struct blkdev_req {
	enum blk_op op;
	uint64_t sector;
	const struct vblk_seg *sg;
	unsigned nr_sg;
	blkdev_done_fn done;
	void *arg; /* the caller's */
	int status;
	/* The driver's. */
	uint8_t tag;
};

/* Sends r to the device and returns 0 at once (r->done runs later), after waiting for a free
 * slot when blkdev_queue_depth() requests are out. Else an error, r not sent and done not
 * called: the checks of blkdev_rw, -E2BIG when the device takes fewer pieces (blkdev_max_sg) or
 * a piece longer than it takes (then use blkdev_rw), -EIO when the disk is out of service,
 * -ETIMEDOUT when no slot freed in time. Thread context only. */
int blkdev_submit(struct blkdev *d, struct blkdev_req *r);
unsigned blkdev_max_sg(const struct blkdev *d);
/* Requests the device may have at once: several with indirect descriptor tables, else 1. */
unsigned blkdev_queue_depth(const struct blkdev *d);
/* Thread context, now and then while requests are out (the synchronous calls while they wait,
 * the I/O scheduler's clients in blk_sched_wait and drain):
 * a request out for longer than the driver's timeout, or a device that answered nonsense in
 * its interrupt, takes the disk out of service and completes what it had with an error. */
void blkdev_poll(struct blkdev *d);
/* A test aid (`kernel blk hold`): while on, a request to the disk waits before it reaches the
 * device, so a test can act while one is in flight; blkdev_holding says whether one waits (the
 * I/O scheduler then sends nothing more: the rest stay queued). Any context, a timer's too
 * (it does what the disk's interrupt does). */
void blkdev_hold(struct blkdev *d, bool on);
bool blkdev_holding(const struct blkdev *d);

/* The device's identification string (up to 20 bytes) into id[21], NUL-terminated; 0 or as
 * blkdev_rw (-ENOTSUP when the device does not implement it). */
int blkdev_get_id(struct blkdev *d, char id[21]);

/* `kernel blk` shell subcommand (drivers/virtio_blk_cmd.c). */
int cmd_kernel_blk(int argc, char **argv);

#endif
