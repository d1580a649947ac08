/* Init hook table: only the asked level runs, in table order, each hook once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <kernel/init_hook.h>

static char trace[16];
static unsigned trace_len;

static void note(char c)
{
	if (trace_len + 1 < sizeof(trace))
		trace[trace_len++] = c;
	trace[trace_len] = '\0';
}

static void hook_a(void)
{
	note('a');
}
static void hook_b(void)
{
	note('b');
}
static void hook_c(void)
{
	note('c');
}
static void hook_d(void)
{
	note('d');
}

static const struct init_hook table[] = {
    {"a", hook_a, INIT_HOOK_BOOT},
    {"b", hook_b, INIT_HOOK_LATE},
    {"c", hook_c, INIT_HOOK_BOOT},
    {"d", hook_d, INIT_HOOK_CPU},
};
#define TABLE_END (table + sizeof(table) / sizeof(table[0]))

static void reset(void)
{
	trace_len = 0;
	trace[0] = '\0';
}

static void test_levels_in_order(void **state)
{
	(void)state;
	reset();
	assert_int_equal(init_hooks_run_table(table, TABLE_END, INIT_HOOK_BOOT), 2);
	assert_string_equal(trace, "ac");
	reset();
	assert_int_equal(init_hooks_run_table(table, TABLE_END, INIT_HOOK_CPU), 1);
	assert_string_equal(trace, "d");
	reset();
	assert_int_equal(init_hooks_run_table(table, TABLE_END, INIT_HOOK_LATE), 1);
	assert_string_equal(trace, "b");
}

static void test_empty_table(void **state)
{
	(void)state;
	reset();
	assert_int_equal(init_hooks_run_table(table, table, INIT_HOOK_BOOT), 0);
	assert_string_equal(trace, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_levels_in_order),
	    cmocka_unit_test(test_empty_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
