/* Hands RAM to the page allocator: every bank from the DTB, minus the hypervisor image, the
 * boot DTB, the reserved regions (firmware, guest images placed by the boot loader) and the
 * allocator's own metadata, which sits at the top of each bank. The heap is then carved from it. */
#include <kernel/buddy.h>
#include <kernel/config.h>
#include <kernel/heap.h>
#include <kernel/init.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>

#define MAX_HOLES (BOARD_MAX_RESERVED + 3)

extern char _image_start[], _image_end[];

struct hole {
	uint64_t lo, hi;
};

static unsigned collect_holes(const struct board *b, uintptr_t dtb, size_t dtb_size, struct hole *h)
{
	unsigned n = 0;

	h[n++] = (struct hole){(uintptr_t)_image_start, (uintptr_t)_image_end};
	h[n++] = (struct hole){dtb, dtb + dtb_size};
	for (unsigned i = 0; i < b->nr_reserved; i++)
		h[n++] =
		    (struct hole){b->reserved[i].base, b->reserved[i].base + b->reserved[i].size};
	return n;
}

static void sort_holes(struct hole *h, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && h[j].lo < h[j - 1].lo; j--) {
			struct hole t = h[j];
			h[j] = h[j - 1];
			h[j - 1] = t;
		}
}

static uint64_t page_up(uint64_t a)
{
	return (a + BUDDY_PAGE_SIZE - 1) & ~(uint64_t)(BUDDY_PAGE_SIZE - 1);
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(BUDDY_PAGE_SIZE - 1);
}

static void release_bank(uint64_t lo, uint64_t hi, struct hole *holes, unsigned n)
{
	uint64_t cur = lo;

	for (unsigned i = 0; i <= n; i++) {
		uint64_t end = i < n ? holes[i].lo : hi;

		if (end > hi)
			end = hi;
		if (page_down(end) > page_up(cur))
			page_alloc_release(page_up(cur), page_down(end) - page_up(cur));
		if (i < n && holes[i].hi > cur)
			cur = holes[i].hi;
		if (cur >= hi)
			break;
	}
}

void mem_init(const struct board *b, uintptr_t dtb, size_t dtb_size)
{
	struct hole holes[MAX_HOLES];

	for (unsigned i = 0; i < b->nr_mem; i++) {
		uint64_t lo = b->mem[i].base, hi = lo + b->mem[i].size;
		uint64_t meta = page_down(hi - page_alloc_meta_size(hi - lo));
		unsigned n = collect_holes(b, dtb, dtb_size, holes);

		for (unsigned j = 0; j < n; j++)
			if (holes[j].hi > meta && holes[j].lo < hi)
				panic("RAM bank %u: region at 0x%llx overlaps the page metadata", i,
				      (unsigned long long)holes[j].lo);
		holes[n++] = (struct hole){meta, hi};
		sort_holes(holes, n);
		if (page_alloc_add_zone(lo, hi - lo, (void *)(uintptr_t)meta))
			panic("RAM bank %u at 0x%llx cannot be managed", i, (unsigned long long)lo);
		release_bank(lo, hi, holes, n);
	}

	void *heap = page_alloc_bytes(CONFIG_HEAP_SIZE);

	if (!heap)
		panic("no memory for the %u MiB kernel heap", CONFIG_HEAP_SIZE >> 20);
	heap_sys_init(heap, CONFIG_HEAP_SIZE);
}
