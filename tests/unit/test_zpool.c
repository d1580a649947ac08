/* The compression pool (zvm/mem/zpool.c): layout, round trips, bad handles, a long random
 * store/load/free run against shadow copies, full pool and recovery, merging of free runs,
 * and corruption of stored bytes caught by the checksum. zpool_check() after every step. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../zvm/mem/zpool.h"
#include "../../zvm/mem/zpool_pages.h"

/* Single-threaded: a nested take would deadlock on the target. */
k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	if (l->locked)
		abort();
	l->locked = 1;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	if (!l->locked)
		abort();
	l->locked = 0;
}

static struct lzo_page_work *work;
static uint8_t *page, *back;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(lzo_page_init(), 0);
	work = malloc(sizeof(*work));
	page = aligned_alloc(4096, LZO_PAGE_SIZE);
	back = aligned_alloc(4096, LZO_PAGE_SIZE);
	return !(work && page && back);
}

static int teardown(void **state)
{
	(void)state;
	free(work);
	free(page);
	free(back);
	return 0;
}

static struct zpool *new_pool(size_t size, uint8_t **mem)
{
	struct zpool *p = malloc(sizeof(*p));

	*mem = malloc(size);
	memset(*mem, 0xcc, size);
	assert_int_equal(zpool_init(p, *mem, size), 0);
	assert_int_equal(zpool_check(p), 0);
	return p;
}

static void fill(uint8_t *pg, unsigned kind, uint64_t seed)
{
	switch (kind % 5) {
	case 0:
		memset(pg, 0, LZO_PAGE_SIZE);
		break;
	case 1:
		zpool_page_text(pg, seed);
		break;
	case 2:
		zpool_page_random(pg, seed);
		break;
	case 3:
		zpool_page_ptable(pg, seed);
		break;
	default: /* mostly zero: a small object */
		memset(pg, 0, LZO_PAGE_SIZE);
		memcpy(pg + seed % 4000, &seed, sizeof(seed));
		break;
	}
}

static void test_layout(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(1 << 20, &mem);
	struct zpool_stats s;

	(void)state;
	zpool_get_stats(p, &s);
	assert_true(s.size % ZPOOL_UNIT == 0 && s.size + s.meta <= 1 << 20);
	assert_true(s.size > (1 << 20) * 94 / 100); /* metadata about 5% */
	assert_int_equal(s.handles, s.size / ZPOOL_UNIT / ZPOOL_UNITS_PER_HANDLE);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.objects, 0);
	assert_true((uintptr_t)p->data % ZPOOL_UNIT == 0);
	assert_true(p->data + s.size <= mem + (1 << 20));
	/* Too small for one unit: an empty pool that refuses every store. */
	uint8_t tiny[100];
	struct zpool q;
	zpool_handle_t h = 7;
	assert_int_equal(zpool_init(&q, tiny, 60), -EINVAL);
	assert_int_equal(zpool_store_compressed(&q, tiny, 10, &h), -ENOSPC);
	assert_int_equal(h, 7);
	assert_int_equal(zpool_check(&q), 0);
	free(p);
	free(mem);
}

