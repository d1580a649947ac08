/* Heap core: alignment, coalescing, stats, rejected frees, random workloads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/heap.h>

#define ARENA_SZ (256 * 1024)
#define HDR	 16 /* per-block header, documented in heap.h */

struct fixture {
	uint8_t *arena;
	struct heap h;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->arena = aligned_alloc(4096, ARENA_SZ);
	assert_int_equal(heap_init(&f->h, f->arena, ARENA_SZ), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->arena);
	free(f);
	return 0;
}

static void check_stats(const struct heap *h, size_t total, size_t used)
{
	struct mem_stats s;

	heap_stats(h, &s);
	assert_int_equal(s.total, total);
	assert_int_equal(s.used, used);
	assert_int_equal(s.free, total - used);
}

/* The heap is fully merged exactly when one allocation can take all of it. */
static void assert_whole_heap_free(struct heap *h)
{
	struct mem_stats s;

	heap_stats(h, &s);
	assert_int_equal(s.used, 0);
	void *p = heap_alloc(h, s.total - HDR, 0);
	assert_ptr_equal(p, (void *)(h->start + HDR));
	check_stats(h, s.total, s.total);
	assert_int_equal(heap_free(h, p), 0);
	check_stats(h, s.total, 0);
}

static void test_init(void **state)
{
	struct heap h;
	uint8_t *buf = aligned_alloc(64, 1024);

	(void)state;
	/* Unaligned edges are trimmed inward to 16 bytes. */
	assert_int_equal(heap_init(&h, buf + 3, 1000), 0);
	assert_int_equal(h.start, (uintptr_t)buf + 16);
	assert_int_equal(h.end, (uintptr_t)buf + 992);
	check_stats(&h, 976, 0);
	assert_whole_heap_free(&h);

	/* Too small for even one block: every allocation fails. */
	assert_int_equal(heap_init(&h, buf, 16), -EINVAL);
	assert_null(heap_alloc(&h, 0, 0));
	check_stats(&h, 0, 0);
	assert_int_equal(heap_init(&h, NULL, 4096), -EINVAL);
	assert_null(heap_alloc(&h, 1, 0));
	free(buf);
}

static void test_basic(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	void *p[8];

	for (int i = 0; i < 8; i++) {
		p[i] = heap_alloc(h, 100, 0);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % HEAP_ALIGN, 0);
		assert_true((uintptr_t)p[i] >= h->start + HDR);
		assert_true((uintptr_t)p[i] + 100 <= h->end);
		memset(p[i], i, 100);
	}
	/* 100 bytes round to 112, plus the header. */
	check_stats(h, ARENA_SZ, 8 * 128);
	for (int i = 0; i < 8; i++)
		for (int j = 0; j < 100; j++)
			assert_int_equal(((uint8_t *)p[i])[j], i);
	/* First fit in address order: allocations are laid out one after another. */
	for (int i = 1; i < 8; i++)
		assert_int_equal((uintptr_t)p[i] - (uintptr_t)p[i - 1], 128);
	for (int i = 0; i < 8; i++)
		assert_int_equal(heap_free(h, p[i]), 0);
	assert_whole_heap_free(h);
}

static void test_first_fit_reuses_hole(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;

	void *a = heap_alloc(h, 64, 0);
	void *b = heap_alloc(h, 64, 0);
	void *c = heap_alloc(h, 64, 0);
	assert_int_equal(heap_free(h, b), 0);
	/* The hole left by b is the first fit for anything that size or smaller. */
	assert_ptr_equal(heap_alloc(h, 48, 0), b);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_free(h, b), 0);
	assert_int_equal(heap_free(h, c), 0);
	assert_whole_heap_free(h);
}

