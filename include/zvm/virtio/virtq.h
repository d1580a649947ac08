/* Split virtqueue (virtio 1.x), device side, over an abstract guest memory.
 *
 * Everything here is guest-controlled input: rings, descriptors and indices are re-read and
 * validated on every use. Two kinds of error:
 *  - a bad request: the chain was taken from the ring, its head is valid, but a buffer lies
 *    outside RAM, the chain is empty or too long for the device: the device completes it with
 *    an error status (if it can locate one) and carries on (chain->bad != VIRTQ_OK);
 *  - a broken queue: the ring itself cannot be trusted (index past the ring, descriptor loop,
 *    bad indirect table, wrong order of readable/writable parts, ring outside RAM): virtq_pop
 *    returns -EIO, q->broken is set and the device must set DEVICE_NEEDS_RESET; nothing more is
 *    taken from this queue until virtq_reset().
 *
 * Threading: the transport owns one struct virtq per queue and writes its configuration
 * (virtq_enable / virtq_reset) only while the device's worker is not using it. The worker
 * (a thread, IRQs enabled: guest memory accesses may be slow) calls pop/push/notify.
 * Nothing here blocks or allocates. */
#ifndef ZVM_VIRTIO_VIRTQ_H
#define ZVM_VIRTIO_VIRTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIRTQ_DESC_F_NEXT	   1
#define VIRTQ_DESC_F_WRITE	   2
#define VIRTQ_DESC_F_INDIRECT	   4
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY	   1
#define VIRTQ_MAX_SIZE		   32768u /* the spec's limit on Queue Size */

enum virtq_barrier {
	VIRTQ_RMB, /* loads before it are ordered before loads after it */
	VIRTQ_WMB, /* stores before it are visible before stores after it */
	VIRTQ_MB,  /* full: stores before it are visible before loads after it */
};

/* Guest memory as the device sees it. Every access is bounds-checked by the implementation.
 * ctx is the VM (vm_read/vm_write in ZVM), a fake RAM array in the tests. */
struct virtq_mem_ops {
	/* Copy len bytes at ipa; 0 or -EFAULT if any byte is outside guest RAM. */
	int (*read)(void *ctx, uint64_t ipa, void *buf, size_t len);
	int (*write)(void *ctx, uint64_t ipa, const void *buf, size_t len);
	/* A little-endian 16-bit ring index at a 2-aligned ipa, as ONE single-copy-atomic access
	 * (the driver updates it concurrently: a torn value would look like a broken ring). */
	int (*read16)(void *ctx, uint64_t ipa, uint16_t *val);
	int (*write16)(void *ctx, uint64_t ipa, uint16_t val);
	/* 0 if [ipa, ipa + len) lies in guest RAM, else -EFAULT. For buffers the device will
	 * access later. Callers promise len > 0 and no wrap of ipa + len (they check it). */
	int (*check)(void *ctx, uint64_t ipa, uint64_t len);
	void (*barrier)(void *ctx, enum virtq_barrier kind);
};

/* Why a taken chain is a bad request (chain->bad). */
enum virtq_bad {
	VIRTQ_OK = 0,
	VIRTQ_BAD_ADDR,	 /* a buffer outside guest RAM, or ipa + len wraps */
	VIRTQ_BAD_EMPTY, /* total length 0 */
	VIRTQ_BAD_LEN,	 /* readable or writable total above 4 GiB - 1 (used.len is 32-bit) */
	VIRTQ_BAD_SEGS,	 /* more segments than the caller's list holds */
};

/* Why a queue is broken (q->broken). */
enum virtq_broken {
	VIRTQ_ALIVE = 0,
	VIRTQ_BROKEN_MEM,	/* a ring or descriptor table read/write faulted */
	VIRTQ_BROKEN_AVAIL_IDX, /* avail->idx moved more than size ahead */
	VIRTQ_BROKEN_INDEX,	/* head or next index past the (indirect) table */
	VIRTQ_BROKEN_LOOP,	/* chain longer than its table: a loop */
	VIRTQ_BROKEN_INDIRECT,	/* indirect not negotiated, nested, with NEXT, or bad size */
	VIRTQ_BROKEN_ORDER,	/* a device-readable buffer after a device-writable one */
};

struct virtq_seg {
	uint64_t ipa;
	uint32_t len;
	bool write; /* device-writable */
};

/* One walked chain. The caller provides segs[max]; the walk fills segs[0..nr), the
 * device-readable ones first (nr_read of them), then the device-writable ones. */
struct virtq_chain {
	struct virtq_seg *segs;
	uint16_t max;
	uint16_t nr;
	uint16_t nr_read;
	uint16_t head;	    /* the id to give back in the used ring */
	uint32_t read_len;  /* total bytes of the readable part */
	uint32_t write_len; /* total bytes of the writable part */
	enum virtq_bad bad;
};

