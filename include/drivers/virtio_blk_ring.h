/* Pure parts of the host virtio-blk driver (drivers/virtio_blk.c): feature negotiation, the
 * split virtqueue a driver owns (descriptor chains for one request, used-ring consumption).
 * No hardware access and no locks: the caller serialises, so the host unit tests run it as is.
 * Addresses are the device's view (physical; the host identity-maps RAM). */
#ifndef DRIVERS_VIRTIO_BLK_RING_H
#define DRIVERS_VIRTIO_BLK_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VBLK_F_SIZE_MAX	 (1ull << 1)
#define VBLK_F_SEG_MAX	 (1ull << 2)
#define VBLK_F_RO	 (1ull << 5)
#define VBLK_F_BLK_SIZE	 (1ull << 6)
#define VBLK_F_FLUSH	 (1ull << 9)
#define VBLK_F_DISCARD	 (1ull << 13)
#define VBLK_F_WZEROES	 (1ull << 14) /* WRITE_ZEROES */
#define VBLK_F_INDIRECT	 (1ull << 28) /* VIRTIO_RING_F_INDIRECT_DESC */
#define VBLK_F_VERSION_1 (1ull << 32)

#define VBLK_T_IN      0u
#define VBLK_T_OUT     1u
#define VBLK_T_FLUSH   4u
#define VBLK_T_GET_ID  8u
#define VBLK_T_DISCARD 11u
#define VBLK_T_WZEROES 13u /* WRITE_ZEROES */

/* DISCARD and WRITE_ZEROES carry one 16-byte range as their (device-readable) data. */
struct vblk_range {
	uint64_t sector;
	uint32_t num_sectors;
	uint32_t flags;
};

#define VBLK_S_OK     0u
#define VBLK_S_IOERR  1u
#define VBLK_S_UNSUPP 2u

#define VBLK_ID_BYTES 20u /* GET_ID answer: a string, NUL-padded, not always terminated */

/* The features the driver accepts out of the offer: only those it implements. -ENOTSUP when
 * the device is not a modern (VERSION_1) one: the legacy layout is not driven. */
int vblk_negotiate(uint64_t offered, uint64_t *accepted);

#define VRING_DESC_F_NEXT     1u
#define VRING_DESC_F_WRITE    2u
#define VRING_DESC_F_INDIRECT 4u
/* Entries used at most: a direct chain of VBLK_SG_MAX + 2 fits. 256 as QEMU's default queue
 * size, whose seg_max (254) then lets a 1 MiB request of 256 pages, some adjacent, go as one. */
#define VRING_MAX	256u
#define VRING_BYTES_MAX 6678u /* vring_bytes(VRING_MAX) */

struct vring_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vring_used_elem {
	uint32_t id;
	uint32_t len;
};

/* The three areas, laid out in one zeroed block of vring_bytes(num) bytes. */
struct vring {
	struct vring_desc *desc;
	volatile uint16_t *avail; /* flags, idx, ring[num], used_event */
	volatile uint16_t *used;  /* flags, idx, then num struct vring_used_elem */
	uint16_t num;
	uint16_t free_head; /* free descriptors chained through free_next; num when none */
	uint16_t nr_free;
	uint16_t avail_idx;	       /* next avail slot, free-running */
	uint16_t last_used;	       /* next used slot to consume, free-running */
	uint16_t inflight;	       /* chains handed to the device and not yet taken back */
	uint32_t chain_len[VRING_MAX]; /* by head: bytes the device may write, 0 when free */
	bool busy[VRING_MAX];	       /* by head: a chain handed to the device */
	/* Our own copies: the device could rewrite the shared table, so neither the free list
	 * nor a chain's members are ever read back from it. */
	uint16_t free_next[VRING_MAX];
	uint16_t link[VRING_MAX];    /* a chain's next member, as we wrote it */
	uint16_t chain_n[VRING_MAX]; /* by head: its descriptors */
};

/* Entries to use for a queue whose maximum is qmax: a power of two, at most VRING_MAX; 0 when
 * the device offers none. */
uint16_t vring_pick_num(uint32_t qmax);
/* Bytes of the block for num entries (desc at 0, avail after, used at the next 4 KiB/16-byte
 * boundary that the spec's alignment allows); offsets of the areas. */
size_t vring_bytes(uint16_t num);
size_t vring_avail_off(uint16_t num);
size_t vring_used_off(uint16_t num);
/* Lays the ring out in mem (vring_bytes(num) bytes, 16-byte aligned), zeroes it, frees all. */
void vring_init(struct vring *r, void *mem, uint16_t num);

/* A piece of a request's data: physical address and length. */
struct vblk_seg {
	uint64_t pa;
	uint32_t len;
};

#define VBLK_SG_MAX (VRING_MAX - 2) /* data descriptors in one chain besides header and status */

/* One block request: header (device reads it), data (device writes for IN and GET_ID, reads
 * for OUT, DISCARD and WRITE_ZEROES, none for FLUSH), status byte (device writes). The data
 * is one buffer (data_pa, data_len) or, when nr_sg is not 0, the nr_sg pieces at sg (IN and
 * OUT only), one descriptor each. */
struct vblk_chain {
	uint32_t type;
	uint64_t hdr_pa;  /* 16 bytes: type, reserved, sector (little-endian) */
	uint64_t data_pa; /* ignored when data_len is 0 */
	uint32_t data_len;
	uint64_t status_pa;
	const struct vblk_seg *sg;
	uint16_t nr_sg; /* at most VBLK_SG_MAX, each piece not empty */
	/* Optional (the device accepted VBLK_F_INDIRECT): the chain goes into this table of
	 * VBLK_SG_MAX + 2 entries, driver memory at table_pa, and takes one ring entry, so
	 * several long requests fit in the ring at once. */
	struct vring_desc *table;
	uint64_t table_pa;
};

/* Writes the request's descriptor chain (in the ring, or in c->table with one ring entry
 * pointing at it) and puts its head in the next avail slot, not yet visible. Returns the head
 * id, or -ENOSPC when descriptors run out, -EINVAL for a malformed request (data where the type
 * takes none or the reverse, an empty or too long list). */
int vring_add_blk(struct vring *r, const struct vblk_chain *c);
/* Makes every chain added so far visible: a release store of the avail index, so the
 * descriptors are written before the device can see the index. */
void vring_publish(struct vring *r);

/* Takes the next used entry, if any. Returns 1 with *head and *len (bytes the device says it
 * wrote), 0 when the used ring is empty, -EIO when the device returned something impossible
 * (unknown or not-in-flight head, length past what the chain offered, an index running ahead
 * of what was submitted); on -EIO the ring is left as it was for the caller to reset. */
int vring_pop_used(struct vring *r, uint16_t *head, uint32_t *len);

#endif
