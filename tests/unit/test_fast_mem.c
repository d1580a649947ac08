/* lib/fast_mem.c: the kernel images' memcpy, memset and memmove, against the host C library's
 * for every alignment of both sides, lengths around the word and unroll sizes, and overlaps in
 * both directions; nothing outside the destination range is touched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <lib/fast_mem.h>
#include <stdint.h>
#include <string.h>

#define BUF 320

static uint8_t pattern[BUF];

static void fill_pattern(void)
{
	uint32_t x = 12345;

	for (unsigned i = 0; i < BUF; i++) {
		x = x * 1103515245u + 12345u;
		pattern[i] = (uint8_t)(x >> 16);
	}
}

static void test_memcpy_and_memset(void **state)
{
	static uint8_t a[BUF], b[BUF];

	(void)state;
	fill_pattern();
	for (unsigned off = 0; off < 16; off++)
		for (unsigned soff = 0; soff < 16; soff++)
			for (unsigned n = 0; n < BUF - 32; n += 1 + n / 24) {
				memset(a, 0xee, BUF);
				memset(b, 0xee, BUF);
				assert_ptr_equal(fast_memcpy(a + off, pattern + soff, n), a + off);
				memcpy(b + off, pattern + soff, n);
				assert_memory_equal(a, b, BUF);
				assert_ptr_equal(fast_memset(a + soff, (int)(n + off), n),
						 a + soff);
				memset(b + soff, (int)(n + off), n);
				assert_memory_equal(a, b, BUF);
			}
}

/* Overlapping moves both ways, each alignment pair: the result is what memmove gives. */
static void test_memmove_overlaps(void **state)
{
	static uint8_t a[BUF], b[BUF];

	(void)state;
	fill_pattern();
	for (unsigned d = 0; d < 40; d++)
		for (unsigned s = 0; s < 40; s++)
			for (unsigned n = 0; n < BUF - 48; n += 1 + n / 16) {
				memcpy(a, pattern, BUF);
				memcpy(b, pattern, BUF);
				assert_ptr_equal(fast_memmove(a + d, a + s, n), a + d);
				memmove(b + d, b + s, n);
				assert_memory_equal(a, b, BUF);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memcpy_and_memset),
	    cmocka_unit_test(test_memmove_overlaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
