/* Command line splitting and number parsing for shell commands. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <shell/args.h>

/* Splits a copy of line and checks the words; want is NULL-terminated. */
static void check_split(const char *line, const char *const *want)
{
	char buf[512];
	char *argv[ARGS_MAX + 1];
	int n = 0;

	while (want[n])
		n++;
	strcpy(buf, line);
	assert_int_equal(args_split(buf, argv), n);
	for (int i = 0; i < n; i++) {
		assert_string_equal(argv[i], want[i]);
		/* In place: every word lives inside the caller's buffer. */
		assert_true(argv[i] >= buf && argv[i] < buf + sizeof(buf));
	}
	assert_null(argv[n]);
}

#define SPLIT(line, ...) check_split(line, (const char *const[]){__VA_ARGS__, NULL})

static void test_split_plain(void **state)
{
	(void)state;
	SPLIT("help", "help");
	SPLIT("zvm new linux 0x40000000", "zvm", "new", "linux", "0x40000000");
	SPLIT("  lead   and trail  ", "lead", "and", "trail");
	SPLIT("tabs\tare\t \tblanks", "tabs", "are", "blanks");
}

static void test_split_empty(void **state)
{
	char empty[] = "", blank[] = " \t  ";
	char *argv[ARGS_MAX + 1];

	(void)state;
	argv[0] = (char *)"sentinel";
	assert_int_equal(args_split(empty, argv), 0);
	assert_null(argv[0]);
	assert_int_equal(args_split(blank, argv), 0);
	assert_null(argv[0]);
}

static void test_split_quotes(void **state)
{
	(void)state;
	SPLIT("echo \"two words\" x", "echo", "two words", "x");
	SPLIT("echo 'single  quoted' y", "echo", "single  quoted", "y");
	SPLIT("a\"b c\"d", "ab cd");
	SPLIT("\"\" ''", "", "");
	SPLIT("'it\"s' \"it's\"", "it\"s", "it's");
	/* Backslash is literal inside single quotes only. */
	SPLIT("'a\\b'", "a\\b");
	SPLIT("\"a\\\"b\"", "a\"b");
}

static void test_split_escapes(void **state)
{
	(void)state;
	SPLIT("a\\ b c", "a b", "c");
	SPLIT("\\\"x\\'", "\"x'");
	SPLIT("back\\\\slash", "back\\slash");
	/* A trailing backslash has nothing to escape and is kept. */
	SPLIT("end\\", "end\\");
}

static void test_split_unterminated(void **state)
{
	char dq[] = "echo \"open", sq[] = "echo 'open", esc[] = "\"abc\\\"";
	char *argv[ARGS_MAX + 1];

	(void)state;
	assert_int_equal(args_split(dq, argv), -EINVAL);
	assert_int_equal(args_split(sq, argv), -EINVAL);
	assert_int_equal(args_split(esc, argv), -EINVAL);
}

static void test_split_limit(void **state)
{
	char sixteen[] = "0 1 2 3 4 5 6 7 8 9 a b c d e f";
	char seventeen[] = "0 1 2 3 4 5 6 7 8 9 a b c d e f g";
	char trailing[] = "0 1 2 3 4 5 6 7 8 9 a b c d e f   ";
	char *argv[ARGS_MAX + 1];

	(void)state;
	assert_int_equal(args_split(sixteen, argv), 16);
	assert_string_equal(argv[15], "f");
	assert_null(argv[16]);
	assert_int_equal(args_split(seventeen, argv), -E2BIG);
	assert_int_equal(args_split(trailing, argv), 16);
}

static void test_parse_u64(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(args_parse_u64("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(args_parse_u64("1234", &v), 0);
	assert_int_equal(v, 1234);
	assert_int_equal(args_parse_u64("0x40000000", &v), 0);
	assert_int_equal(v, 0x40000000);
	assert_int_equal(args_parse_u64("0XdeadBEEF", &v), 0);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(args_parse_u64("007", &v), 0); /* not octal */
	assert_int_equal(v, 7);
	assert_int_equal(args_parse_u64("18446744073709551615", &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(args_parse_u64("0xffffffffffffffff", &v), 0);
	assert_true(v == UINT64_MAX);
}

static void test_parse_u64_rejects(void **state)
{
	uint64_t v = 42;

	(void)state;
	assert_int_equal(args_parse_u64("", &v), -EINVAL);
	assert_int_equal(args_parse_u64("0x", &v), -EINVAL);
	assert_int_equal(args_parse_u64("12a", &v), -EINVAL);
	assert_int_equal(args_parse_u64("0x1g", &v), -EINVAL);
	assert_int_equal(args_parse_u64("abc", &v), -EINVAL);
	assert_int_equal(args_parse_u64("-1", &v), -EINVAL);
	assert_int_equal(args_parse_u64("+1", &v), -EINVAL);
	assert_int_equal(args_parse_u64(" 1", &v), -EINVAL);
	assert_int_equal(args_parse_u64("1 ", &v), -EINVAL);
	assert_int_equal(args_parse_u64("18446744073709551616", &v), -ERANGE);
	assert_int_equal(args_parse_u64("0x10000000000000000", &v), -ERANGE);
	assert_int_equal(args_parse_u64("99999999999999999999", &v), -ERANGE);
	/* Malformed wins, even when the digits before the bad character overflow (fuzz_args). */
	assert_int_equal(args_parse_u64("88888888888888888888d", &v), -EINVAL);
	/* Failures leave the output alone. */
	assert_int_equal(v, 42);
}

static void test_parse_u32(void **state)
{
	uint32_t v = 7;

	(void)state;
	assert_int_equal(args_parse_u32("4294967295", &v), 0);
	assert_true(v == UINT32_MAX);
	assert_int_equal(args_parse_u32("0x10", &v), 0);
	assert_int_equal(v, 16);
	assert_int_equal(args_parse_u32("4294967296", &v), -ERANGE);
	assert_int_equal(args_parse_u32("x", &v), -EINVAL);
	assert_int_equal(v, 16);
}

static void test_boot_commands(void **state)
{
	(void)state;
	assert_string_equal(args_boot_commands("shell.run=latency -n 5"), "latency -n 5");
	assert_string_equal(args_boot_commands("quiet shell.run=version; uptime"),
			    "version; uptime");
	assert_string_equal(args_boot_commands("a\tshell.run="), "");
	assert_null(args_boot_commands("console=ttyAMA0 earlycon"));
	assert_null(args_boot_commands("noshell.run=version")); /* not at a word's start */
	assert_null(args_boot_commands("shell.run"));
	assert_null(args_boot_commands(""));
	assert_null(args_boot_commands(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split_plain),	       cmocka_unit_test(test_split_empty),
	    cmocka_unit_test(test_split_quotes),       cmocka_unit_test(test_split_escapes),
	    cmocka_unit_test(test_split_unterminated), cmocka_unit_test(test_split_limit),
	    cmocka_unit_test(test_parse_u64),	       cmocka_unit_test(test_parse_u64_rejects),
	    cmocka_unit_test(test_parse_u32),	       cmocka_unit_test(test_boot_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
