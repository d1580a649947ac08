/* Buddy allocator: splitting, merging, alignment, exhaustion, bad frees, random workloads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <kernel/buddy.h>

#define PG	 BUDDY_PAGE_SIZE
#define ARENA_SZ ((size_t)16 << 20)

/* A 16 MiB arena aligned to 8 MiB, so tests can place zones exactly where they want relative
 * to large power-of-two boundaries. */
struct fixture {
	uint8_t *arena;
	uint8_t *meta;
	struct buddy_zone z;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->arena = aligned_alloc((size_t)8 << 20, ARENA_SZ);
	f->meta = malloc(ARENA_SZ / PG);
	*state = f;
	return f->arena && f->meta ? 0 : -1;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->arena);
	free(f->meta);
	free(f);
	return 0;
}

static uintptr_t at(struct fixture *f, size_t page)
{
	return (uintptr_t)f->arena + page * PG;
}

/* Builds a zone of npages starting skip pages into the arena, with everything released. */
static struct buddy_zone *zone(struct fixture *f, size_t skip, size_t npages)
{
	assert_true(skip + npages <= ARENA_SZ / PG);
	assert_int_equal(buddy_meta_size(npages), npages);
	buddy_init(&f->z, at(f, skip), npages, f->meta);
	assert_int_equal(buddy_release(&f->z, at(f, skip), npages), 0);
	assert_int_equal(buddy_free_pages(&f->z), npages);
	return &f->z;
}

/* Walks the free lists and checks every structural invariant: list links, natural alignment,
 * blocks inside the zone, no overlap with each other or with the caller's allocated pages
 * (used[] marks them), per-order counts, total free pages, and full coalescing (no block's
 * buddy is also free at the same order). */
static void check_zone(const struct buddy_zone *z, const uint8_t *used)
{
	uint8_t *seen = calloc(z->npages, 1);
	size_t pages = 0;

	for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
		size_t count = 0;
		const struct buddy_node *prev = NULL;
		size_t n = (size_t)1 << k;

		for (const struct buddy_node *b = z->free_list[k]; b; prev = b, b = b->next) {
			uintptr_t a = (uintptr_t)b;
			assert_ptr_equal(b->prev, prev);
			assert_int_equal(a % (PG * n), 0);
			assert_true(buddy_contains(z, a));
			size_t idx = (a - z->base) / PG;
			assert_true(idx + n <= z->npages);
			for (size_t i = idx; i < idx + n; i++) {
				assert_int_equal(seen[i], 0);
				if (used)
					assert_int_equal(used[i], 0);
				seen[i] = 1;
			}
			count++;
			pages += n;
		}
		assert_int_equal(count, buddy_free_blocks(z, k));
	}
	assert_int_equal(pages, buddy_free_pages(z));

	/* Fully merged: a free block whose buddy is a free block of the same order is a bug. */
	for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++)
		for (const struct buddy_node *b = z->free_list[k]; b; b = b->next) {
			uintptr_t buddy = (uintptr_t)b ^ (PG << k);
			for (const struct buddy_node *c = z->free_list[k]; c; c = c->next)
				assert_true((uintptr_t)c != buddy);
		}
	free(seen);
}

static void test_order_for(void **state)
{
	(void)state;
	assert_int_equal(buddy_order_for(0), 0);
	assert_int_equal(buddy_order_for(1), 0);
	assert_int_equal(buddy_order_for(PG), 0);
	assert_int_equal(buddy_order_for(PG + 1), 1);
	assert_int_equal(buddy_order_for(3 * PG), 2);
	assert_int_equal(buddy_order_for((size_t)2 << 20), 9);
	assert_int_equal(buddy_order_for((size_t)1 << 30), BUDDY_MAX_ORDER);
	assert_int_equal(buddy_order_for(((size_t)1 << 30) + 1), BUDDY_MAX_ORDER + 1);
	assert_int_equal(buddy_order_for(SIZE_MAX), BUDDY_MAX_ORDER + 1);
}