static void test_round_trips_and_kinds(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(256 << 10, &mem);
	struct zpool_stats s;
	zpool_handle_t h = 0, hz = 0, hr = 0;

	(void)state;
	zpool_page_text(page, 5);
	assert_int_equal(zpool_store(p, work, page, &h), 0);
	assert_true(h != ZPOOL_HANDLE_NONE && !zpool_handle_is_zero(h));
	memset(page, 0, LZO_PAGE_SIZE);
	assert_int_equal(zpool_store(p, work, page, &hz), 0);
	assert_true(zpool_handle_is_zero(hz));
	zpool_page_random(page, 5);
	assert_int_equal(zpool_store(p, work, page, &hr), -E2BIG);
	assert_int_equal(hr, 0);

	zpool_get_stats(p, &s);
	assert_int_equal(s.objects, 1);
	assert_int_equal(s.stored, 1);
	assert_int_equal(s.zero, 1);
	assert_int_equal(s.rejected, 1);
	assert_int_equal(s.orig_bytes, LZO_PAGE_SIZE);
	assert_true(s.comp_bytes > 0 && s.comp_bytes < LZO_PAGE_SIZE / 2);
	assert_int_equal(s.used, (s.comp_bytes + ZPOOL_UNIT - 1) / ZPOOL_UNIT * ZPOOL_UNIT);

	zpool_page_text(page, 5);
	memset(back, 0x77, LZO_PAGE_SIZE);
	assert_int_equal(zpool_load(p, h, back), 0);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	assert_int_equal(zpool_load(p, h, back), 0); /* loading keeps it */
	assert_int_equal(zpool_load(p, hz, back), 0);
	memset(page, 0, LZO_PAGE_SIZE);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	zpool_get_stats(p, &s);
	assert_int_equal(s.loaded, 2);
	assert_int_equal(s.zero, 1); /* loading a zero handle is no decompression */

	/* Bytes compressed elsewhere, from an unaligned buffer: the same page back. */
	static uint8_t odd[LZO_PAGE_OUT_MAX + 8];
	size_t len;
	zpool_handle_t hu = 0;
	zpool_page_text(page, 5);
	assert_int_equal(lzo_page_compress(work, page, &len), LZO_PAGE_COMPRESSED);
	memcpy(odd + 3, work->out, len);
	assert_int_equal(zpool_store_compressed(p, odd + 3, len, &hu), 0);
	memset(back, 0, LZO_PAGE_SIZE);
	assert_int_equal(zpool_load(p, hu, back), 0);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	assert_int_equal(zpool_free(p, hu), 0);

	assert_int_equal(zpool_free(p, hz), 0);
	assert_int_equal(zpool_free(p, h), 0);
	zpool_get_stats(p, &s);
	assert_int_equal(s.objects, 0);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.comp_bytes, 0);
	assert_int_equal(s.orig_bytes, 0);
	assert_int_equal(zpool_check(p), 0);
	free(p);
	free(mem);
}

static void test_bad_handles(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);
	zpool_handle_t h = 0;

	(void)state;
	zpool_page_text(page, 1);
	assert_int_equal(zpool_store(p, work, page, &h), 0);
	assert_int_equal(zpool_free(p, ZPOOL_HANDLE_NONE), -EINVAL);
	assert_int_equal(zpool_free(p, p->nr_entries + 1), -EINVAL);
	assert_int_equal(zpool_free(p, h + 1), -EINVAL); /* a free entry */
	assert_int_equal(zpool_load(p, h + 1, back), -EINVAL);
	assert_int_equal(zpool_load(p, ZPOOL_HANDLE_NONE, back), -EINVAL);
	assert_int_equal(zpool_load(p, 0x7fffffff, back), -EINVAL);
	assert_int_equal(zpool_free(p, h), 0);
	assert_int_equal(zpool_free(p, h), -EINVAL); /* double free changes nothing */
	assert_int_equal(zpool_load(p, h, back), -EINVAL);
	assert_int_equal(zpool_store_compressed(p, page, 0, &h), -EINVAL);
	assert_int_equal(zpool_store_compressed(p, page, LZO_PAGE_KEEP_MAX + 1, &h), -EINVAL);
	assert_int_equal(zpool_check(p), 0);
	free(p);
	free(mem);
}

#define SLOTS 300

/* Random stores, loads and frees; every stored page is kept aside and compared whenever it is
 * loaded, and the counters must match the shadow's at every step. */
