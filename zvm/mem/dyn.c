/* Dynamic guest RAM: pages on first use (see include/zvm/mem/dyn.h). Thread context only: the
 * lock sleeps, zeroing a page takes microseconds. Stage-2 changes go through stage2.c (its own
 * spinlock, break-before-make). */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <kernel/time.h>
#include <string.h>
#include <zvm/mem/dyn.h>
#include "zpool.h"
#include <zvm/stage2.h>
#include <zvm/vm.h>

int mem_dyn_init(struct vm *vm, size_t size)
{
	struct mem_dyn *d = &vm->mem.dyn;

	if (!size || size % MEM_DBLOCK_SIZE)
		return -EINVAL;
	k_mutex_init(&d->lock);
	d->nr_blocks = size / MEM_DBLOCK_SIZE;
	d->blocks = k_calloc(d->nr_blocks, sizeof(*d->blocks));
	if (!d->blocks)
		return -ENOMEM;
	vm->mem.size = size;
	return 0;
}

/* Clean and invalidate to the point of coherency, data and instructions: the guest may read
 * with its caches off, and the page may have held another guest's code. */
static void sync_caches(uintptr_t va, size_t len)
{
	uint64_t ctr = read_sysreg(ctr_el0);
	uintptr_t dline = 4u << ((ctr >> 16) & 0xf), iline = 4u << (ctr & 0xf);

	for (uintptr_t p = va & ~(dline - 1); p < va + len; p += dline)
		__asm__ volatile("dc civac, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish" ::: "memory");
	for (uintptr_t p = va & ~(iline - 1); p < va + len; p += iline)
		__asm__ volatile("ic ivau, %0" ::"r"(p) : "memory");
	__asm__ volatile("dsb ish\n isb" ::: "memory");
}

/* The page's contents before it is mapped: zeros for NEVER and ZERO, the pool's copy for
 * COMPRESSED (checksum checked: -EIO, never a wrong page). */
static int fill_page(struct mem_dyn *d, struct mem_dblock *b, unsigned pi, void *page)
{
	uint64_t t;
	int err;

	if (b->state[pi] != MEM_PAGE_COMPRESSED) {
		memset(page, 0, S2_PAGE_SIZE);
		return 0;
	}
	/* Two counter reads around the load (a few instructions against its thousands). */
	t = k_uptime_ticks();
	err = zpool_load(zpool_host(), (zpool_handle_t)b->pa[pi], page);
	t = k_uptime_ticks() - t;
	if (!err && (!d->loads || t < d->load_ticks_min))
		d->load_ticks_min = t;
	d->loads += !err;
	d->load_ticks_sum += err ? 0 : t;
	return err;
}

/* The page of ipa made resident and mapped; d->lock held. *pa: its host page. A RESIDENT page
 * is mapped again when remap (a compress pass that could not map it back leaves it so). */
static int page_in(struct vm *vm, uint64_t ipa, uintptr_t *pa, bool remap)
{
	struct mem_dyn *d = &vm->mem.dyn;
	uint64_t off = ipa - vm->mem.ipa_base, pipa = ipa & ~(uint64_t)(S2_PAGE_SIZE - 1);
	unsigned bi = off / MEM_DBLOCK_SIZE, pi = (off % MEM_DBLOCK_SIZE) / S2_PAGE_SIZE;
	struct mem_dblock *b = d->blocks[bi];
	void *page;
	int err;

	if (!b) {
		b = k_calloc(1, sizeof(*b));
		if (!b)
			return -ENOMEM;
		d->blocks[bi] = b;
	}
	if (b->state[pi] == MEM_PAGE_RESIDENT) {
		*pa = b->pa[pi];
		return remap ? stage2_map(&vm->s2, pipa, *pa, S2_PAGE_SIZE, S2_RAM) : 0;
	}
	page = page_alloc(0);
	if (!page)
		return -ENOMEM;
	err = fill_page(d, b, pi, page);
	if (!err) {
		sync_caches((uintptr_t)page, S2_PAGE_SIZE);
		err = stage2_map(&vm->s2, pipa, (uintptr_t)page, S2_PAGE_SIZE, S2_RAM);
	}
	if (err) {
		page_free(page); /* the page keeps its state (and its pool handle) */
		return err;
	}
	if (b->state[pi] == MEM_PAGE_COMPRESSED) {
		struct zpool_stats before, after;

		zpool_get_stats(zpool_host(), &before);
		zpool_free(zpool_host(), (zpool_handle_t)b->pa[pi]);
		zpool_get_stats(zpool_host(), &after);
		d->pool_bytes -= before.used - after.used;
		d->compressed--;
	} else if (b->state[pi] == MEM_PAGE_ZERO) {
		d->zero--;
	}
	b->pa[pi] = (uintptr_t)page;
	b->state[pi] = MEM_PAGE_RESIDENT;
	b->resident++;
	d->resident += S2_PAGE_SIZE;
	*pa = (uintptr_t)page;
	return 0;
}

