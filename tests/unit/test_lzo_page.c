/* The page codec (zvm/mem/lzo_page.c) against the host's own liblzo2: the same LZO1X-1 bytes,
 * bit-exact round trips, and corrupt input always refused or at worst decoded inside the page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lzo/lzo1x.h>
#include <stdlib.h>
#include <string.h>

#include <lib/fast_mem.h>
#include "../../zvm/mem/lzo_page.h"
#include "../../zvm/mem/zpool_pages.h"

static struct lzo_page_work *work;
static uint8_t *page, *back, *ref;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(lzo_page_init(), 0);
	work = malloc(sizeof(*work));
	page = aligned_alloc(4096, LZO_PAGE_SIZE);
	back = aligned_alloc(4096, LZO_PAGE_SIZE);
	ref = malloc(LZO_PAGE_OUT_MAX);
	return !(work && page && back && ref);
}

static int teardown(void **state)
{
	(void)state;
	free(work);
	free(page);
	free(back);
	free(ref);
	return 0;
}

/* The host library's own LZO1X-1 output for page. */
static size_t host_compress(const uint8_t *src, size_t n)
{
	static uint64_t wrk[LZO1X_1_MEM_COMPRESS / 8];
	lzo_uint len = LZO_PAGE_OUT_MAX;

	assert_int_equal(lzo1x_1_compress(src, n, ref, &len, wrk), LZO_E_OK);
	return len;
}

/* Compresses page through the codec; when it is kept, checks the bytes are the host library's
 * and that both decoders give the page back exactly. Returns the kind. */
static int round_trip(size_t *out_len)
{
	size_t len = 12345, ref_len = host_compress(page, LZO_PAGE_SIZE);
	int kind = lzo_page_compress(work, page, &len);

	assert_true(kind >= 0);
	*out_len = len;
	if (kind != LZO_PAGE_COMPRESSED) {
		assert_int_equal(len, 0);
		return kind;
	}
	assert_int_equal(len, ref_len);
	assert_memory_equal(work->out, ref, len);
	assert_true(len <= LZO_PAGE_KEEP_MAX);
	memset(back, 0xa5, LZO_PAGE_SIZE);
	assert_int_equal(lzo_page_decompress(work->out, len, back), 0);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	lzo_uint host_len = LZO_PAGE_SIZE;
	memset(back, 0x5a, LZO_PAGE_SIZE);
	assert_int_equal(lzo1x_decompress_safe(work->out, len, back, &host_len, NULL), LZO_E_OK);
	assert_int_equal(host_len, LZO_PAGE_SIZE);
	assert_memory_equal(back, page, LZO_PAGE_SIZE);
	return kind;
}

static void test_zero_page_is_a_flag(void **state)
{
	size_t len;

	(void)state;
	memset(page, 0, LZO_PAGE_SIZE);
	assert_true(lzo_page_is_zero(page));
	assert_int_equal(round_trip(&len), LZO_PAGE_ZERO);
	/* One set bit anywhere, even the last byte, makes it data. */
	for (unsigned i = 0; i < LZO_PAGE_SIZE; i += 511) {
		memset(page, 0, LZO_PAGE_SIZE);
		page[i] = 0x10;
		assert_false(lzo_page_is_zero(page));
		assert_int_equal(round_trip(&len), LZO_PAGE_COMPRESSED);
	}
	memset(page, 0, LZO_PAGE_SIZE);
	page[LZO_PAGE_SIZE - 1] = 1;
	assert_false(lzo_page_is_zero(page));
	assert_int_equal(round_trip(&len), LZO_PAGE_COMPRESSED);
	assert_true(len < 64);
}

static void test_text_pages(void **state)
{
	size_t len;

	(void)state;
	for (uint64_t seed = 1; seed < 40; seed++) {
		zpool_page_text(page, seed);
		assert_int_equal(round_trip(&len), LZO_PAGE_COMPRESSED);
		assert_true(len < LZO_PAGE_SIZE * 3 / 4);
	}
}

static void test_page_table_pages(void **state)
{
	size_t len;

	(void)state;
	for (uint64_t seed = 1; seed < 40; seed++) {
		zpool_page_ptable(page, seed);
		assert_int_equal(round_trip(&len), LZO_PAGE_COMPRESSED);
		assert_true(len < LZO_PAGE_SIZE / 2);
	}
}

static void test_random_page_stays_resident(void **state)
{
	size_t len;

	(void)state;
	for (uint64_t seed = 1; seed < 20; seed++) {
		zpool_page_random(page, seed);
		assert_int_equal(round_trip(&len), LZO_PAGE_RESIDENT);
		/* Its compressed form (longer than the page) still decodes exactly. */
		size_t n = host_compress(page, LZO_PAGE_SIZE);
		assert_true(n > LZO_PAGE_SIZE && n <= LZO_PAGE_OUT_MAX);
		assert_int_equal(lzo_page_decompress(ref, n, back), 0);
		assert_memory_equal(back, page, LZO_PAGE_SIZE);
	}
}