static void test_starts_reserved(void **state)
{
	struct fixture *f = *state;

	buddy_init(&f->z, at(f, 0), 64, f->meta);
	assert_int_equal(buddy_total_pages(&f->z), 64);
	assert_int_equal(buddy_free_pages(&f->z), 0);
	assert_int_equal(buddy_alloc(&f->z, 0), 0);
	assert_false(buddy_contains(&f->z, at(f, 64)));
	assert_true(buddy_contains(&f->z, at(f, 63) + PG - 1));
	check_zone(&f->z, NULL);
}

static void test_split_and_merge(void **state)
{
	struct fixture *f = *state;
	struct buddy_zone *z = zone(f, 0, 1024);

	assert_int_equal(buddy_free_blocks(z, 10), 1);
	uintptr_t a = buddy_alloc(z, 0);
	assert_int_equal(a, at(f, 0));
	/* One order-0 page taken from an order-10 block leaves one free block of each order 0..9.
	 */
	for (unsigned k = 0; k < 10; k++)
		assert_int_equal(buddy_free_blocks(z, k), 1);
	assert_int_equal(buddy_free_blocks(z, 10), 0);
	assert_int_equal(buddy_free_pages(z), 1023);
	check_zone(z, NULL);

	uintptr_t b = buddy_alloc(z, 0); /* the order-0 buddy of a */
	assert_int_equal(b, at(f, 1));
	uintptr_t c = buddy_alloc(z, 3);
	assert_int_equal(c, at(f, 8));
	assert_int_equal(buddy_free(z, a), 0);
	assert_int_equal(buddy_free_blocks(z, 10), 0);
	assert_int_equal(buddy_free(z, c), 0);
	assert_int_equal(buddy_free(z, b), 0);
	/* Everything merged back into the single top block. */
	assert_int_equal(buddy_free_blocks(z, 10), 1);
	for (unsigned k = 0; k < 10; k++)
		assert_int_equal(buddy_free_blocks(z, k), 0);
	assert_int_equal(buddy_free_pages(z), 1024);
	check_zone(z, NULL);
}

static void test_natural_alignment(void **state)
{
	struct fixture *f = *state;
	/* Start 3 pages past an 8 MiB boundary: blocks must align to physical addresses, not to
	 * the zone base. */
	struct buddy_zone *z = zone(f, 3, 3000);

	for (unsigned k = 0; k <= 10; k++) {
		uintptr_t a = buddy_alloc(z, k);
		assert_int_not_equal(a, 0);
		assert_int_equal(a % (PG << k), 0);
		assert_true(a >= at(f, 3));
		assert_true(a + (PG << k) <= at(f, 3003));
	}
	/* The 2 MiB case matters for stage-2 block mappings. */
	uintptr_t m = buddy_alloc(z, 9);
	assert_int_not_equal(m, 0);
	assert_int_equal(m % ((size_t)2 << 20), 0);
	check_zone(z, NULL);
}

static void test_exhaustion(void **state)
{
	struct fixture *f = *state;
	struct buddy_zone *z = zone(f, 0, 256);
	uintptr_t pages[256];

	assert_int_equal(buddy_alloc(z, 9), 0); /* larger than the zone */
	assert_int_equal(buddy_alloc(z, BUDDY_MAX_ORDER + 1), 0);
	for (int i = 0; i < 256; i++) {
		pages[i] = buddy_alloc(z, 0);
		assert_int_not_equal(pages[i], 0);
		memset((void *)pages[i], i,
		       PG); /* would corrupt the allocator if pages overlapped */
	}
	assert_int_equal(buddy_free_pages(z), 0);
	assert_int_equal(buddy_alloc(z, 0), 0);
	for (int i = 0; i < 256; i++)
		for (int j = 0; j < 256; j++)
			assert_true(i == j || pages[i] != pages[j]);
	/* Free in a scrambled order; the zone must still end as one order-8 block. */
	for (int i = 0; i < 256; i++)
		assert_int_equal(buddy_free(z, pages[(i * 97) % 256]), 0);
	assert_int_equal(buddy_free_blocks(z, 8), 1);
	assert_int_equal(buddy_free_pages(z), 256);
	check_zone(z, NULL);
	assert_int_equal(buddy_alloc(z, 8), at(f, 0));
}