static void test_random_sequences_lose_nothing(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(128 << 10, &mem);
	static uint8_t shadow[SLOTS][LZO_PAGE_SIZE];
	zpool_handle_t h[SLOTS] = {0};
	size_t comp[SLOTS] = {0};
	uint64_t rng = 12345, stored = 0, zero = 0, rejected = 0, full = 0, loaded = 0;
	struct zpool_stats s;

	(void)state;
	for (unsigned step = 0; step < 40000; step++) {
		unsigned i = zpool_pages_rand(&rng) % SLOTS, op = zpool_pages_rand(&rng) % 3;

		if (!h[i]) {
			unsigned kind = zpool_pages_rand(&rng) % 5;
			zpool_handle_t nh = 0;
			size_t len = 0;
			int err;

			fill(page, kind, zpool_pages_rand(&rng));
			int k = lzo_page_compress(work, page, &len);
			err = zpool_store(p, work, page, &nh);
			if (k == LZO_PAGE_ZERO) {
				assert_int_equal(err, 0);
				assert_true(zpool_handle_is_zero(nh));
				zero++;
			} else if (k == LZO_PAGE_RESIDENT) {
				assert_int_equal(err, -E2BIG);
				rejected++;
				continue;
			} else if (err == -ENOSPC) {
				full++;
				continue;
			} else {
				assert_int_equal(err, 0);
				stored++;
			}
			h[i] = nh;
			comp[i] = zpool_handle_is_zero(nh) ? 0 : len;
			memcpy(shadow[i], page, LZO_PAGE_SIZE);
		} else if (op == 0) {
			assert_int_equal(zpool_free(p, h[i]), 0);
			h[i] = 0;
		} else {
			memset(back, 0xee, LZO_PAGE_SIZE);
			assert_int_equal(zpool_load(p, h[i], back), 0);
			assert_memory_equal(back, shadow[i], LZO_PAGE_SIZE);
			loaded += !zpool_handle_is_zero(h[i]);
			if (op == 2) {
				assert_int_equal(zpool_free(p, h[i]), 0);
				h[i] = 0;
			}
		}
		if (step < 3000 || step % 97 == 0) {
			uint64_t objects = 0, bytes = 0;

			assert_int_equal(zpool_check(p), 0);
			for (unsigned j = 0; j < SLOTS; j++) {
				objects += h[j] && !zpool_handle_is_zero(h[j]);
				bytes += comp[j] * (h[j] != 0);
			}
			zpool_get_stats(p, &s);
			assert_int_equal(s.objects, objects);
			assert_int_equal(s.comp_bytes, bytes);
			assert_int_equal(s.orig_bytes, objects * LZO_PAGE_SIZE);
			assert_true(s.used >= bytes && s.used < bytes + objects * ZPOOL_UNIT);
		}
	}
	zpool_get_stats(p, &s);
	assert_int_equal(s.stored, stored);
	assert_int_equal(s.zero, zero);
	assert_int_equal(s.rejected, rejected);
	assert_int_equal(s.full, full);
	assert_int_equal(s.loaded, loaded);
	assert_true(stored > 5000 && full > 0 && rejected > 0); /* the run reached every case */
	for (unsigned i = 0; i < SLOTS; i++) {
		if (!h[i])
			continue;
		assert_int_equal(zpool_load(p, h[i], back), 0);
		assert_memory_equal(back, shadow[i], LZO_PAGE_SIZE);
		assert_int_equal(zpool_free(p, h[i]), 0);
	}
	zpool_get_stats(p, &s);
	assert_int_equal(s.used, 0);
	assert_int_equal(s.objects, 0);
	/* Everything merged back: one run of the whole pool. */
	assert_int_equal(zpool_check(p), 0);
	assert_int_equal(((uint32_t *)p->data)[0], p->nr_units);
	free(p);
	free(mem);
}

/* Stores until -ENOSPC; frees make room again; emptied, it holds the same again. */
static unsigned fill_up(struct zpool *p, zpool_handle_t *hs, unsigned max, size_t len)
{
	unsigned n = 0;

	memset(page, 0x3c, len);
	for (;;) {
		int err = zpool_store_compressed(p, page, len, &hs[n]);

		if (err) {
			assert_int_equal(err, -ENOSPC);
			return n;
		}
		assert_true(++n < max);
	}
}

