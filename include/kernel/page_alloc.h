/* Kernel page allocator: one buddy zone per RAM bank behind a single spinlock.
 *
 * Boot sequence, for each RAM bank [base, base + size):
 *   1. pick where the zone's metadata goes: page_alloc_meta_size(size) bytes, any alignment,
 *      which must stay valid forever (boot code usually carves it out of the bank itself,
 *      right after the hypervisor image);
 *   2. page_alloc_add_zone(base, size, meta): the whole bank starts reserved;
 *   3. page_alloc_release() every part of it that is really free, i.e. not the image, the
 *      metadata, the device tree or anything else still in use.
 * Pages handed out are identity mapped hypervisor memory; 2^order pages come back aligned to
 * their size in physical address space. */
#ifndef KERNEL_PAGE_ALLOC_H
#define KERNEL_PAGE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

#include <kernel/buddy.h>
#include <kernel/mem_stats.h>

#define PAGE_ALLOC_MAX_ZONES 4

/* Bytes of metadata needed for a bank of size bytes. */
size_t page_alloc_meta_size(size_t size);

/* Registers a bank. base and size are trimmed inward to whole pages. Returns 0, or -EINVAL
 * for an empty or overlapping bank, -ENOSPC if PAGE_ALLOC_MAX_ZONES are already in use. */
int page_alloc_add_zone(uintptr_t base, size_t size, void *meta);

/* Makes [base, base + size) available, trimmed inward to whole pages; the range may span
 * several zones and parts outside every zone are ignored. Returns 0, or -EINVAL if it touches
 * no zone, or if in some zone part of it was already released (that zone's part is then left
 * alone; see buddy_release()). */
int page_alloc_release(uintptr_t base, size_t size);

/* 2^order contiguous pages, or NULL. Contents are not cleared. */
void *page_alloc(unsigned order);

/* The smallest power-of-two run of pages that holds bytes, or NULL. */
void *page_alloc_bytes(size_t bytes);

/* Returns pages from page_alloc*(); NULL is ignored. Returns -EINVAL (and logs) for anything
 * else, including a second free of the same block. */
int page_free(void *p);

void page_alloc_stats(struct mem_stats *s);

#endif
