/* The compression pool: one fixed area, taken from the host at boot, that holds guest pages
 * compressed by lzo_page.h until they are needed again.
 *
 * Callers keep a zpool_handle_t per page, never a pointer into the pool: the handle names an
 * entry of the pool's handle table, which alone knows where the bytes are, so the pool may
 * move objects (a later compaction) without telling anyone.
 *
 *	h = 0;
 *	err = zpool_store(pool, work, page, &h);   // the page's contents are in the pool
 *	...                                        // (or err: the page stays resident)
 *	err = zpool_load(pool, h, fresh_page);     // back, bit-exact; -EIO: corrupt
 *	zpool_free(pool, h);                       // after the page is mapped again
 *
 * A zero page takes no pool space: zpool_store returns ZPOOL_HANDLE_ZERO for it, which load
 * turns back into zeros and free ignores (zpool_handle_is_zero() for the caller's counts).
 *
 * Allocation (zpool.c): the area is cut into 64-byte units; a compressed page takes
 * ceil(len / 64) consecutive units. Free runs of units sit on segregated lists, one per exact
 * length up to 64 units and one per power of two above, with a bitmap of non-empty lists:
 * alloc takes the shortest run that fits (one find-first-set, no search) and splits it; free
 * merges the run with free neighbours at once (a bitmap of allocated units plus the run's
 * length at both ends of every free run find them), so there are never two adjacent free runs
 * and an empty pool is one free run again. Both are O(1). Why not size-class slabs (zsmalloc):
 * pages of a class that empty out stay that class's until compacted, and a pool mostly freed
 * by a VM's deletion must come back whole for the next VM at once; here it does.
 *
 * Space: one handle per 4 data units (256 bytes, LZO's output for a typical page is 1-2 KiB)
 * costs 4.7% of the area, the unit bitmap 0.2%; running out of either is "full" (-ENOSPC).
 *
 * Integrity: LZO has no checksum, and most corruptions of a compressed page still decode to
 * a page of the right length (test_lzo_page.c). Each handle keeps a 32-bit checksum of its
 * bytes, taken at store and checked at load before decompressing: a stray write into the pool
 * is -EIO, never a silently wrong guest page.
 *
 * Locking: each call takes the pool's spinlock for a few dozen instructions (list and bitmap
 * updates). Compression, decompression and the copies run outside it, so the caller must hold
 * no spinlock and have IRQs enabled (lzo_page.h). One handle belongs to one caller: loading or
 * freeing a handle while another thread frees it is the caller's bug (the stage-2 code keeps
 * one owner per guest page). */
#ifndef ZVM_MEM_ZPOOL_H
#define ZVM_MEM_ZPOOL_H

#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lzo_page.h"

#define ZPOOL_UNIT	       64
#define ZPOOL_UNITS_PER_HANDLE 4
/* Segregated free lists: lengths 1..64 units exactly, then one per power of two (65..127,
 * 128..255, ...) up to 2^32 units. */
#define ZPOOL_EXACT_CLASSES 64
#define ZPOOL_CLASSES	    (ZPOOL_EXACT_CLASSES + 26)

typedef uint32_t zpool_handle_t;
#define ZPOOL_HANDLE_NONE 0u	      /* never returned by a successful store */
#define ZPOOL_HANDLE_ZERO 0xffffffffu /* a zero page: no data in the pool */

static inline bool zpool_handle_is_zero(zpool_handle_t h)
{
	return h == ZPOOL_HANDLE_ZERO;
}

struct zpool_stats {
	size_t size;	     /* bytes of data units */
	size_t used;	     /* bytes of allocated units */
	size_t meta;	     /* bytes of the area kept for the handle table and the bitmap */
	uint32_t handles;    /* handle table entries */
	uint64_t objects;    /* compressed pages stored now */
	uint64_t orig_bytes; /* their size uncompressed (LZO_PAGE_SIZE each) */
	uint64_t comp_bytes; /* their exact compressed size (used also counts the rounding) */
	uint64_t stored;     /* zpool_store calls that compressed a page into the pool */
	uint64_t zero;	     /* zpool_store calls that found a zero page */
	uint64_t loaded;     /* zpool_load calls that decompressed a page */
	uint64_t rejected;   /* pages that compress too little: stayed resident (-E2BIG) */
	uint64_t full;	     /* stores refused for want of units or handles (-ENOSPC) */
	uint64_t corrupt;    /* loads whose data did not decode to one page (-EIO) */
};

