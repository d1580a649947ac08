/* fmt_snprintf must agree with the host C library for everything both define. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <lib/format.h>

#define BUF 512

/* Formats with both implementations into every buffer size from 0 to past the full length,
 * checking text, return value, NUL termination and that nothing beyond size is written. */
static void __attribute__((format(printf, 1, 2))) same(const char *fmt, ...)
{
	char want[BUF], got[BUF + 8];
	va_list ap, ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	int wn = vsnprintf(want, sizeof(want), fmt, ap2);
	va_end(ap2);
	va_copy(ap2, ap);
	int gn = fmt_vsnprintf(got, sizeof(got), fmt, ap2);
	va_end(ap2);
	if (gn != wn || strcmp(got, want) != 0)
		print_error("format \"%s\": want \"%s\" (%d), got \"%s\" (%d)\n", fmt, want, wn,
			    got, gn);
	assert_int_equal(gn, wn);
	assert_string_equal(got, want);

	for (size_t size = 0; size <= (size_t)wn + 1; size++) {
		memset(got, 0x5a, sizeof(got));
		va_copy(ap2, ap);
		gn = fmt_vsnprintf(size ? got : NULL, size, fmt, ap2);
		va_end(ap2);
		assert_int_equal(gn, wn);
		if (size > 0) {
			size_t keep = size - 1 < (size_t)wn ? size - 1 : (size_t)wn;
			assert_memory_equal(got, want, keep);
			assert_int_equal(got[keep], '\0');
		}
		for (size_t i = size; i < size + 8; i++)
			assert_int_equal((unsigned char)got[i], 0x5a);
	}
	va_end(ap);
}

/* The same check through a pointer without the printf attribute, for flag combinations that
 * gcc warns about but C defines (ignored '0', '+' on unsigned). */
static void (*const same_unchecked)(const char *fmt, ...) = same;