static void test_full_pool_recovers(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);
	static zpool_handle_t hs[4096];
	struct zpool_stats s;
	unsigned n, again;

	(void)state;
	/* 3000 bytes: 47 units each, the units run out first. */
	n = fill_up(p, hs, 4096, 3000);
	assert_int_equal(n, p->nr_units / 47);
	zpool_get_stats(p, &s);
	assert_int_equal(s.full, 1);
	assert_int_equal(zpool_check(p), 0);
	/* Free every other one: the holes take the same size again, and nothing more. */
	for (unsigned i = 0; i < n; i += 2)
		assert_int_equal(zpool_free(p, hs[i]), 0);
	for (unsigned i = 0; i < n; i += 2)
		assert_int_equal(zpool_store_compressed(p, page, 3000, &hs[i]), 0);
	assert_int_equal(zpool_store_compressed(p, page, 3000, &hs[n]), -ENOSPC);
	assert_int_equal(zpool_check(p), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(zpool_free(p, hs[i]), 0);
	again = fill_up(p, hs, 4096, 3000);
	assert_int_equal(again, n);
	for (unsigned i = 0; i < again; i++)
		assert_int_equal(zpool_free(p, hs[i]), 0);
	/* 1-byte objects: the handles run out first (one per 4 units). */
	n = fill_up(p, hs, 4096, 1);
	assert_int_equal(n, p->nr_entries);
	zpool_get_stats(p, &s);
	assert_int_equal(s.full, 4);
	assert_int_equal(zpool_free(p, hs[5]), 0);
	assert_int_equal(zpool_store_compressed(p, page, 1, &hs[5]), 0);
	assert_int_equal(zpool_check(p), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(zpool_free(p, hs[i]), 0);
	zpool_get_stats(p, &s);
	assert_int_equal(s.used, 0);
	assert_int_equal(zpool_check(p), 0);
	free(p);
	free(mem);
}

/* Frees in every order of three neighbours leave one free run. */
static void test_free_runs_merge(void **state)
{
	static const unsigned orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
					      {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);

	(void)state;
	memset(page, 1, 200);
	for (unsigned o = 0; o < 6; o++) {
		zpool_handle_t h[3];
		unsigned first;

		for (unsigned i = 0; i < 3; i++)
			assert_int_equal(zpool_store_compressed(p, page, 64 * (i + 1), &h[i]), 0);
		first = p->entries[h[0] - 1].unit;
		assert_int_equal(p->entries[h[1] - 1].unit, first + 1);
		assert_int_equal(p->entries[h[2] - 1].unit, first + 3);
		for (unsigned i = 0; i < 3; i++) {
			assert_int_equal(zpool_free(p, h[orders[o][i]]), 0);
			assert_int_equal(zpool_check(p), 0);
		}
		assert_int_equal(((uint32_t *)p->data)[0], p->nr_units);
	}
	free(p);
	free(mem);
}

/* Any corrupted byte of a stored object: -EIO, counted, and the handle can still be freed. */
static void test_corrupt_data_detected(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);
	zpool_handle_t h = 0;
	struct zpool_stats s;
	unsigned tries = 0;

	(void)state;
	zpool_page_ptable(page, 9);
	assert_int_equal(zpool_store(p, work, page, &h), 0);
	struct zpool_entry *e = &p->entries[h - 1];
	uint8_t *obj = p->data + (size_t)e->unit * ZPOOL_UNIT;
	for (unsigned i = 0; i < e->len; i++) {
		for (unsigned x = 1; x < 256; x <<= 3) {
			obj[i] ^= (uint8_t)x;
			assert_int_equal(zpool_load(p, h, back), -EIO);
			obj[i] ^= (uint8_t)x;
			tries++;
		}
	}
	assert_int_equal(zpool_load(p, h, back), 0);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	zpool_get_stats(p, &s);
	assert_int_equal(s.corrupt, tries);
	assert_int_equal(s.loaded, 1);
	assert_int_equal(zpool_free(p, h), 0);
	assert_int_equal(zpool_check(p), 0);
	free(p);
	free(mem);
}