int mem_dyn_fault(struct vm *vm, uint64_t ipa)
{
	struct mem_dyn *d = &vm->mem.dyn;
	uint64_t t = k_uptime_ticks(), loads;
	uintptr_t pa;
	int err;

	if (ipa < vm->mem.ipa_base || ipa - vm->mem.ipa_base >= vm->mem.size)
		return -EFAULT;
	k_mutex_lock(&d->lock, K_FOREVER);
	loads = d->loads;
	err = page_in(vm, ipa, &pa, true);
	if (d->loads != loads) {
		/* The vCPU thread's whole part of a compressed page's fault-in (make bench). */
		t = k_uptime_ticks() - t;
		if (!d->fault_ticks_min || t < d->fault_ticks_min)
			d->fault_ticks_min = t;
	}
	k_mutex_unlock(&d->lock);
	if (err == -EIO) {
		/* The pool's copy of this page is corrupt: the guest must not run on with a
		 * wrong page. Stopped, not aborted; the page stays compressed (a retry after a
		 * reset faults the same way, a delete frees it). */
		pr_err("zvm: vm%u (%s) stopped: its compressed page at 0x%llx failed the pool "
		       "checksum\n",
		       vm->id, vm->name, (unsigned long long)ipa);
		vm_crash(vm, "compressed page corrupt");
		return 0;
	}
	return err;
}

int mem_dyn_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest)
{
	struct mem_dyn *d = &vm->mem.dyn;
	char *p = buf;
	int err = 0;

	if (ipa + len < ipa || ipa < vm->mem.ipa_base ||
	    ipa + len - vm->mem.ipa_base > vm->mem.size)
		return -EFAULT;
	k_mutex_lock(&d->lock, K_FOREVER);
	while (len && !err) {
		size_t n = S2_PAGE_SIZE - (ipa & (S2_PAGE_SIZE - 1));
		uint64_t off = ipa - vm->mem.ipa_base;
		const struct mem_dblock *b = d->blocks[off / MEM_DBLOCK_SIZE];
		unsigned pi = (off % MEM_DBLOCK_SIZE) / S2_PAGE_SIZE;
		uintptr_t pa;

		if (n > len)
			n = len;
		if (to_guest) {
			err = page_in(vm, ipa, &pa, false);
			if (!err) {
				memcpy((char *)pa + (ipa & (S2_PAGE_SIZE - 1)), p, n);
				sync_caches(pa + (ipa & (S2_PAGE_SIZE - 1)), n);
			}
		} else if (b && b->state[pi] == MEM_PAGE_COMPRESSED) {
			/* Paged in (one decompression, and the reader likely wants it again):
			 * a device or loader reading a cold page makes it warm. */
			err = page_in(vm, ipa, &pa, false);
			if (!err)
				memcpy(p, (const char *)pa + (ipa & (S2_PAGE_SIZE - 1)), n);
		} else if (b && b->state[pi] == MEM_PAGE_RESIDENT) {
			memcpy(p, (const char *)b->pa[pi] + (ipa & (S2_PAGE_SIZE - 1)), n);
		} else {
			memset(p, 0, n); /* never touched, or known zero */
		}
		ipa += n;
		p += n;
		len -= n;
	}
	k_mutex_unlock(&d->lock);
	return err;
}

