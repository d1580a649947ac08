/* `selftest` subcommands: concurrent heap and page allocations, no leaks. */
#include "selftest_internal.h"

/* --- heap ------------------------------------------------------------------------------------- */

#define HEAP_SLOTS	 32
#define HEAP_ROUNDS	 10000
#define HEAP_MAX_SIZE	 2048
#define PAGE_SLOTS	 8
#define PAGE_ROUNDS	 1000
#define PAGE_MAX_ORDER	 4
#define HEAP_THREADS_CPU 2

struct heap_arg {
	unsigned id;
	unsigned allocs, page_allocs;
	unsigned nulls;	     /* allocations that failed */
	unsigned corrupt;    /* blocks whose contents changed while owned */
	unsigned misaligned; /* blocks not aligned as asked */
	unsigned not_zeroed; /* k_calloc blocks with a nonzero byte */
};

/* Every byte of a block gets a value derived from its owner, slot and round, so a block that
 * overlaps another (two CPUs handed the same memory) shows up when it is checked before free. */
static uint8_t fill_byte(unsigned id, unsigned slot, unsigned round, size_t i)
{
	return (uint8_t)(id * 131u + slot * 31u + round * 7u + i);
}

static void fill(uint8_t *p, size_t n, unsigned id, unsigned slot, unsigned round)
{
	for (size_t i = 0; i < n; i++)
		p[i] = fill_byte(id, slot, round, i);
}

static bool check(const uint8_t *p, size_t n, unsigned id, unsigned slot, unsigned round)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != fill_byte(id, slot, round, i))
			return false;
	return true;
}

struct heap_slot {
	uint8_t *p;
	size_t size;
	unsigned round;
};

static void heap_free_slot(struct heap_arg *arg, struct heap_slot *s, unsigned i)
{
	if (!check(s->p, s->size, arg->id, i, s->round))
		arg->corrupt++;
	k_free(s->p);
	s->p = NULL;
}

static void heap_alloc_slot(struct heap_arg *arg, struct heap_slot *s, unsigned i, unsigned round,
			    uint64_t r)
{
	size_t size = 1 + (size_t)(r >> 8) % HEAP_MAX_SIZE, align = 0;
	uint8_t *p;

	switch (r & 7) {
	case 0:
		align = (size_t)64 << ((r >> 40) % 6); /* 64 B .. 2 KiB */
		p = k_aligned_alloc(align, size);
		break;
	case 1:
		p = k_calloc(1, size);
		if (p) {
			for (size_t j = 0; j < size; j++) {
				if (p[j]) {
					arg->not_zeroed++;
					break;
				}
			}
		}
		break;
	default:
		p = k_malloc(size);
		break;
	}
	if (!p) {
		arg->nulls++;
		return;
	}
	if ((uintptr_t)p % (align ? align : HEAP_ALIGN))
		arg->misaligned++;
	arg->allocs++;
	fill(p, size, arg->id, i, round);
	s->p = p;
	s->size = size;
	s->round = round;
}

/* Pages: only the first and last word of each page are stamped, to keep it quick. */
static void page_stamp(uint64_t *p, unsigned order, uint64_t tag)
{
	for (size_t pg = 0; pg < (1u << order); pg++) {
		uint64_t *w = p + pg * (ST_PAGE_SIZE / 8);

		w[0] = tag ^ pg;
		w[ST_PAGE_SIZE / 8 - 1] = ~tag ^ pg;
	}
}

static bool page_stamp_ok(const uint64_t *p, unsigned order, uint64_t tag)
{
	for (size_t pg = 0; pg < (1u << order); pg++) {
		const uint64_t *w = p + pg * (ST_PAGE_SIZE / 8);

		if (w[0] != (tag ^ pg) || w[ST_PAGE_SIZE / 8 - 1] != (~tag ^ pg))
			return false;
	}
	return true;
}