/* Around the threshold: random bytes in the first k bytes, zeros after. */
static void test_threshold(void **state)
{
	size_t len;
	int kept = 0, resident = 0;

	(void)state;
	for (unsigned k = 2048; k <= 4096; k += 64) {
		zpool_page_random(page, k);
		memset(page + k, 0, LZO_PAGE_SIZE - k);
		int kind = round_trip(&len);
		size_t ref_len = host_compress(page, LZO_PAGE_SIZE);

		assert_int_equal(kind, ref_len > LZO_PAGE_KEEP_MAX ? LZO_PAGE_RESIDENT
								   : LZO_PAGE_COMPRESSED);
		kept += kind == LZO_PAGE_COMPRESSED;
		resident += kind == LZO_PAGE_RESIDENT;
	}
	assert_true(kept > 0 && resident > 0);
}

static void test_wrong_length_streams_refused(void **state)
{
	static uint8_t big[LZO_PAGE_SIZE + 64];
	size_t n;

	(void)state;
	zpool_page_text(big, 7);
	/* Valid LZO for one byte less and one more than a page. */
	n = host_compress(big, LZO_PAGE_SIZE - 1);
	assert_int_equal(lzo_page_decompress(ref, n, back), -EIO);
	zpool_page_text(big, 7);
	memcpy(big + LZO_PAGE_SIZE, big, 64);
	n = host_compress(big, LZO_PAGE_SIZE + 1);
	assert_int_equal(lzo_page_decompress(ref, n, back), -EIO);
	n = host_compress(big, LZO_PAGE_SIZE);
	assert_int_equal(lzo_page_decompress(ref, n, back), 0);
	/* Truncated, trailing garbage, empty, oversized. */
	assert_int_equal(lzo_page_decompress(ref, n - 1, back), -EIO);
	assert_int_equal(lzo_page_decompress(ref, n / 2, back), -EIO);
	ref[n] = 0x11;
	assert_int_equal(lzo_page_decompress(ref, n + 1, back), -EIO);
	assert_int_equal(lzo_page_decompress(ref, 0, back), -EIO);
	assert_int_equal(lzo_page_decompress(ref, LZO_PAGE_OUT_MAX + 1, back), -EIO);
}

/* Every single-bit corruption of a compressed page: refused, or decoded to some page (a
 * changed literal or match offset: LZO has no checksum, the pool adds one, test_zpool.c);
 * never an access outside the buffers (ASan watches). */
static void test_corruption(void **state)
{
	static uint8_t bad[LZO_PAGE_OUT_MAX + 16];
	unsigned refused = 0, total = 0;
	size_t n;

	(void)state;
	zpool_page_ptable(page, 3);
	n = host_compress(page, LZO_PAGE_SIZE);
	for (size_t i = 0; i < n; i++) {
		for (unsigned x = 1; x < 256; x <<= 1) {
			uint8_t *exact = malloc(n); /* ASan sees any read past n */

			memcpy(exact, ref, n);
			exact[i] ^= (uint8_t)x;
			int err = lzo_page_decompress(exact, n, back);
			assert_true(err == 0 || err == -EIO);
			refused += err != 0;
			total++;
			free(exact);
		}
	}
	assert_true(refused > total / 8);
	/* Garbage of every length: the same. */
	uint64_t s = 99;
	for (unsigned len = 1; len < sizeof(bad); len += 37) {
		uint8_t *g = malloc(len);

		for (unsigned i = 0; i < len; i++)
			g[i] = (uint8_t)zpool_pages_rand(&s);
		int err = lzo_page_decompress(g, len, back);
		assert_true(err == 0 || err == -EIO);
		free(g);
	}
	(void)bad;
}

/* The memset and memcpy ZVM's liblzo2 calls (the kernel's, lib/fast_mem.c): every alignment
 * and length against the C library's, and nothing outside [dst, dst + n) touched. */
static void test_mem_functions(void **state)
{
	static uint8_t a[256], b[256], src[256];
	uint64_t s = 5;

	(void)state;
	for (unsigned i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)zpool_pages_rand(&s);
	for (unsigned off = 0; off < 16; off++) {
		for (unsigned soff = 0; soff < 16; soff++) {
			for (unsigned n = 0; n < 200; n += 1 + n / 16) {
				memset(a, 0xee, sizeof(a));
				memset(b, 0xee, sizeof(b));
				assert_ptr_equal(fast_memcpy(a + off, src + soff, n), a + off);
				memcpy(b + off, src + soff, n);
				assert_memory_equal(a, b, sizeof(a));
			}
		}
		for (unsigned n = 0; n < 200; n += 1 + n / 16) {
			memset(a, 0xee, sizeof(a));
			memset(b, 0xee, sizeof(b));
			assert_ptr_equal(fast_memset(a + off, 0x1c1 + (int)n, n), a + off);
			memset(b + off, 0x1c1 + (int)n, n);
			assert_memory_equal(a, b, sizeof(a));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_zero_page_is_a_flag),
	    cmocka_unit_test(test_text_pages),
	    cmocka_unit_test(test_page_table_pages),
	    cmocka_unit_test(test_random_page_stays_resident),
	    cmocka_unit_test(test_threshold),
	    cmocka_unit_test(test_wrong_length_streams_refused),
	    cmocka_unit_test(test_corruption),
	    cmocka_unit_test(test_mem_functions),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
