/* Kernel page allocator: buddy zones per RAM bank under one lock. */
#include <kernel/page_alloc.h>

#include <errno.h>
#include <stdbool.h>

#include <kernel/printk.h>
#include <kernel/spinlock.h>

static struct k_spinlock lock = K_SPINLOCK_INIT;
static struct buddy_zone zones[PAGE_ALLOC_MAX_ZONES];
static unsigned nzones;

static uintptr_t page_up(uintptr_t a)
{
	return (a + BUDDY_PAGE_SIZE - 1) & ~(uintptr_t)(BUDDY_PAGE_SIZE - 1);
}

static uintptr_t page_down(uintptr_t a)
{
	return a & ~(uintptr_t)(BUDDY_PAGE_SIZE - 1);
}

/* [start, end) of a zone, in bytes. */
static uintptr_t zone_end(const struct buddy_zone *z)
{
	return z->base + (buddy_total_pages(z) << BUDDY_PAGE_SHIFT);
}

size_t page_alloc_meta_size(size_t size)
{
	return buddy_meta_size(size >> BUDDY_PAGE_SHIFT);
}

int page_alloc_add_zone(uintptr_t base, size_t size, void *meta)
{
	uintptr_t start = page_up(base);
	uintptr_t end = base + size < base ? page_down(UINTPTR_MAX) : page_down(base + size);
	int ret = 0;

	if (end <= start || !meta)
		return -EINVAL;

	k_spinlock_key_t key = k_spin_lock(&lock);
	for (unsigned i = 0; i < nzones; i++)
		if (start < zone_end(&zones[i]) && zones[i].base < end)
			ret = -EINVAL;
	if (!ret && nzones == PAGE_ALLOC_MAX_ZONES)
		ret = -ENOSPC;
	if (!ret)
		buddy_init(&zones[nzones++], start, (end - start) >> BUDDY_PAGE_SHIFT, meta);
	k_spin_unlock(&lock, key);
	return ret;
}

int page_alloc_release(uintptr_t base, size_t size)
{
	uintptr_t start = page_up(base);
	uintptr_t end = base + size < base ? page_down(UINTPTR_MAX) : page_down(base + size);
	bool touched = false;
	int ret = 0;

	if (end <= start)
		return -EINVAL;

	k_spinlock_key_t key = k_spin_lock(&lock);
	for (unsigned i = 0; i < nzones; i++) {
		struct buddy_zone *z = &zones[i];
		uintptr_t lo = start > z->base ? start : z->base;
		uintptr_t hi = end < zone_end(z) ? end : zone_end(z);

		if (lo >= hi)
			continue;
		touched = true;
		int r = buddy_release(z, lo, (hi - lo) >> BUDDY_PAGE_SHIFT);
		if (r)
			ret = r;
	}
	k_spin_unlock(&lock, key);
	return touched ? ret : -EINVAL;
}

void *page_alloc(unsigned order)
{
	uintptr_t a = 0;

	k_spinlock_key_t key = k_spin_lock(&lock);
	for (unsigned i = 0; i < nzones && !a; i++)
		a = buddy_alloc(&zones[i], order);
	k_spin_unlock(&lock, key);
	return (void *)a;
}

void *page_alloc_bytes(size_t bytes)
{
	return page_alloc(buddy_order_for(bytes));
}

int page_free(void *p)
{
	int ret = -EINVAL;

	if (!p)
		return 0;

	k_spinlock_key_t key = k_spin_lock(&lock);
	for (unsigned i = 0; i < nzones; i++)
		if (buddy_contains(&zones[i], (uintptr_t)p))
			ret = buddy_free(&zones[i], (uintptr_t)p);
	k_spin_unlock(&lock, key);

	/* Logged outside the lock: the console is slow. */
	if (ret)
		pr_err("page_free: %p is not an allocated block\n", p);
	return ret;
}

void page_alloc_stats(struct mem_stats *s)
{
	size_t total = 0, free = 0;

	k_spinlock_key_t key = k_spin_lock(&lock);
	for (unsigned i = 0; i < nzones; i++) {
		total += buddy_total_pages(&zones[i]);
		free += buddy_free_pages(&zones[i]);
	}
	k_spin_unlock(&lock, key);

	s->total = total << BUDDY_PAGE_SHIFT;
	s->free = free << BUDDY_PAGE_SHIFT;
	s->used = s->total - s->free;
}
