/* Variable-size allocation from one contiguous region.
 *
 * heap_core.c is the pure logic (no locks): first fit over an address-ordered free list,
 * merging a freed block with free neighbours on both sides. Every block starts with a 16-byte
 * header holding its size and a magic derived from its address, which is how heap_free()
 * recognises pointers it never handed out or has already taken back.
 * heap.c wraps one such heap for the kernel behind a spinlock (k_malloc and friends). */
#ifndef KERNEL_HEAP_H
#define KERNEL_HEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <kernel/mem_stats.h>

#define HEAP_ALIGN 16 /* minimum alignment of every allocation */

struct heap_free_block;

struct heap {
	uintptr_t start;		   /* first byte, HEAP_ALIGN aligned */
	uintptr_t end;			   /* one past the last byte, HEAP_ALIGN aligned */
	size_t used;			   /* bytes in allocated blocks, headers included */
	struct heap_free_block *free_list; /* sorted by address */
};

/* Manages [mem, mem + size), trimmed inward to HEAP_ALIGN. Returns -EINVAL if too small to
 * hold even one allocation (the heap is then empty: every allocation fails). */
int heap_init(struct heap *h, void *mem, size_t size);

/* size bytes aligned to align (a power of two; 0 means HEAP_ALIGN), or NULL. A zero size still
 * returns a distinct pointer. */
void *heap_alloc(struct heap *h, size_t size, size_t align);

/* Frees p from heap_alloc(); NULL is ignored. Returns -EINVAL, changing nothing, if p is not a
 * live allocation of this heap as far as the header check can tell (double free included). */
int heap_free(struct heap *h, void *p);

/* The bytes p may use (at least what was asked), or 0 if p is not a live allocation of h. */
size_t heap_usable_size(const struct heap *h, const void *p);

/* total is the managed region, used counts allocated blocks including their headers. */
void heap_stats(const struct heap *h, struct mem_stats *s);

/* Kernel heap: heap_sys_init() once at boot, then the usual calls from any CPU. */
void heap_sys_init(void *mem, size_t size);
void *k_malloc(size_t size);
void *k_calloc(size_t n, size_t size);		  /* zeroed; NULL if n * size overflows */
void *k_aligned_alloc(size_t align, size_t size); /* align must be a power of two */
void k_free(void *p);				  /* logs an error on a bad pointer */
/* A test aid (`kernel mem poison`): on, k_free fills each block with K_HEAP_POISON first, so
 * a use after free reads nonsense instead of the values it expects. Off at boot. */
#define K_HEAP_POISON 0xa5
void k_heap_poison(bool on);
void k_heap_stats(struct mem_stats *s);

#endif