struct zpool_entry {
	uint32_t unit; /* first unit of the object; for a free entry, the next free entry + 1 */
	uint16_t len;  /* compressed bytes; 0 = free entry */
	uint16_t reserved;
	uint32_t sum; /* zpool_sum() of the bytes as stored */
};

struct zpool {
	struct k_spinlock lock;
	uint8_t *data; /* nr_units * ZPOOL_UNIT bytes, ZPOOL_UNIT aligned */
	uint32_t nr_units;
	uint64_t *allocated; /* bit u set = unit u belongs to an object */
	struct zpool_entry *entries;
	uint32_t nr_entries;
	uint32_t free_entry;		    /* first freed entry + 1; 0 = none */
	uint32_t fresh_entry;		    /* entries [fresh_entry, nr_entries) never used yet */
	uint32_t class_head[ZPOOL_CLASSES]; /* first free run's unit + 1; 0 = empty list */
	uint64_t class_mask[2];		    /* bit c set = class_head[c] != 0 */
	uint32_t used_units;
	struct zpool_stats st; /* the counters; size, used, meta and handles are filled in */
};

/* Builds a pool in [mem, mem + size): handle table, bitmap and data units all inside it.
 * Returns 0, or -EINVAL when it cannot hold even one unit and one handle (the pool is then
 * empty and every store fails with -ENOSPC). */
int zpool_init(struct zpool *p, void *mem, size_t size);

/* Compresses page (LZO_PAGE_SIZE bytes, 8-byte aligned) with the caller's work memory and
 * keeps it. 0 with *h set (ZPOOL_HANDLE_ZERO for a zero page); -E2BIG when the page does not
 * compress below LZO_PAGE_KEEP_MAX (it stays resident); -ENOSPC when the pool is full; -EIO if
 * liblzo2 fails. *h is untouched on error. */
int zpool_store(struct zpool *p, struct lzo_page_work *work, const void *page, zpool_handle_t *h);

/* The same for bytes compressed already (1 <= len <= LZO_PAGE_KEEP_MAX): 0, -EINVAL, -ENOSPC. */
int zpool_store_compressed(struct zpool *p, const void *src, size_t len, zpool_handle_t *h);

/* Decompresses the page of h into page (LZO_PAGE_SIZE bytes); h stays stored. 0; -EINVAL for
 * a handle that is not stored; -EIO when its data is corrupt (page undefined: never map it). */
int zpool_load(struct zpool *p, zpool_handle_t h, void *page);

/* Gives h's units and entry back. 0, or -EINVAL (nothing changed) for a handle that is not
 * stored, a second free included. ZPOOL_HANDLE_ZERO is accepted and does nothing. */
int zpool_free(struct zpool *p, zpool_handle_t h);

/* Debug (the checksum path's test, `zvm compress --corrupt`): flips bits of one byte of h's
 * stored data, as a stray write into the pool would; its next load is -EIO. 0, or -EINVAL for
 * a handle that is not stored. */
int zpool_debug_corrupt(struct zpool *p, zpool_handle_t h);

/* The checksum kept in the handle table (64-bit multiply-xor over words, a final mix, the low
 * 32 bits): a few instructions per 8 bytes; a corrupted object passes with odds of 2^-32. */
uint32_t zpool_sum(const void *data, size_t len);

/* A consistent copy of the counters. */
void zpool_get_stats(struct zpool *p, struct zpool_stats *s);

/* Walks every structure (bitmap, free lists, handle table) and checks they agree: 0, or a
 * negative line-specific code naming the first broken invariant. For tests and `zpool check`;
 * O(size), under the lock. */
int zpool_check(struct zpool *p);

/* The host's pool, made at boot (zpool_sys.c); NULL when the board or build gives it no
 * space. */
struct zpool *zpool_host(void);

#endif
