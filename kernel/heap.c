/* The kernel heap: one struct heap behind one spinlock. */
#include <kernel/heap.h>

#include <stdint.h>
#include <string.h>

#include <kernel/printk.h>
#include <kernel/spinlock.h>

static struct heap sys_heap;
static struct k_spinlock heap_lock = K_SPINLOCK_INIT;

void heap_sys_init(void *mem, size_t size)
{
	k_spinlock_key_t key = k_spin_lock(&heap_lock);
	int ret = heap_init(&sys_heap, mem, size);
	k_spin_unlock(&heap_lock, key);

	if (ret)
		pr_err("heap: region %p+%zu is too small\n", mem, size);
}

void *k_aligned_alloc(size_t align, size_t size)
{
	k_spinlock_key_t key = k_spin_lock(&heap_lock);
	void *p = heap_alloc(&sys_heap, size, align);
	k_spin_unlock(&heap_lock, key);
	return p;
}

void *k_malloc(size_t size)
{
	return k_aligned_alloc(HEAP_ALIGN, size);
}

void *k_calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = k_malloc(n * size);
	if (p)
		memset(p, 0, n * size); /* outside the lock: clearing can take a while */
	return p;
}

static bool poison;

void k_heap_poison(bool on)
{
	__atomic_store_n(&poison, on, __ATOMIC_RELAXED);
}

void k_free(void *p)
{
	k_spinlock_key_t key = k_spin_lock(&heap_lock);

	/* Under the lock, as the test aid it is (IRQs masked for the fill): a second free of p
	 * racing this one then finds no live block instead of filling a freed one. */
	if (p && __atomic_load_n(&poison, __ATOMIC_RELAXED))
		memset(p, K_HEAP_POISON, heap_usable_size(&sys_heap, p));
	int ret = heap_free(&sys_heap, p);
	k_spin_unlock(&heap_lock, key);

	if (ret)
		pr_err("k_free: %p is not a live heap allocation\n", p);
}

void k_heap_stats(struct mem_stats *s)
{
	k_spinlock_key_t key = k_spin_lock(&heap_lock);
	heap_stats(&sys_heap, s);
	k_spin_unlock(&heap_lock, key);
}
