/* The low-watermark scanner's decisions (zvm/mem/reclaim_policy.h): when it works, how much it
 * takes, which VM first, when a VM paused for memory runs again; and a simulated run of rounds
 * against a model of free memory, as zvm/mem/reclaim.c drives them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "../../zvm/mem/reclaim_policy.h"

#define MIB (1u << 20)

static void test_hysteresis(void **state)
{
	(void)state;
	/* Off whatever the free memory with no watermark. */
	assert_false(mem_reclaim_active(false, 0, 0));
	assert_false(mem_reclaim_active(true, 0, 0));
	assert_int_equal(mem_reclaim_high(16 * MIB), 24 * MIB);
	/* Starts only below low. */
	assert_false(mem_reclaim_active(false, 16 * MIB, 16 * MIB));
	assert_true(mem_reclaim_active(false, 16 * MIB - 1, 16 * MIB));
	/* Once started, goes on up to high, and stops there. */
	assert_true(mem_reclaim_active(true, 20 * MIB, 16 * MIB));
	assert_true(mem_reclaim_active(true, 24 * MIB - 1, 16 * MIB));
	assert_false(mem_reclaim_active(true, 24 * MIB, 16 * MIB));
	/* Between low and high an idle scanner stays idle. */
	assert_false(mem_reclaim_active(false, 20 * MIB, 16 * MIB));
}

static void test_goal(void **state)
{
	(void)state;
	assert_int_equal(mem_reclaim_goal(24 * MIB, 16 * MIB), 0);
	assert_int_equal(mem_reclaim_goal(100 * MIB, 16 * MIB), 0);
	/* Rounded up to whole pages. */
	assert_int_equal(mem_reclaim_goal(24 * MIB - 1, 16 * MIB), 1);
	assert_int_equal(mem_reclaim_goal(24 * MIB - 4096, 16 * MIB), 1);
	assert_int_equal(mem_reclaim_goal(24 * MIB - 4097, 16 * MIB), 2);
	assert_int_equal(mem_reclaim_goal(24 * MIB - 100 * 4096, 16 * MIB), 100);
	/* Capped per round. */
	assert_int_equal(mem_reclaim_goal(0, 16 * MIB), MEM_RECLAIM_ROUND_PAGES);
	assert_int_equal(mem_reclaim_goal(23 * MIB, 16 * MIB), MEM_RECLAIM_ROUND_PAGES);
}

static void test_pick(void **state)
{
	size_t res[5] = {10, 0, 30, 30, 20};
	bool done[5] = {0};
	int order[5], n = 0, i;

	(void)state;
	while ((i = mem_reclaim_pick(res, done, 5)) >= 0) {
		done[i] = true;
		order[n++] = i;
	}
	/* Most resident first, ties to the lower index, nothing resident never. */
	assert_int_equal(n, 4);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 3);
	assert_int_equal(order[2], 4);
	assert_int_equal(order[3], 0);
	assert_int_equal(mem_reclaim_pick(res, done, 0), -1);
}

static void test_resume(void **state)
{
	(void)state;
	/* Scanner off: any margin of free memory will do. */
	assert_false(mem_reclaim_may_resume(MEM_RECLAIM_RESUME_MARGIN - 1, 0));
	assert_true(mem_reclaim_may_resume(MEM_RECLAIM_RESUME_MARGIN, 0));
	/* On: above the high watermark, so the scanner is not started again at once. */
	assert_false(mem_reclaim_may_resume(24 * MIB, 16 * MIB));
	assert_false(mem_reclaim_may_resume(24 * MIB + MEM_RECLAIM_RESUME_MARGIN - 1, 16 * MIB));
	assert_true(mem_reclaim_may_resume(24 * MIB + MEM_RECLAIM_RESUME_MARGIN, 16 * MIB));
}

/* A model of reclaim.c's loop: three VMs with cold pages; each round takes pages from the VM
 * with most resident first, as many as the goal; free memory grows by what is taken. The scanner
 * must stop at the high watermark exactly (to the page) and never take from a VM with nothing
 * left. */
static void test_rounds_reach_high_and_stop(void **state)
{
	size_t low = 4 * MIB, free = 1 * MIB, cold[3] = {300, 1200, 50}, taken = 0;
	size_t res[3];
	bool active = false;
	unsigned rounds = 0;

	(void)state;
	for (;; rounds++) {
		bool done[3] = {0};
		size_t goal;
		int i;

		active = mem_reclaim_active(active, free, low);
		if (!active)
			break;
		assert_true(rounds < 100);
		goal = mem_reclaim_goal(free, low);
		for (int v = 0; v < 3; v++)
			res[v] = cold[v] * 4096;
		while (goal && (i = mem_reclaim_pick(res, done, 3)) >= 0) {
			size_t n = cold[i] < goal ? cold[i] : goal;

			done[i] = true;
			assert_true(cold[i] > 0);
			cold[i] -= n;
			goal -= n;
			taken += n;
			free += n * 4096;
		}
	}
	assert_true(free >= mem_reclaim_high(low));
	assert_true(free < mem_reclaim_high(low) + 4096);
	assert_int_equal(taken, (mem_reclaim_high(low) - 1 * MIB + 4095) / 4096);
	/* The biggest VM paid first: the smallest was never touched. */
	assert_int_equal(cold[2], 50);
	assert_int_equal(rounds, (taken + MEM_RECLAIM_ROUND_PAGES - 1) / MEM_RECLAIM_ROUND_PAGES);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hysteresis),
	    cmocka_unit_test(test_goal),
	    cmocka_unit_test(test_pick),
	    cmocka_unit_test(test_resume),
	    cmocka_unit_test(test_rounds_reach_high_and_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
