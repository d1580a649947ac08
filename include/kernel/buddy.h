/* Binary buddy allocator over one contiguous range of 4 KiB pages. Pure logic: no locking (the
 * caller serialises) and no knowledge of the MMU beyond "addresses are directly accessible".
 *
 * Blocks of order k span 2^k pages and are aligned to 2^k pages relative to physical address 0,
 * not to the zone base, so an order-9 block is always 2 MiB aligned and can back a stage-2
 * block mapping. Free blocks are kept on per-order doubly linked lists whose nodes live inside
 * the free pages themselves, so the zone's memory must be mapped and writable. The only side
 * table is one byte of metadata per page, supplied by the caller (see buddy_meta_size()). */
#ifndef KERNEL_BUDDY_H
#define KERNEL_BUDDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BUDDY_PAGE_SHIFT 12
#define BUDDY_PAGE_SIZE	 ((size_t)1 << BUDDY_PAGE_SHIFT)
#define BUDDY_MAX_ORDER	 18 /* 2^18 pages = 1 GiB */

struct buddy_node {
	struct buddy_node *next;
	struct buddy_node *prev;
};

struct buddy_zone {
	uintptr_t base;	   /* address of page 0, page aligned */
	size_t npages;	   /* pages covered by meta */
	size_t free_pages; /* pages on the free lists */
	uint8_t *meta;	   /* one state byte per page */
	struct buddy_node *free_list[BUDDY_MAX_ORDER + 1];
	size_t free_blocks[BUDDY_MAX_ORDER + 1];
};

/* Bytes of metadata that a zone of npages pages needs. */
size_t buddy_meta_size(size_t npages);

/* Sets up a zone over [base, base + npages pages). Every page starts reserved; hand the usable
 * ones over with buddy_release(). base must be page aligned and the zone must not contain
 * address 0 (0 is the failure value of buddy_alloc). */
void buddy_init(struct buddy_zone *z, uintptr_t base, size_t npages, uint8_t *meta);

/* Marks npages reserved pages from addr on as free, merging them with free neighbours.
 * Returns -EINVAL (changing nothing) if addr is not page aligned, the range leaves the zone or
 * any page in it is not currently reserved. */
int buddy_release(struct buddy_zone *z, uintptr_t addr, size_t npages);

/* Allocates 2^order pages, naturally aligned. Returns the address, or 0 if none is free. */
uintptr_t buddy_alloc(struct buddy_zone *z, unsigned order);

/* Frees a block returned by buddy_alloc(); its order comes from the metadata. Returns 0, or
 * -EINVAL without touching anything if addr is not the start of an allocated block (double
 * free, interior pointer, foreign address). */
int buddy_free(struct buddy_zone *z, uintptr_t addr);

/* Smallest order whose block holds bytes, or BUDDY_MAX_ORDER + 1 if no block is big enough. */
unsigned buddy_order_for(size_t bytes);

/* Whether addr falls inside the zone's page range. */
bool buddy_contains(const struct buddy_zone *z, uintptr_t addr);

size_t buddy_free_pages(const struct buddy_zone *z);
size_t buddy_total_pages(const struct buddy_zone *z);

/* Number of free blocks of exactly this order. */
size_t buddy_free_blocks(const struct buddy_zone *z, unsigned order);

#endif