/* The debug hook behind `zvm compress --corrupt`: the object it hits no longer loads, its
 * neighbour still does, the structures stay sound, and handles that are not stored are refused. */
static void test_debug_corrupt(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);
	zpool_handle_t a = 0, b = 0;
	struct zpool_stats s;

	(void)state;
	assert_int_equal(zpool_debug_corrupt(p, 1), -EINVAL);
	assert_int_equal(zpool_debug_corrupt(p, ZPOOL_HANDLE_ZERO), -EINVAL);
	zpool_page_text(page, 3);
	assert_int_equal(zpool_store(p, work, page, &a), 0);
	assert_int_equal(zpool_store(p, work, page, &b), 0);
	assert_int_equal(zpool_debug_corrupt(p, a), 0);
	assert_int_equal(zpool_load(p, a, back), -EIO);
	assert_int_equal(zpool_load(p, b, back), 0);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	zpool_get_stats(p, &s);
	assert_int_equal(s.corrupt, 1);
	assert_int_equal(zpool_check(p), 0);
	assert_int_equal(zpool_free(p, a), 0);
	assert_int_equal(zpool_debug_corrupt(p, a), -EINVAL);
	assert_int_equal(zpool_free(p, b), 0);
	free(p);
	free(mem);
}

/* The checksum is the same whatever the source's alignment (store may get any buffer, load
 * reads the pool's aligned units), and changes with any one bit or the length. */
static void test_sum(void **state)
{
	static uint64_t a[LZO_PAGE_SIZE / 8 + 2];
	static uint8_t u[LZO_PAGE_SIZE + 16];

	(void)state;
	zpool_page_random((uint8_t *)a, 4);
	for (size_t len = 1; len < 300; len += 7) {
		for (unsigned off = 1; off < 8; off++) {
			memcpy(u + off, a, len);
			assert_int_equal(zpool_sum(u + off, len), zpool_sum(a, len));
		}
		uint32_t sum = zpool_sum(a, len);
		assert_int_not_equal(zpool_sum(a, len - 1), sum);
		for (size_t bit = 0; bit < len * 8; bit += 5) {
			((uint8_t *)a)[bit / 8] ^= (uint8_t)(1 << bit % 8);
			assert_int_not_equal(zpool_sum(a, len), sum);
			((uint8_t *)a)[bit / 8] ^= (uint8_t)(1 << bit % 8);
		}
	}
	/* A zero tail byte still counts. */
	memset(u, 0, 16);
	assert_int_not_equal(zpool_sum(u, 9), zpool_sum(u, 10));
}

/* zpool_check() itself notices broken structures. */
static void test_check_catches_damage(void **state)
{
	uint8_t *mem;
	struct zpool *p = new_pool(64 << 10, &mem);
	zpool_handle_t h = 0;

	(void)state;
	memset(page, 1, 100);
	assert_int_equal(zpool_store_compressed(p, page, 100, &h), 0);
	assert_int_equal(zpool_check(p), 0);
	p->allocated[0] ^= 4; /* a unit neither free nor owned */
	assert_true(zpool_check(p) < 0);
	p->allocated[0] ^= 4;
	p->st.comp_bytes++;
	assert_true(zpool_check(p) < 0);
	p->st.comp_bytes--;
	p->entries[h - 1].len = 300; /* claims units that are free */
	assert_true(zpool_check(p) < 0);
	p->entries[h - 1].len = 100;
	assert_int_equal(zpool_check(p), 0);
	free(p);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout),
	    cmocka_unit_test(test_round_trips_and_kinds),
	    cmocka_unit_test(test_bad_handles),
	    cmocka_unit_test(test_random_sequences_lose_nothing),
	    cmocka_unit_test(test_full_pool_recovers),
	    cmocka_unit_test(test_free_runs_merge),
	    cmocka_unit_test(test_corrupt_data_detected),
	    cmocka_unit_test(test_debug_corrupt),
	    cmocka_unit_test(test_sum),
	    cmocka_unit_test(test_check_catches_damage),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