bool mem_dyn_each_resident(struct vm *vm, uint64_t *cursor, void (*fn)(uintptr_t pa, void *arg),
			   void *arg)
{
	struct mem_dyn *d = &vm->mem.dyn;
	uint64_t pages = vm->mem.size / S2_PAGE_SIZE, i = *cursor;

	k_mutex_lock(&d->lock, K_FOREVER);
	for (unsigned looked = 0; i < pages && looked < MEM_DYN_EACH_MAX; looked++) {
		const struct mem_dblock *b = d->blocks[i / MEM_DBLOCK_PAGES];

		if (!b) {
			i = (i / MEM_DBLOCK_PAGES + 1) * MEM_DBLOCK_PAGES; /* never touched */
			continue;
		}
		if (b->state[i % MEM_DBLOCK_PAGES] == MEM_PAGE_RESIDENT)
			fn(b->pa[i % MEM_DBLOCK_PAGES], arg);
		i++;
	}
	k_mutex_unlock(&d->lock);
	*cursor = i;
	return i >= pages;
}

static bool in_ram(const struct vm *vm, uint64_t ipa, uint64_t len)
{
	return len && ipa >= vm->mem.ipa_base && ipa - vm->mem.ipa_base <= vm->mem.size &&
	       len <= vm->mem.size - (ipa - vm->mem.ipa_base);
}

/* d->lock held: one pin off each page of [first, last] (page offsets in RAM). */
static void unpin_pages(struct mem_dyn *d, uint64_t first, uint64_t last)
{
	for (uint64_t pg = first; pg <= last; pg++) {
		struct mem_dblock *b = d->blocks[pg / MEM_DBLOCK_PAGES];
		unsigned pi = pg % MEM_DBLOCK_PAGES;

		if (b && b->pins[pi])
			b->pins[pi]--;
	}
}

int mem_dyn_pin(struct vm *vm, uint64_t ipa, uint64_t len)
{
	struct mem_dyn *d = &vm->mem.dyn;
	uint64_t first, last, pg;
	uintptr_t pa;
	int err = 0;

	if (!in_ram(vm, ipa, len))
		return -EFAULT;
	first = (ipa - vm->mem.ipa_base) / S2_PAGE_SIZE;
	last = (ipa + len - 1 - vm->mem.ipa_base) / S2_PAGE_SIZE;
	k_mutex_lock(&d->lock, K_FOREVER);
	for (pg = first; pg <= last && !err; pg++) {
		err = page_in(vm, vm->mem.ipa_base + pg * S2_PAGE_SIZE, &pa, false);
		if (!err) {
			struct mem_dblock *b = d->blocks[pg / MEM_DBLOCK_PAGES];
			unsigned pi = pg % MEM_DBLOCK_PAGES;

			if (b->pins[pi] == MEM_PIN_MAX)
				err = -EBUSY;
			else
				b->pins[pi]++;
		}
	}
	if (err && pg - 1 > first)
		unpin_pages(d, first, pg - 2); /* the pages pinned before the failing one */
	k_mutex_unlock(&d->lock);
	if (err == -EIO) {
		pr_err("zvm: vm%u (%s) stopped: a compressed page of its virtqueue failed the pool "
		       "checksum\n",
		       vm->id, vm->name);
		vm_crash(vm, "compressed page corrupt");
	}
	return err;
}

void mem_dyn_unpin(struct vm *vm, uint64_t ipa, uint64_t len)
{
	struct mem_dyn *d = &vm->mem.dyn;

	if (!d->blocks || !in_ram(vm, ipa, len))
		return;
	k_mutex_lock(&d->lock, K_FOREVER);
	unpin_pages(d, (ipa - vm->mem.ipa_base) / S2_PAGE_SIZE,
		    (ipa + len - 1 - vm->mem.ipa_base) / S2_PAGE_SIZE);
	k_mutex_unlock(&d->lock);
}

/* The host address of ipa if its page is pinned, else 0. Lock-free: a pinned page's pa and
 * state do not change (see struct mem_dblock). */