static void heap_worker(void *a, void *b)
{
	struct heap_arg *arg = a;
	struct heap_slot slots[HEAP_SLOTS] = {0};
	uint64_t *pages[PAGE_SLOTS] = {0};
	unsigned orders[PAGE_SLOTS] = {0};
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)arg->id << 32) ^ k_uptime_ticks();

	(void)b;
	for (unsigned round = 0; round < HEAP_ROUNDS; round++) {
		uint64_t r = st_rnd_next(&seed);
		unsigned i = (unsigned)(r % HEAP_SLOTS);

		if (slots[i].p)
			heap_free_slot(arg, &slots[i], i);
		else
			heap_alloc_slot(arg, &slots[i], i, round, r);
	}
	for (unsigned i = 0; i < HEAP_SLOTS; i++)
		if (slots[i].p)
			heap_free_slot(arg, &slots[i], i);

	for (unsigned round = 0; round < PAGE_ROUNDS; round++) {
		uint64_t r = st_rnd_next(&seed);
		unsigned i = (unsigned)(r % PAGE_SLOTS);
		uint64_t tag = ((uint64_t)arg->id << 48) ^ i;

		if (pages[i]) {
			if (!page_stamp_ok(pages[i], orders[i], tag))
				arg->corrupt++;
			page_free(pages[i]);
			pages[i] = NULL;
			continue;
		}
		orders[i] = (unsigned)((r >> 16) % (PAGE_MAX_ORDER + 1));
		pages[i] = page_alloc(orders[i]);
		if (!pages[i]) {
			arg->nulls++;
			continue;
		}
		if ((uintptr_t)pages[i] % ((uintptr_t)ST_PAGE_SIZE << orders[i]))
			arg->misaligned++;
		arg->page_allocs++;
		page_stamp(pages[i], orders[i], tag);
	}
	for (unsigned i = 0; i < PAGE_SLOTS; i++) {
		if (!pages[i])
			continue;
		if (!page_stamp_ok(pages[i], orders[i], ((uint64_t)arg->id << 48) ^ i))
			arg->corrupt++;
		page_free(pages[i]);
	}
}

int selftest_heap(int argc, char **argv)
{
	struct heap_arg args[CONFIG_MAX_CPUS * HEAP_THREADS_CPU] = {0};
	struct st_thread *ts[CONFIG_MAX_CPUS * HEAP_THREADS_CPU] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned n = st_online_count() * HEAP_THREADS_CPU;
	unsigned allocs = 0, page_allocs = 0, nulls = 0, corrupt = 0, misaligned = 0, dirty = 0;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	st_mem_get(&mem);
	for (unsigned i = 0; i < n; i++) {
		args[i].id = i;
		st_spawn_into(&ts[i], &v, "st-heap", i, heap_worker, &args[i], ST_PRIO,
			      1ULL << st_nth_cpu(i % st_online_count()));
	}
	st_join_all(ts, n, &v);
	for (unsigned i = 0; i < n; i++) {
		allocs += args[i].allocs;
		page_allocs += args[i].page_allocs;
		nulls += args[i].nulls;
		corrupt += args[i].corrupt;
		misaligned += args[i].misaligned;
		dirty += args[i].not_zeroed;
	}
	shell_print("heap: %u threads, %u allocations, %u page blocks", n, allocs, page_allocs);
	shell_print("heap: %u failed, %u corrupted, %u misaligned, %u calloc not zeroed", nulls,
		    corrupt, misaligned, dirty);
	if (nulls)
		st_fail(&v, "%u allocations failed", nulls);
	if (corrupt)
		st_fail(&v, "%u blocks corrupted while owned", corrupt);
	if (misaligned)
		st_fail(&v, "%u blocks misaligned", misaligned);
	if (dirty)
		st_fail(&v, "%u k_calloc blocks not zeroed", dirty);
	st_mem_check("heap", &mem, &v);
	if (!v.failed)
		shell_print("heap: ok");
	return st_result("heap", &v);
}