struct virtq_stats {
	uint64_t chains; /* chains taken */
	uint64_t bad;	 /* of which bad requests */
	uint64_t irqs;	 /* used-buffer notifications asked for */
	uint64_t irqs_suppressed;
};

struct virtq {
	const struct virtq_mem_ops *ops;
	void *ctx;
	uint16_t max_size; /* what the device offers (QueueNumMax) */
	/* Configuration, written by the transport before virtq_enable. */
	uint16_t size;
	uint64_t desc, avail, used;
	bool event_idx; /* VIRTIO_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_F_INDIRECT_DESC negotiated */
	/* Device state: free-running 16-bit indices. */
	bool ready;
	enum virtq_broken broken;
	uint16_t last_avail;  /* next avail ring slot to take */
	uint16_t avail_cache; /* avail->idx as last read; re-read only when caught up */
	uint16_t used_idx;    /* next used ring slot; published in used->idx */
	uint16_t signalled;   /* used_idx at the last notification decision */
	struct virtq_stats stats;
};

/* "broken (why)" in words, for `zvm info`. */
const char *virtq_broken_name(enum virtq_broken why);
/* A queue not yet enabled, for a device offering max_size (a power of 2 <= VIRTQ_MAX_SIZE). */
void virtq_init(struct virtq *q, const struct virtq_mem_ops *ops, void *ctx, uint16_t max_size);
/* QueueReady = 1 with the configured size and addresses: size a power of 2 <= max_size,
 * tables aligned (desc 16, avail 2, used 4) and wholly inside RAM. -EINVAL otherwise (the
 * queue stays disabled). */
int virtq_enable(struct virtq *q);
/* Device reset or QueueReady = 0: disabled, indices back to 0, not broken, statistics kept. */
void virtq_reset(struct virtq *q);

/* Takes the next available chain into c (c->segs and c->max set by the caller).
 * 1: a chain was taken (check c->bad); 0: none available (or the queue is disabled);
 * -EIO: the queue is broken (q->broken says why). */
int virtq_pop(struct virtq *q, struct virtq_chain *c);
/* Walks the chain starting at descriptor head (used by virtq_pop). 0 or -EIO (broken). */
int virtq_walk(struct virtq *q, uint16_t head, struct virtq_chain *c);
/* Returns chain head to the driver with len bytes written, and publishes used->idx.
 * 0, or -EIO if the used ring cannot be written (broken). */
int virtq_push(struct virtq *q, uint16_t head, uint32_t len);
/* After pushes: should the device raise the used-buffer interrupt? Honours
 * VIRTQ_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX the driver's used_event. */
bool virtq_should_notify(struct virtq *q);

/* Driver-to-device notifications (kicks) while the worker drains the queue:
 * disable before, enable after; enable returns true if more chains arrived meanwhile
 * (the worker must drain again rather than sleep). */
void virtq_kick_disable(struct virtq *q);
bool virtq_kick_enable(struct virtq *q);

/* Copy to/from a walked chain's readable (resp. writable) part at a byte offset.
 * 0, -EINVAL past the part's end, -EFAULT if guest memory faults. */
int virtq_chain_read(const struct virtq *q, const struct virtq_chain *c, uint32_t off, void *buf,
		     uint32_t len);
int virtq_chain_write(const struct virtq *q, const struct virtq_chain *c, uint32_t off,
		      const void *buf, uint32_t len);

/* The split ring's shape (virtio 1.x 2.7): n a power of 2 up to max_size (slots are
 * idx & (n - 1), idx wraps at 2^16); the descriptor table (16n bytes, 16-aligned), the driver
 * ring (6 + 2n, 2-aligned) and the device ring (6 + 8n, 4-aligned, event index fields
 * included) each without wrapping the address space. Where they are (guest RAM) is the
 * caller's to check. The transport checks it when the driver sets QueueReady, the queue
 * again when enabled. */
static inline bool virtq_shape_ok(uint64_t n, uint64_t max_size, uint64_t desc, uint64_t avail,
				  uint64_t used)
{
	if (!n || n > max_size || n > VIRTQ_MAX_SIZE || (n & (n - 1)))
		return false;
	if ((desc & 15) || (avail & 1) || (used & 3))
		return false;
	return desc <= UINT64_MAX - 16 * n && avail <= UINT64_MAX - (6 + 2 * n) &&
	       used <= UINT64_MAX - (6 + 8 * n);
}

/* vring_need_event: with event index, notify iff new_idx passed event since old_idx. */
static inline bool virtq_need_event(uint16_t event, uint16_t new_idx, uint16_t old_idx)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old_idx);
}

#endif
