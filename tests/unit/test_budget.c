/* Budget bookkeeping: charging up to exhaustion (once per period), refills at period
 * boundaries, missed periods skipped, nothing carried over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <kernel/budget.h>

static void test_charge_until_exhausted_once(void **state)
{
	struct budget_acct a;

	(void)state;
	budget_acct_init(&a, 20, 100, 1000);
	assert_int_equal(a.period_end, 1100);
	assert_int_equal(budget_left(&a), 20);
	assert_false(budget_charge(&a, 15));
	assert_int_equal(budget_left(&a), 5);
	assert_true(budget_charge(&a, 7)); /* overrun: it stops now */
	assert_true(a.throttled);
	assert_int_equal(budget_left(&a), 0);
	assert_false(budget_charge(&a, 3)); /* late charges of other CPUs: no second stop */
	assert_int_equal(a.throttles, 1);
}

static void test_refill_only_at_the_period_end(void **state)
{
	struct budget_acct a;

	(void)state;
	budget_acct_init(&a, 20, 100, 0);
	budget_charge(&a, 25);
	assert_false(budget_refill(&a, 99));
	assert_true(a.throttled);
	assert_true(budget_refill(&a, 100));
	assert_false(a.throttled);
	assert_int_equal(budget_left(&a), 20);
	assert_int_equal(a.period_end, 200);
}

static void test_unused_budget_is_not_carried_over(void **state)
{
	struct budget_acct a;

	(void)state;
	budget_acct_init(&a, 20, 100, 0);
	budget_charge(&a, 5);
	assert_false(budget_refill(&a, 100)); /* was not throttled: nothing to wake */
	assert_int_equal(budget_left(&a), 20);
}

static void test_missed_periods_are_skipped(void **state)
{
	struct budget_acct a;

	(void)state;
	budget_acct_init(&a, 20, 100, 0);
	budget_charge(&a, 20);
	assert_true(budget_refill(&a, 350)); /* the timer ran late: periods 100 and 200 lost */
	assert_int_equal(a.period_end, 400);
	assert_true(budget_charge(&a, 20));
	assert_int_equal(a.throttles, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_charge_until_exhausted_once),
	    cmocka_unit_test(test_refill_only_at_the_period_end),
	    cmocka_unit_test(test_unused_budget_is_not_carried_over),
	    cmocka_unit_test(test_missed_periods_are_skipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
