/* Guarded thread stacks: physical pages from the page allocator, mapped into the stack window
 * (include/kernel/stack_layout.h) with an unmapped guard below each. */
#include <arch/mmu.h>
#include <kernel/board.h>
#include <kernel/init.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/stack.h>

_Static_assert(K_STACK_SIZE == CONFIG_THREAD_STACK_SIZE, "guarded stacks are the thread size");
_Static_assert(K_STACK_SLOTS % 64 == 0, "slot bitmap in whole words");

#define WINDOW_BASE (1ULL << K_STACK_WINDOW_BIT)
#define SLOT_SIZE   (2ULL << K_STACK_SHIFT)

static struct k_spinlock lock;
static uint64_t used[K_STACK_SLOTS / 64];
static uintptr_t backing[K_STACK_SLOTS]; /* physical pages of each slot in use */
static unsigned in_use, peak;

/* The window must lie above all RAM, which the identity map covers (devices are mapped
 * one by one, never near bit 47). Checked once, at the first allocation (boot). */
static void window_check(void)
{
	static bool checked;

	if (checked)
		return;
	const struct board *b = host_board();

	for (unsigned i = 0; i < b->nr_mem; i++)
		if (b->mem[i].base + b->mem[i].size > WINDOW_BASE)
			panic("RAM at 0x%llx-0x%llx reaches the thread stack window at 0x%llx",
			      (unsigned long long)b->mem[i].base,
			      (unsigned long long)(b->mem[i].base + b->mem[i].size),
			      (unsigned long long)WINDOW_BASE);
	checked = true;
}

static uint64_t slot_stack(unsigned i)
{
	return WINDOW_BASE + i * SLOT_SIZE + K_STACK_SIZE; /* the upper half */
}

static int slot_take(void)
{
	k_spinlock_key_t key = k_spin_lock(&lock);
	int slot = -1;

	for (unsigned w = 0; w < K_STACK_SLOTS / 64 && slot < 0; w++)
		if (~used[w]) {
			unsigned b = (unsigned)__builtin_ctzll(~used[w]);

			used[w] |= 1ULL << b;
			slot = (int)(w * 64 + b);
			if (++in_use > peak)
				peak = in_use;
		}
	k_spin_unlock(&lock, key);
	return slot;
}

static void slot_give(unsigned i)
{
	k_spinlock_key_t key = k_spin_lock(&lock);

	used[i / 64] &= ~(1ULL << (i % 64));
	in_use--;
	k_spin_unlock(&lock, key);
}

void *k_stack_alloc(void)
{
	void *mem;
	int slot;

	window_check();
	mem = page_alloc_bytes(K_STACK_SIZE);
	if (!mem)
		return NULL;
	slot = slot_take();
	if (slot < 0) {
		pr_warn("stack: all %u guarded stack slots are in use\n", K_STACK_SLOTS);
		page_free(mem);
		return NULL;
	}
	uint64_t va = slot_stack((unsigned)slot);

	if (mmu_map_pages(va, (uintptr_t)mem, K_STACK_SIZE, MMU_RAM_RW)) {
		pr_warn("stack: cannot map slot %d (page-table pool exhausted)\n", slot);
		page_free(mem);
		slot_give((unsigned)slot);
		return NULL;
	}
	backing[slot] = (uintptr_t)mem;
	return (void *)(uintptr_t)va;
}

void k_stack_free(void *stack)
{
	uint64_t va = (uintptr_t)stack;

	if (!stack)
		return;
	uint64_t i = (va - WINDOW_BASE) / SLOT_SIZE;

	if (va < WINDOW_BASE || i >= K_STACK_SLOTS || va != slot_stack((unsigned)i) ||
	    !(used[i / 64] & (1ULL << (i % 64)))) {
		pr_err("stack: k_stack_free(%p): not a guarded stack in use\n", stack);
		return;
	}
	mmu_unmap_pages(va, K_STACK_SIZE);
	page_free((void *)backing[i]);
	backing[i] = 0;
	slot_give((unsigned)i);
}

void k_stack_stats(unsigned *now, unsigned *most)
{
	k_spinlock_key_t key = k_spin_lock(&lock);

	*now = in_use;
	*most = peak;
	k_spin_unlock(&lock, key);
}
