/* `zvm compress`: a dynamic VM's cold pages into the host's compression pool (dyn.h).
 *
 * Per page, under d->lock (a vCPU faulting on the page meanwhile blocks there, then finds it
 * COMPRESSED or ZERO and page_in decompresses it): unmap first (break-before-make and TLBI in
 * stage2.c), so no vCPU can write the page while it is read; then store; then free the host
 * page. A page the pool refuses (compresses too little, pool full) is mapped back and stays
 * RESIDENT. The lock is dropped between pages: a pass never holds it, or masks IRQs, for more
 * than one page's work (the stage-2 spinlock is held only inside each stage2_* call). */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/page_alloc.h>
#include <kernel/time.h>
#include <zvm/mem/dyn.h>
#include "zpool.h"
#include <zvm/stage2.h>
#include <zvm/vm.h>

/* One page of block b (index pi, at ipa): 1 taken, 0 left (warm), or kept resident. */
static void compress_page(struct vm *vm, struct zpool *pool, struct lzo_page_work *work,
			  struct mem_dblock *b, unsigned pi, uint64_t ipa, bool all,
			  struct mem_compress_result *r)
{
	struct mem_dyn *d = &vm->mem.dyn;
	struct zpool_stats before, after;
	zpool_handle_t h = ZPOOL_HANDLE_NONE;
	void *page = (void *)b->pa[pi];
	int err;

	if (!mem_compress_pick(stage2_test_af(&vm->s2, ipa), all)) {
		/* Warm: cleared, so the next pass sees whether it was touched since. */
		stage2_clear_af(&vm->s2, ipa, S2_PAGE_SIZE, NULL);
		r->warm++;
		return;
	}
	if (stage2_unmap(&vm->s2, ipa, S2_PAGE_SIZE)) {
		r->kept++;
		return;
	}
	zpool_get_stats(pool, &before);
	err = zpool_store(pool, work, page, &h);
	zpool_get_stats(pool, &after);
	if (err) {
		/* Back as it was; if even that fails the page stays RESIDENT unmapped and the
		 * next fault maps it (page_in's remap). */
		stage2_map(&vm->s2, ipa, b->pa[pi], S2_PAGE_SIZE, S2_RAM);
		r->kept++;
		return;
	}
	page_free(page);
	b->resident--;
	d->resident -= S2_PAGE_SIZE;
	b->pa[pi] = h;
	if (zpool_handle_is_zero(h)) {
		b->state[pi] = MEM_PAGE_ZERO;
		d->zero++;
		r->zero++;
		r->saved += S2_PAGE_SIZE;
	} else {
		size_t used = after.used > before.used ? after.used - before.used : 0;

		b->state[pi] = MEM_PAGE_COMPRESSED;
		d->compressed++;
		d->pool_bytes += used;
		r->compressed++;
		r->saved += S2_PAGE_SIZE - used;
	}
}

int mem_dyn_compress_work(struct vm *vm, struct lzo_page_work *work, size_t max_pages, bool all,
			  struct mem_compress_result *r)
{
	struct mem_dyn *d = &vm->mem.dyn;
	struct zpool *pool = zpool_host();
	uint64_t start = k_uptime_ticks();

	*r = (struct mem_compress_result){0};
	if (!vm->mem.dynamic || !d->blocks)
		return -EINVAL;
	if (!pool)
		return -ENODEV;
	for (unsigned bi = 0; bi < d->nr_blocks && vm->state != VM_DELETING; bi++) {
		for (unsigned pi = 0; pi < MEM_DBLOCK_PAGES; pi++) {
			uint64_t ipa = vm->mem.ipa_base + (uint64_t)bi * MEM_DBLOCK_SIZE +
				       (uint64_t)pi * S2_PAGE_SIZE;
			struct mem_dblock *b;

			if ((size_t)r->compressed + r->zero >= max_pages)
				goto out;
			k_mutex_lock(&d->lock, K_FOREVER);
			b = d->blocks[bi]; /* re-read: a release may run between pages */
			/* Pinned pages (virtqueue rings) stay: the transport reads them
			 * without this lock. */
			if (b && b->state[pi] == MEM_PAGE_RESIDENT && !b->pins[pi])
				compress_page(vm, pool, work, b, pi, ipa, all, r);
			k_mutex_unlock(&d->lock);
			if (!b)
				break; /* nothing in this 2 MiB */
		}
	}
out:
	r->ticks = k_uptime_ticks() - start;
	return 0;
}

int mem_dyn_compress(struct vm *vm, size_t max_pages, bool all, struct mem_compress_result *r)
{
	struct lzo_page_work *work = k_malloc(sizeof(*work));
	int err;

	*r = (struct mem_compress_result){0};
	if (!work)
		return -ENOMEM;
	err = mem_dyn_compress_work(vm, work, max_pages, all, r);
	k_free(work);
	return err;
}
