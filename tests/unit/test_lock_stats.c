/* Lock statistics: free and contended acquisitions, longest and total waits and holds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <kernel/lock_stats.h>

static void test_counts_waits_and_holds(void **state)
{
	struct lock_stats s = {0};

	(void)state;
	lock_stats_acquired(&s, 100, 100); /* free */
	lock_stats_released(&s, 110);
	lock_stats_acquired(&s, 200, 250); /* waited 50 */
	lock_stats_released(&s, 255);
	lock_stats_acquired(&s, 300, 320); /* waited 20 */
	lock_stats_released(&s, 400);
	assert_int_equal(s.acquired, 3);
	assert_int_equal(s.contended, 2);
	assert_int_equal(s.wait_max, 50);
	assert_int_equal(s.wait_total, 70);
	assert_int_equal(s.hold_max, 80);
	assert_int_equal(s.hold_total, 10 + 5 + 80);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_waits_and_holds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
