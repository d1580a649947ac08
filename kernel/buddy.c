/* Binary buddy page allocator; see buddy.h for the model. */
#include <kernel/buddy.h>

#include <errno.h>

/* Metadata byte per page. Only the first page of a block carries its order, so a block's state
 * is found in O(1) from its address, and interior pages can never pass for a block start. */
#define META_RESERVED 0x00 /* not managed: never released, or outside usable RAM */
#define META_TAIL     0x20 /* a page inside a free or allocated block, but not its first */
#define META_USED     0x40 /* first page of an allocated block, | order */
#define META_FREE     0x80 /* first page of a free block, | order */
#define META_ORDER    0x1f

static inline struct buddy_node *node_at(const struct buddy_zone *z, size_t idx)
{
	return (struct buddy_node *)(z->base + (idx << BUDDY_PAGE_SHIFT));
}

static inline size_t idx_of(const struct buddy_zone *z, uintptr_t addr)
{
	return (addr - z->base) >> BUDDY_PAGE_SHIFT;
}

static void list_push(struct buddy_zone *z, size_t idx, unsigned order)
{
	struct buddy_node *n = node_at(z, idx);

	n->prev = NULL;
	n->next = z->free_list[order];
	if (n->next)
		n->next->prev = n;
	z->free_list[order] = n;
	z->free_blocks[order]++;
	z->meta[idx] = META_FREE | order;
}

static void list_remove(struct buddy_zone *z, size_t idx, unsigned order)
{
	struct buddy_node *n = node_at(z, idx);

	if (n->prev)
		n->prev->next = n->next;
	else
		z->free_list[order] = n->next;
	if (n->next)
		n->next->prev = n->prev;
	z->free_blocks[order]--;
}

/* Puts a block on the free lists, first merging it with its buddy for as long as the buddy is
 * a whole free block of the same order. Buddies are computed on absolute page frame numbers,
 * which is what keeps every block aligned to its size in physical memory. */
static void free_block(struct buddy_zone *z, size_t idx, unsigned order)
{
	uintptr_t base_pfn = z->base >> BUDDY_PAGE_SHIFT;
	uintptr_t pfn = base_pfn + idx;

	while (order < BUDDY_MAX_ORDER) {
		uintptr_t buddy = pfn ^ ((uintptr_t)1 << order);

		if (buddy < base_pfn || buddy - base_pfn >= z->npages)
			break;
		if (z->meta[buddy - base_pfn] != (META_FREE | order))
			break;
		list_remove(z, buddy - base_pfn, order);
		z->meta[buddy - base_pfn] = META_TAIL;
		z->meta[pfn - base_pfn] = META_TAIL;
		pfn &= ~((uintptr_t)1 << order);
		order++;
	}
	list_push(z, pfn - base_pfn, order);
}

size_t buddy_meta_size(size_t npages)
{
	return npages;
}

void buddy_init(struct buddy_zone *z, uintptr_t base, size_t npages, uint8_t *meta)
{
	z->base = base;
	z->npages = npages;
	z->free_pages = 0;
	z->meta = meta;
	for (size_t i = 0; i < npages; i++)
		meta[i] = META_RESERVED;
	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		z->free_list[k] = NULL;
		z->free_blocks[k] = 0;
	}
}

int buddy_release(struct buddy_zone *z, uintptr_t addr, size_t npages)
{
	if (addr & (BUDDY_PAGE_SIZE - 1) || addr < z->base)
		return -EINVAL;
	size_t idx = idx_of(z, addr);
	if (idx > z->npages || npages > z->npages - idx)
		return -EINVAL;
	for (size_t i = idx; i < idx + npages; i++)
		if (z->meta[i] != META_RESERVED)
			return -EINVAL; /* released twice, or in use */

	/* Page 0 would be indistinguishable from allocation failure, so it stays reserved. */
	if (addr == 0 && npages > 0) {
		idx++;
		npages--;
	}

	/* Cut the range into the largest naturally aligned blocks that fit. */
	uintptr_t pfn = (z->base >> BUDDY_PAGE_SHIFT) + idx;
	uintptr_t end = pfn + npages;
	while (pfn < end) {
		unsigned k = 0;

		while (k < BUDDY_MAX_ORDER && !(pfn & ((uintptr_t)1 << k)) &&
		       pfn + ((uintptr_t)2 << k) <= end)
			k++;
		size_t n = (size_t)1 << k;
		for (size_t i = 1; i < n; i++)
			z->meta[idx + i] = META_TAIL;
		free_block(z, idx, k);
		z->free_pages += n;
		idx += n;
		pfn += n;
	}
	return 0;
}

uintptr_t buddy_alloc(struct buddy_zone *z, unsigned order)
{
	unsigned k = order;

	if (order > BUDDY_MAX_ORDER)
		return 0;
	while (k <= BUDDY_MAX_ORDER && !z->free_list[k])
		k++;
	if (k > BUDDY_MAX_ORDER)
		return 0;

	size_t idx = idx_of(z, (uintptr_t)z->free_list[k]);
	list_remove(z, idx, k);
	/* Split down to the wanted order, returning each upper half to the free lists. */
	while (k > order) {
		k--;
		list_push(z, idx + ((size_t)1 << k), k);
	}
	z->meta[idx] = META_USED | order;
	z->free_pages -= (size_t)1 << order;
	return z->base + (idx << BUDDY_PAGE_SHIFT);
}

int buddy_free(struct buddy_zone *z, uintptr_t addr)
{
	if (!buddy_contains(z, addr) || addr & (BUDDY_PAGE_SIZE - 1))
		return -EINVAL;
	size_t idx = idx_of(z, addr);
	uint8_t m = z->meta[idx];
	if ((m & ~META_ORDER) != META_USED)
		return -EINVAL;

	unsigned order = m & META_ORDER;
	free_block(z, idx, order);
	z->free_pages += (size_t)1 << order;
	return 0;
}

unsigned buddy_order_for(size_t bytes)
{
	unsigned order = 0;

	while (order <= BUDDY_MAX_ORDER && (BUDDY_PAGE_SIZE << order) < bytes)
		order++;
	return order;
}

bool buddy_contains(const struct buddy_zone *z, uintptr_t addr)
{
	return addr >= z->base && idx_of(z, addr) < z->npages;
}

size_t buddy_free_pages(const struct buddy_zone *z)
{
	return z->free_pages;
}

size_t buddy_total_pages(const struct buddy_zone *z)
{
	return z->npages;
}

size_t buddy_free_blocks(const struct buddy_zone *z, unsigned order)
{
	return order <= BUDDY_MAX_ORDER ? z->free_blocks[order] : 0;
}