/* Calls the formatter without the printf attribute, for formats gcc would reject. */
static int raw(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

static void test_plain_text(void **state)
{
	(void)state;
	same("%s", "");
	same("hello, world");
	same("100%% done %%");
	same("%%%d%%", 7);
}

static void test_signed(void **state)
{
	(void)state;
	same("%d %d %d %d %d", 0, 1, -1, INT_MAX, INT_MIN);
	same("%i|%5d|%-5d|%05d|%+d|% d|%+05d|% 05d", 42, 42, 42, 42, 42, 42, -42, 42);
	same_unchecked("%.3d|%8.3d|%-8.3d|%08.3d|%.0d|%+.0d|%5.0d|% .0d", 7, -7, 7, 7, 0, 0, 0, 0);
	same("%+d %+d % d % d %-+6d| %- 6d|", 0, -3, 0, -3, 5, 5);
	same_unchecked("%.10d %012d %-012d|", INT_MIN, INT_MIN, INT_MIN);
}

static void test_unsigned_bases(void **state)
{
	(void)state;
	same("%u %u %u", 0u, 1u, UINT_MAX);
	same("%x %X %o", 0xdeadbeefu, 0xdeadbeefu, 0755u);
	same("%#x %#x %#X %#o %#o %#.0o %#.3o %#.0x", 0u, 255u, 255u, 0u, 8u, 0u, 8u, 0u);
	same("%#08x|%#-8x|%#8X|%08o|%#08o|%.5x|%#.5x", 255u, 255u, 255u, 8u, 8u, 0xabu, 0xabu);
	same_unchecked("%+u % u %+x", 5u, 5u, 5u);
}

static void test_length_modifiers(void **state)
{
	(void)state;
	same("%hhd %hhd %hhu %hhx", 300, -129, -1, 0x1ff);
	same("%hd %hd %hu %hx", 70000, -32769, -1, 0x1ffff);
	same("%ld %ld %lu %lx", LONG_MIN, LONG_MAX, ULONG_MAX, 0x123456789abcdefUL);
	same("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0xfedcba9876543210ULL, ULLONG_MAX);
	same("%zu %zx %zd %zd", SIZE_MAX, (size_t)4096, (ssize_t)-5, (ssize_t)SSIZE_MAX);
	same("%jd %jd %ju %jx", INTMAX_MIN, INTMAX_MAX, UINTMAX_MAX, (uintmax_t)0xabc);
	same("%td %td %ti", (ptrdiff_t)-7, PTRDIFF_MAX, PTRDIFF_MIN);
}

static void test_strings_and_chars(void **state)
{
	(void)state;
	same("%s|%10s|%-10s|%.3s|%10.3s|%-10.3s|%.0s|%.10s", "hello", "hello", "hello", "hello",
	     "hello", "hello", "hello", "hi");
	same("%c%c%c|%5c|%-5c|", 'a', 'B', '!', 'x', 'y');
	same("a%db%sc%xd%ce", 1, "two", 3u, '4');
}

static void test_star(void **state)
{
	(void)state;
	same("%*d|%*d|%-*d|", 6, 42, -6, 42, 6, 42);
	same("%.*d|%.*d|%*.*d|", 4, 7, -1, 7, 8, 3, -5);
	same("%.*s|%*s|%*.*s|%.*s|", 2, "hello", -8, "hi", 6, 2, "hello", -3, "abc");
	same("%0*x|%-*x|", 8, 0xbeefu, 3, 0x1u);
}

static void test_null_string_and_pointer(void **state)
{
	char buf[64];
	const char *null = NULL;

	(void)state;
	assert_int_equal(raw(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(raw(buf, sizeof(buf), "[%8s]", null), 10);
	assert_string_equal(buf, "[  (null)]");
	assert_int_equal(raw(buf, sizeof(buf), "%.3s", null), 3);
	assert_string_equal(buf, "(nu");

	int x;
	char want[64];
	snprintf(want, sizeof(want), "%#lx", (unsigned long)(uintptr_t)&x);
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%p", (void *)&x), (int)strlen(want));
	assert_string_equal(buf, want);
	fmt_snprintf(buf, sizeof(buf), "%p", NULL);
	assert_string_equal(buf, "0x0");
	fmt_snprintf(buf, sizeof(buf), "[%8p|%-8p]", (void *)0x1234, (void *)0xab);
	assert_string_equal(buf, "[  0x1234|0xab    ]");
}

static void test_unknown_and_truncated_specs(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(raw(buf, sizeof(buf), "a%yb"), 4);
	assert_string_equal(buf, "a%yb");
	assert_int_equal(raw(buf, sizeof(buf), "x%5"), 3);
	assert_string_equal(buf, "x%5");
	assert_int_equal(raw(buf, sizeof(buf), "end%"), 4);
	assert_string_equal(buf, "end%");
}

static void test_size_zero_and_one(void **state)
{
	char buf[4] = {'x', 'x', 'x', 'x'};

	(void)state;
	assert_int_equal(fmt_snprintf(NULL, 0, "%d", 12345), 5);
	assert_int_equal(fmt_snprintf(buf, 0, "%d", 12345), 5);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'x');
	assert_int_equal(fmt_snprintf(buf, 3, "%s", "abcdef"), 6);
	assert_string_equal(buf, "ab");
	assert_int_equal(buf[3], 'x');
}

/* Random specs over every flag, width, precision and length, checked against the host. */
static void test_random_against_host(void **state)
{
	static const char *const lens[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
	static const char convs[] = "diuxXo";

	(void)state;
	srand(12345);
	for (int iter = 0; iter < 20000; iter++) {
		char fmt[64];
		size_t n = 0;
		char conv = convs[rand() % 6];
		int is_signed = conv == 'd' || conv == 'i';

		fmt[n++] = '<';
		fmt[n++] = '%';
		for (const char *f = "-0+ #"; *f; f++) {
			/* '#' with d/i/u is undefined behaviour, so leave it out there */
			if (*f == '#' && (is_signed || conv == 'u'))
				continue;
			if (rand() % 3 == 0)
				fmt[n++] = *f;
		}
		if (rand() % 2)
			n += (size_t)sprintf(fmt + n, "%d", rand() % 25);
		if (rand() % 2)
			n += (size_t)sprintf(fmt + n, ".%d", rand() % 25);
		int li = rand() % 8;
		n += (size_t)sprintf(fmt + n, "%s%c>", lens[li], conv);

		/* Random 64-bit value with a bias toward small numbers and edge cases. */
		uint64_t v = ((uint64_t)rand() << 33) ^ ((uint64_t)rand() << 11) ^ (uint64_t)rand();
		switch (rand() % 4) {
		case 0:
			v &= 0xff;
			break;
		case 1:
			v = (uint64_t)(int64_t) - (int64_t)(v & 0xffff);
			break;
		case 2:
			v = rand() % 2 ? 0 : (uint64_t)1 << 63;
			break;
		default:
			break;
		}

		switch (li) {
		case 0:
		case 1:
		case 2:
			same(fmt, (int)v);
			break;
		case 3:
			same(fmt, (long)v);
			break;
		case 4:
			same(fmt, (long long)v);
			break;
		case 5:
			same(fmt, (size_t)v);
			break;
		case 6:
			same(fmt, (intmax_t)v);
			break;
		default:
			same(fmt, (ptrdiff_t)v);
			break;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain_text),
	    cmocka_unit_test(test_signed),
	    cmocka_unit_test(test_unsigned_bases),
	    cmocka_unit_test(test_length_modifiers),
	    cmocka_unit_test(test_strings_and_chars),
	    cmocka_unit_test(test_star),
	    cmocka_unit_test(test_null_string_and_pointer),
	    cmocka_unit_test(test_unknown_and_truncated_specs),
	    cmocka_unit_test(test_size_zero_and_one),
	    cmocka_unit_test(test_random_against_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