static void test_alignment(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	void *p[64];
	int n = 0;

	for (size_t align = 1; align <= 8192; align <<= 1)
		for (size_t size = 1; size <= 1000; size *= 7) {
			void *q = heap_alloc(h, size, align);
			assert_non_null(q);
			size_t want = align < HEAP_ALIGN ? HEAP_ALIGN : align;
			assert_int_equal((uintptr_t)q % want, 0);
			memset(q, 0xab, size);
			p[n++] = q;
		}
	assert_int_equal(n, 14 * 4);
	assert_null(heap_alloc(h, 16, 48));		 /* not a power of two */
	assert_null(heap_alloc(h, 16, (size_t)1 << 40)); /* bigger than the heap */
	/* Free in an interleaved order so gaps before aligned blocks merge from both sides. */
	for (int i = 0; i < n; i += 2)
		assert_int_equal(heap_free(h, p[i]), 0);
	for (int i = 1; i < n; i += 2)
		assert_int_equal(heap_free(h, p[i]), 0);
	assert_whole_heap_free(h);
}

static void test_coalescing_orders(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	enum { N = 64 };
	void *p[N];

	for (int pass = 0; pass < 3; pass++) {
		for (int i = 0; i < N; i++) {
			p[i] = heap_alloc(h, 24 + (size_t)i * 40, 0);
			assert_non_null(p[i]);
		}
		for (int i = 0; i < N; i++) {
			/* forward, reverse, then a scattered permutation */
			int k = pass == 0 ? i : pass == 1 ? N - 1 - i : (i * 37) % N;
			assert_int_equal(heap_free(h, p[k]), 0);
		}
		assert_whole_heap_free(h);
	}
}

static void test_exhaustion_and_limits(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;

	assert_null(heap_alloc(h, ARENA_SZ, 0)); /* no room left for the header */
	assert_null(heap_alloc(h, SIZE_MAX, 0));
	assert_null(heap_alloc(h, SIZE_MAX - 8, 16));
	void *whole = heap_alloc(h, ARENA_SZ - HDR, 0);
	assert_non_null(whole);
	assert_null(heap_alloc(h, 0, 0));
	check_stats(h, ARENA_SZ, ARENA_SZ);
	assert_int_equal(heap_free(h, whole), 0);

	/* Zero-byte requests still get distinct pointers. */
	void *a = heap_alloc(h, 0, 0), *b = heap_alloc(h, 0, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_free(h, b), 0);

	/* Fill with small blocks until it fails, then empty it again. */
	void **all = calloc(ARENA_SZ / 32 + 1, sizeof(void *));
	size_t n = 0;
	while ((all[n] = heap_alloc(h, 1, 0)) != NULL)
		n++;
	assert_int_equal(n, ARENA_SZ / 32);
	check_stats(h, ARENA_SZ, ARENA_SZ);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(heap_free(h, all[i]), 0);
	free(all);
	assert_whole_heap_free(h);
}

static void test_bad_frees(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	int on_stack[8];

	assert_int_equal(heap_free(h, NULL), 0);
	void *a = heap_alloc(h, 200, 0);
	void *b = heap_alloc(h, 200, 0);
	void *c = heap_alloc(h, 200, 0);
	struct mem_stats before;
	heap_stats(h, &before);

	assert_int_equal(heap_free(h, on_stack), -EINVAL);		     /* foreign */
	assert_int_equal(heap_free(h, (uint8_t *)b + 16), -EINVAL);	     /* interior */
	assert_int_equal(heap_free(h, (uint8_t *)b + 1), -EINVAL);	     /* unaligned */
	assert_int_equal(heap_free(h, (void *)h->start), -EINVAL);	     /* before first */
	assert_int_equal(heap_free(h, (void *)(h->end + HDR)), -EINVAL);     /* past the end */
	assert_int_equal(heap_free(h, (uint8_t *)f->arena + 4096), -EINVAL); /* free space */

	/* A copied header at the wrong address does not pass: the magic includes the address. */
	memcpy((uint8_t *)b + 32, (uint8_t *)b - HDR, HDR);
	assert_int_equal(heap_free(h, (uint8_t *)b + 48), -EINVAL);
	check_stats(h, before.total, before.used);

	assert_int_equal(heap_free(h, b), 0);
	assert_int_equal(heap_free(h, b), -EINVAL); /* double free of a standalone free block */
	assert_int_equal(heap_free(h, a), 0);	    /* a merges with b */
	assert_int_equal(heap_free(h, b), -EINVAL); /* b's header was absorbed into a's block */
	assert_int_equal(heap_free(h, a), -EINVAL);
	assert_int_equal(heap_free(h, c), 0);
	assert_int_equal(heap_free(h, c), -EINVAL); /* c merged into its left neighbour */
	assert_whole_heap_free(h);

	/* A stale pointer whose block was merged away and the memory handed out again. */
	void *x = heap_alloc(h, 200, 0), *y = heap_alloc(h, 200, 0);
	assert_int_equal(heap_free(h, x), 0);
	assert_int_equal(heap_free(h, y), 0);
	void *big = heap_alloc(h, 1000, 0); /* covers y's old header, left unwritten */
	assert_ptr_equal(big, x);
	assert_int_equal(heap_free(h, y), -EINVAL);
	assert_int_equal(heap_free(h, big), 0);
	assert_whole_heap_free(h);
}

