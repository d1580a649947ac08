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

static void test_a_release_without_a_counted_acquisition_counts_nothing(void **state)
{
	struct lock_stats s = {0};

	(void)state;
	/* Counting switched on while another CPU waited uncounted: its release comes alone. */
	lock_stats_released(&s, 5000);
	assert_int_equal(s.hold_total, 0);
	assert_int_equal(s.hold_max, 0);
	lock_stats_acquired(&s, 6000, 6000);
	lock_stats_released(&s, 6010);
	lock_stats_released(&s, 9000); /* a second release of the same hold */
	assert_int_equal(s.hold_total, 10);
	assert_int_equal(s.hold_max, 10);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_counts_waits_and_holds),
	    cmocka_unit_test(test_a_release_without_a_counted_acquisition_counts_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