static uintptr_t pinned_pa(struct vm *vm, uint64_t ipa)
{
	const struct mem_dyn *d = &vm->mem.dyn;
	uint64_t pg = (ipa - vm->mem.ipa_base) / S2_PAGE_SIZE;
	const struct mem_dblock *b = d->blocks[pg / MEM_DBLOCK_PAGES];
	unsigned pi = pg % MEM_DBLOCK_PAGES;

	if (!b || !__atomic_load_n(&b->pins[pi], __ATOMIC_ACQUIRE))
		return 0;
	return b->pa[pi] + (ipa & (S2_PAGE_SIZE - 1));
}

int mem_dyn_pinned_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest)
{
	char *p = buf;

	if (!vm->mem.dyn.blocks || !in_ram(vm, ipa, len))
		return -EAGAIN;
	for (uint64_t a = ipa & ~(uint64_t)(S2_PAGE_SIZE - 1); a < ipa + len; a += S2_PAGE_SIZE)
		if (!pinned_pa(vm, a))
			return -EAGAIN;
	while (len) {
		size_t n = S2_PAGE_SIZE - (ipa & (S2_PAGE_SIZE - 1));
		char *host = (char *)pinned_pa(vm, ipa);

		if (n > len)
			n = len;
		if (to_guest)
			memcpy(host, p, n);
		else
			memcpy(p, host, n);
		ipa += n;
		p += n;
		len -= n;
	}
	return 0;
}

volatile uint16_t *mem_dyn_pinned16(struct vm *vm, uint64_t ipa)
{
	if ((ipa & 1) || !vm->mem.dyn.blocks || !in_ram(vm, ipa, 2))
		return NULL;
	return (volatile uint16_t *)pinned_pa(vm, ipa);
}

int mem_dyn_corrupt(struct vm *vm, uint64_t ipa)
{
	struct mem_dyn *d = &vm->mem.dyn;
	uint64_t off = ipa - vm->mem.ipa_base;
	const struct mem_dblock *b;
	unsigned pi = (off % MEM_DBLOCK_SIZE) / S2_PAGE_SIZE;
	int err = -ENOENT;

	if (!vm->mem.dynamic || !d->blocks || ipa < vm->mem.ipa_base || off >= vm->mem.size)
		return -EFAULT;
	if (!zpool_host())
		return -ENODEV;
	k_mutex_lock(&d->lock, K_FOREVER);
	b = d->blocks[off / MEM_DBLOCK_SIZE];
	if (b && b->state[pi] == MEM_PAGE_COMPRESSED)
		err = zpool_debug_corrupt(zpool_host(), (zpool_handle_t)b->pa[pi]);
	k_mutex_unlock(&d->lock);
	return err;
}

void mem_dyn_release(struct vm *vm)
{
	struct mem_dyn *d = &vm->mem.dyn;

	if (!d->blocks)
		return;
	k_mutex_lock(&d->lock, K_FOREVER);
	/* Unmapped first (with its TLBIs), then freed: no vCPU may reach a freed page. Tables
	 * are allocated already, so the unmap cannot fail for want of memory (no split: only
	 * pages are mapped). */
	stage2_unmap(&vm->s2, vm->mem.ipa_base, vm->mem.size);
	for (unsigned i = 0; i < d->nr_blocks; i++) {
		struct mem_dblock *b = d->blocks[i];

		for (unsigned j = 0; b && j < MEM_DBLOCK_PAGES; j++)
			if (b->state[j] == MEM_PAGE_RESIDENT)
				page_free((void *)b->pa[j]);
			else if (b->state[j] == MEM_PAGE_COMPRESSED)
				zpool_free(zpool_host(), (zpool_handle_t)b->pa[j]);
		k_free(b);
		d->blocks[i] = NULL;
	}
	d->resident = d->compressed = d->zero = d->pool_bytes = 0;
	k_mutex_unlock(&d->lock);
}

void mem_dyn_free(struct vm *vm)
{
	mem_dyn_release(vm);
	k_free(vm->mem.dyn.blocks);
	vm->mem.dyn.blocks = NULL;
}