static void test_release_odd_ranges(void **state)
{
	struct fixture *f = *state;
	struct buddy_zone *z = &f->z;
	static const size_t ranges[][2] = {{3, 4}, {7, 1}, {100, 257}, {511, 2}, {1000, 24}};
	uint8_t released[1024] = {0};
	size_t total = 0;

	buddy_init(z, at(f, 0), 1024, f->meta);
	for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++) {
		assert_int_equal(buddy_release(z, at(f, ranges[r][0]), ranges[r][1]), 0);
		for (size_t i = 0; i < ranges[r][1]; i++)
			released[ranges[r][0] + i] = 1;
		total += ranges[r][1];
		check_zone(z, NULL);
	}
	assert_int_equal(buddy_free_pages(z), total);
	/* {3,4} and {7,1} together cover 3..7: pages 4..7 must have merged to an order-2 block. */
	assert_true(buddy_free_blocks(z, 2) >= 1);

	/* Bad releases change nothing. */
	assert_int_equal(buddy_release(z, at(f, 5), 1), -EINVAL);      /* already free */
	assert_int_equal(buddy_release(z, at(f, 90), 20), -EINVAL);    /* overlaps 100.. */
	assert_int_equal(buddy_release(z, at(f, 1020), 5), -EINVAL);   /* past the end */
	assert_int_equal(buddy_release(z, at(f, 0) - PG, 1), -EINVAL); /* before the start */
	assert_int_equal(buddy_release(z, at(f, 50) + 8, 1), -EINVAL); /* unaligned */
	assert_int_equal(buddy_free_pages(z), total);
	check_zone(z, NULL);

	/* Exactly the released pages come back, each once. */
	uint8_t got[1024] = {0};
	for (size_t i = 0; i < total; i++) {
		uintptr_t a = buddy_alloc(z, 0);
		assert_int_not_equal(a, 0);
		size_t idx = (a - at(f, 0)) / PG;
		assert_true(released[idx]);
		assert_int_equal(got[idx], 0);
		got[idx] = 1;
	}
	assert_int_equal(buddy_alloc(z, 0), 0);
}

static void test_bad_frees(void **state)
{
	struct fixture *f = *state;
	struct buddy_zone *z = &f->z;

	buddy_init(z, at(f, 0), 512, f->meta);
	assert_int_equal(buddy_release(z, at(f, 0), 500), 0);
	uintptr_t a = buddy_alloc(z, 2);
	uintptr_t b = buddy_alloc(z, 0);
	size_t free_now = buddy_free_pages(z);

	assert_int_equal(buddy_free(z, a + PG), -EINVAL);     /* inside a block */
	assert_int_equal(buddy_free(z, a + 16), -EINVAL);     /* unaligned */
	assert_int_equal(buddy_free(z, at(f, 600)), -EINVAL); /* outside */
	assert_int_equal(buddy_free(z, at(f, 505)), -EINVAL); /* reserved page */
	assert_int_equal(buddy_free(z, 0), -EINVAL);
	assert_int_equal(buddy_free_pages(z), free_now);

	assert_int_equal(buddy_free(z, a), 0);
	assert_int_equal(buddy_free(z, a), -EINVAL); /* double free */
	assert_int_equal(buddy_free_pages(z), free_now + 4);
	assert_int_equal(buddy_release(z, a, 1), -EINVAL); /* free pages are not reserved */
	check_zone(z, NULL);

	assert_int_equal(buddy_free(z, b), 0);
	assert_int_equal(buddy_free(z, b), -EINVAL);
	assert_int_equal(buddy_free_pages(z), 500);
	check_zone(z, NULL);
}

