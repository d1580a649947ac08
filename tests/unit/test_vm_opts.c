/* The `zvm new` scheduling options: --prio, -p and --budget parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <zvm/vm_opts.h>

static void test_take(void **state)
{
	(void)state;
	char a0[] = "new", a1[] = "-t", a2[] = "hello", a3[] = "--prio", a4[] = "5", a5[] = "-c",
	     a6[] = "2";
	char *argv[] = {a0, a1, a2, a3, a4, a5, a6, NULL};
	int argc = 7, missing;

	assert_null(vm_opts_take(&argc, argv, "budget", &missing));
	assert_int_equal(missing, 0);
	assert_int_equal(argc, 7);
	assert_string_equal(vm_opts_take(&argc, argv, "prio", &missing), "5");
	assert_int_equal(argc, 5);
	assert_string_equal(argv[3], "-c");
	assert_string_equal(argv[4], "2");
	assert_null(argv[5]);

	/* The command name is never taken for an option, even if it looks like one. */
	char b0[] = "--prio", b1[] = "-t", b2[] = "x", b3[] = "--prio";
	char *argv2[] = {b0, b1, b2, b3, NULL};

	argc = 4;
	assert_null(vm_opts_take(&argc, argv2, "prio", &missing));
	assert_int_equal(missing, 1);
	assert_int_equal(argc, 4);

	/* Given twice: the last wins, both go. */
	char c0[] = "new", c1[] = "--prio", c2[] = "3", c3[] = "--prio", c4[] = "4";
	char *argv3[] = {c0, c1, c2, c3, c4, NULL};

	argc = 5;
	assert_string_equal(vm_opts_take(&argc, argv3, "prio", &missing), "4");
	assert_int_equal(argc, 1);
}

static void test_prio(void **state)
{
	unsigned p = 0;

	(void)state;
	assert_int_equal(vm_opts_prio("2", &p), 0);
	assert_int_equal(p, 2);
	assert_int_equal(vm_opts_prio("29", &p), 0);
	assert_int_equal(p, 29);
	const char *bad[] = {"", "1", "0", "30", "31", "-3", "4x", "x", "99999999999", " 4"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vm_opts_prio(bad[i], &p), -EINVAL);
	assert_int_equal(p, 29);
}

static void test_pin_forms(void **state)
{
	uint64_t m[8];

	(void)state;
	/* One entry: all vCPUs. */
	assert_int_equal(vm_opts_pin("1", 4, 3, m), 0);
	assert_int_equal(m[0], 2);
	assert_int_equal(m[2], 2);
	assert_int_equal(vm_opts_pin("2+3", 4, 2, m), 0);
	assert_int_equal(m[0], 0xc);
	assert_int_equal(m[1], 0xc);
	/* One per vCPU. */
	assert_int_equal(vm_opts_pin("1,2", 4, 2, m), 0);
	assert_int_equal(m[0], 2);
	assert_int_equal(m[1], 4);
	assert_int_equal(vm_opts_pin("0+1,3,3", 4, 3, m), 0);
	assert_int_equal(m[0], 3);
	assert_int_equal(m[1], 8);
	assert_int_equal(m[2], 8);
	/* Any other count: the union (the older meaning of a list). */
	assert_int_equal(vm_opts_pin("1,3", 4, 1, m), 0);
	assert_int_equal(m[0], 0xa);
	assert_int_equal(vm_opts_pin("2,3", 4, 4, m), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(m[i], 0xc);
}

static void test_pin_bad(void **state)
{
	uint64_t m[8];
	const char *bad[] = {"", "4", "9", "1,", ",1", "1,,2", "a", "1+", "+1", "1 2", "-1", "64"};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vm_opts_pin(bad[i], 4, 2, m), -EINVAL);
	/* Groups in a list that is not one entry per vCPU mean nothing. */
	assert_int_equal(vm_opts_pin("1+2,3", 4, 3, m), -EINVAL);
}

static void test_budget(void **state)
{
	uint32_t b = 0, p = 0;

	(void)state;
	assert_int_equal(vm_opts_budget("20/100", &b, &p), 0);
	assert_int_equal(b, 20000);
	assert_int_equal(p, 100000);
	assert_int_equal(vm_opts_budget("0.5/10", &b, &p), 0);
	assert_int_equal(b, 500);
	assert_int_equal(p, 10000);
	assert_int_equal(vm_opts_budget("1/1", &b, &p), 0);
	assert_int_equal(vm_opts_budget("2.125/3.5", &b, &p), 0);
	assert_int_equal(b, 2125);
	assert_int_equal(p, 3500);
	const char *bad[] = {"",	"20",	   "20/",     "/100",	 "30/20",
			     "0/100",	"20/0.5",  "0.05/10", "1/10001", "1.0001/10",
			     "20/100x", "20//100", "a/b",     "1./10",	 "-1/10"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vm_opts_budget(bad[i], &b, &p), -EINVAL);
}

static void test_mem(void **state)
{
	bool dyn = true;

	(void)state;
	assert_int_equal(vm_opts_mem("static", &dyn), 0);
	assert_false(dyn);
	assert_int_equal(vm_opts_mem("dynamic", &dyn), 0);
	assert_true(dyn);
	const char *bad[] = {"", "Static", "dyn", "dynamicx", "staticdynamic"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(vm_opts_mem(bad[i], &dyn), -EINVAL);
	assert_true(dyn);
}

static void test_devs(void **state)
{
	const char *const names[] = {"virtio-rng", "x", "xy"};
	uint32_t m = 0;

	(void)state;
	assert_int_equal(vm_opts_devs("virtio-rng", names, 3, &m), 0);
	assert_int_equal(m, 1);
	assert_int_equal(vm_opts_devs("xy,x", names, 3, &m), 0);
	assert_int_equal(m, 7);
	m = 0;
	assert_int_equal(vm_opts_devs("x,x", names, 3, &m), 0);
	assert_int_equal(m, 2);
	const char *bad[] = {"", ",", "x,", ",x", "x,,xy", "virtio", "virtio-rngs", "X", "xyz"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m = 0;
		assert_int_equal(vm_opts_devs(bad[i], names, 3, &m), -EINVAL);
		assert_int_equal(m, 0); /* nothing taken from a bad list */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_take),      cmocka_unit_test(test_prio),
	    cmocka_unit_test(test_pin_forms), cmocka_unit_test(test_pin_bad),
	    cmocka_unit_test(test_budget),    cmocka_unit_test(test_mem),
	    cmocka_unit_test(test_devs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
