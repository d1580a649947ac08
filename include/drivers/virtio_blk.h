/* Host block devices: the disks on the board's virtio-mmio transports (virtio-blk, modern
 * interface only), found at boot from the device tree and named vda, vdb... in tree order.
 *
 * The API the host block layer builds on. Requests are synchronous: blkdev_rw() submits one
 * request and sleeps until the device's interrupt completes it, so it may only be called from a
 * thread (not an interrupt handler, not with IRQs masked). Requests to one disk are serialised;
 * any thread may call, a scheduler on top decides the order. Buffers may be anywhere in host
 * memory (a thread stack too): the driver copies through its own DMA buffer. */
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
/* Reads (BLK_READ) or writes (BLK_WRITE) the sectors at sector straight from or into the n
 * pieces of host memory at sg (physical addresses: the device's own view), no copy. The
 * pieces' lengths add up to a multiple of 512. Returns as blkdev_rw, and -E2BIG when the
 * device takes fewer pieces (blkdev_max_sg) or a piece is longer than it takes: then use
 * blkdev_rw. The memory must stay valid and unused by anyone else until the call returns. */
struct vblk_seg;
int blkdev_rw_sg(struct blkdev *d, enum blk_op op, uint64_t sector, const struct vblk_seg *sg,
		 unsigned n);
unsigned blkdev_max_sg(const struct blkdev *d);
/* A test aid (`kernel blk hold`): while on, a request to the disk waits before it reaches the
 * device, so a test can act while one is in flight; blkdev_holding says whether one waits. */
void blkdev_hold(struct blkdev *d, bool on);
bool blkdev_holding(const struct blkdev *d);

/* The device's identification string (up to 20 bytes) into id[21], NUL-terminated; 0 or as
 * blkdev_rw (-ENOTSUP when the device does not implement it). */
int blkdev_get_id(struct blkdev *d, char id[21]);

/* `kernel blk` shell subcommand (drivers/virtio_blk_cmd.c). */
int cmd_kernel_blk(int argc, char **argv);

#endif