/* Random orders allocated and freed over a misaligned, partly reserved zone. Allocated blocks
 * carry a fill pattern that must survive until their free. */
static void test_random(void **state)
{
	struct fixture *f = *state;
	struct buddy_zone *z = &f->z;
	enum { NPAGES = 3001, SLOTS = 200 };
	uintptr_t addr[SLOTS] = {0};
	unsigned ord[SLOTS];
	uint8_t *used = calloc(NPAGES, 1);

	buddy_init(z, at(f, 5), NPAGES, f->meta);
	assert_int_equal(buddy_release(z, at(f, 5), 1200), 0);
	assert_int_equal(buddy_release(z, at(f, 5 + 1300), NPAGES - 1300), 0);
	size_t released = NPAGES - 100;

	srand(4242);
	for (int step = 0; step < 20000; step++) {
		int s = rand() % SLOTS;
		if (addr[s]) {
			for (size_t i = 0; i < (PG << ord[s]); i += 511)
				assert_int_equal(((uint8_t *)addr[s])[i], (uint8_t)s);
			assert_int_equal(buddy_free(z, addr[s]), 0);
			memset(used + (addr[s] - z->base) / PG, 0, (size_t)1 << ord[s]);
			addr[s] = 0;
		} else {
			unsigned k = rand() % 4 ? (unsigned)(rand() % 3) : (unsigned)(rand() % 11);
			uintptr_t a = buddy_alloc(z, k);
			if (!a)
				continue;
			assert_int_equal(a % (PG << k), 0);
			size_t idx = (a - z->base) / PG;
			assert_true(idx + ((size_t)1 << k) <= NPAGES);
			for (size_t i = 0; i < ((size_t)1 << k); i++) {
				assert_int_equal(used[idx + i], 0);
				used[idx + i] = 1;
			}
			memset((void *)a, s, PG << k);
			addr[s] = a;
			ord[s] = k;
		}
		if (step % 500 == 0)
			check_zone(z, used);
	}
	for (int s = 0; s < SLOTS; s++)
		if (addr[s])
			assert_int_equal(buddy_free(z, addr[s]), 0);
	memset(used, 0, NPAGES);
	check_zone(z, used);
	assert_int_equal(buddy_free_pages(z), released);
	free(used);
}

/* Two adjacent 1 GiB blocks stay separate: merging stops at BUDDY_MAX_ORDER. Uses an untouched
 * virtual reservation so only the pages holding list nodes get backed. */
static void test_max_order(void **state)
{
	const size_t gib = (size_t)1 << 30;
	(void)state;

	uint8_t *map = mmap(NULL, 3 * gib, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (map == MAP_FAILED)
		skip();
	uintptr_t base = ((uintptr_t)map + gib - 1) & ~(gib - 1);
	size_t npages = 2 * gib / PG;
	uint8_t *meta = malloc(buddy_meta_size(npages));
	struct buddy_zone z;

	buddy_init(&z, base, npages, meta);
	assert_int_equal(buddy_release(&z, base, npages), 0);
	assert_int_equal(buddy_free_blocks(&z, BUDDY_MAX_ORDER), 2);
	assert_int_equal(buddy_alloc(&z, BUDDY_MAX_ORDER + 1), 0);
	uintptr_t a = buddy_alloc(&z, BUDDY_MAX_ORDER);
	assert_int_equal(a % gib, 0);
	assert_int_equal(buddy_free_pages(&z), npages / 2);
	assert_int_equal(buddy_free(&z, a), 0);
	assert_int_equal(buddy_free_blocks(&z, BUDDY_MAX_ORDER), 2);
	free(meta);
	munmap(map, 3 * gib);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_for),
	    cmocka_unit_test_setup_teardown(test_starts_reserved, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_and_merge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_natural_alignment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_release_odd_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_frees, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random, setup, teardown),
	    cmocka_unit_test(test_max_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