/* heap_usable_size: at least what was asked, the whole block but its header (what k_free's
 * poisoning may fill), 0 for anything heap_free would refuse. */
static void test_usable_size(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	void *a = heap_alloc(h, 200, 0), *b = heap_alloc(h, 1, 0), *c = heap_alloc(h, 100, 256);
	struct mem_stats s;

	heap_stats(h, &s);
	assert_int_equal(heap_usable_size(h, a), 208); /* 200 rounded up to HEAP_ALIGN */
	assert_true(heap_usable_size(h, b) >= 1);
	assert_true(heap_usable_size(h, c) >= 100);
	assert_int_equal(heap_usable_size(h, a) + heap_usable_size(h, b) + heap_usable_size(h, c) +
			     3 * HDR,
			 s.used);
	assert_int_equal(heap_usable_size(h, NULL), 0);
	assert_int_equal(heap_usable_size(h, (uint8_t *)a + 16), 0); /* interior */
	assert_int_equal(heap_usable_size(h, (uint8_t *)a + 1), 0);  /* unaligned */
	assert_int_equal(heap_free(h, a), 0);
	assert_int_equal(heap_usable_size(h, a), 0); /* freed */
	assert_int_equal(heap_free(h, b), 0);
	assert_int_equal(heap_free(h, c), 0);
	assert_whole_heap_free(h);
}

/* Random sizes and alignments; every live block carries a pattern checked at its free, so
 * overlapping blocks or metadata written into user memory would show up. */
static void test_random(void **state)
{
	struct fixture *f = *state;
	struct heap *h = &f->h;
	enum { SLOTS = 128 };
	uint8_t *ptr[SLOTS] = {0};
	size_t len[SLOTS];
	size_t live = 0;

	srand(777);
	for (int step = 0; step < 50000; step++) {
		int s = rand() % SLOTS;
		if (ptr[s]) {
			for (size_t i = 0; i < len[s]; i++)
				assert_int_equal(ptr[s][i], (uint8_t)(s * 31 + i));
			assert_int_equal(heap_free(h, ptr[s]), 0);
			assert_int_equal(heap_free(h, ptr[s]), -EINVAL);
			live -= len[s];
			ptr[s] = NULL;
			continue;
		}
		size_t size = rand() % 8 ? (size_t)(rand() % 200) : (size_t)(rand() % 8000);
		size_t align = rand() % 4 ? 0 : (size_t)1 << (rand() % 11);
		uint8_t *q = heap_alloc(h, size, align);
		if (!q)
			continue;
		if (align)
			assert_int_equal((uintptr_t)q % align, 0);
		assert_int_equal((uintptr_t)q % HEAP_ALIGN, 0);
		assert_true((uintptr_t)q >= h->start + HDR && (uintptr_t)q + size <= h->end);
		for (size_t i = 0; i < size; i++)
			q[i] = (uint8_t)(s * 31 + i);
		ptr[s] = q;
		len[s] = size;
		live += size;

		struct mem_stats st;
		heap_stats(h, &st);
		assert_true(st.used >= live);
		assert_int_equal(st.used + st.free, ARENA_SZ);
	}
	for (int s = 0; s < SLOTS; s++)
		if (ptr[s])
			assert_int_equal(heap_free(h, ptr[s]), 0);
	assert_whole_heap_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_init),
	    cmocka_unit_test_setup_teardown(test_basic, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_first_fit_reuses_hole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_alignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_coalescing_orders, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion_and_limits, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_usable_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
