/* Placement of a newly ready thread: idle CPUs first, then the CPU about to run the least urgent
 * thread; affinity masks; CPUs that have not started; tie-breaks; and the preemption rule. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include <kernel/config.h>
#include <kernel/sched_policy.h>

#define IDLE  (CONFIG_NUM_PRIORITIES - 1)
#define NONE  CONFIG_NUM_PRIORITIES /* nothing queued */
#define ANY   (~0ULL)
#define NCPUS 4

static struct sched_cpu_view running(int prio)
{
	return (struct sched_cpu_view){.online = true, .cur_prio = prio, .best_queued = NONE};
}

static struct sched_cpu_view queued(int cur, int best, unsigned n)
{
	return (struct sched_cpu_view){
	    .online = true, .cur_prio = cur, .best_queued = best, .nr_queued = n};
}

static void test_idle_cpu_wins(void **state)
{
	struct sched_cpu_view v[NCPUS] = {running(5), running(20), running(IDLE), running(30)};

	(void)state;
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 2);
	/* Even over the thread's last CPU. */
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, 0), 2);
}

static void test_least_urgent_running(void **state)
{
	struct sched_cpu_view v[NCPUS] = {running(5), running(20), running(3), running(12)};

	(void)state;
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 1);
}

/* An idle CPU that already has work queued is not idle for long: what counts is the most urgent
 * thread it will run next. */
static void test_queued_work_counts(void **state)
{
	struct sched_cpu_view v[NCPUS] = {queued(IDLE, 10, 1), running(20), running(3), running(3)};

	(void)state;
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 1);
	/* A queue behind a less urgent running thread does not hide it either. */
	v[1] = queued(20, 2, 1);
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 0);
}

static void test_mask(void **state)
{
	struct sched_cpu_view v[NCPUS] = {running(5), running(IDLE), running(3), running(IDLE)};

	(void)state;
	/* Pinned to a busy CPU: it goes there and waits (or preempts). */
	assert_int_equal(sched_policy_place(v, NCPUS, 1ULL << 2, -1), 2);
	/* Allowed on CPUs 0 and 2 only: 0 runs the less urgent thread. */
	assert_int_equal(sched_policy_place(v, NCPUS, 0x5, -1), 0);
	/* Idle CPU 3 is the only idle one it may use. */
	assert_int_equal(sched_policy_place(v, NCPUS, 0xc, -1), 3);
	/* Bits beyond the CPUs that exist are ignored; none left is an error. */
	assert_int_equal(sched_policy_place(v, NCPUS, 0x30, -1), -1);
	assert_int_equal(sched_policy_place(v, NCPUS, 0, -1), -1);
	assert_int_equal(sched_policy_place(v, NCPUS, 0x13, -1), 1);
}

static void test_offline_cpus(void **state)
{
	struct sched_cpu_view v[NCPUS] = {running(5), running(IDLE), running(IDLE), running(9)};

	(void)state;
	v[1].online = false;
	v[2].online = false;
	/* Idle but not started: skipped while an allowed CPU runs. */
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 3);
	/* Only offline CPUs allowed: the lowest of them keeps it until it starts. */
	assert_int_equal(sched_policy_place(v, NCPUS, 0x6, -1), 1);
	assert_int_equal(sched_policy_place(v, NCPUS, 0x4, 2), 2);
	/* Boot: nothing started yet. */
	for (int i = 0; i < NCPUS; i++)
		v[i].online = false;
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 0);
	assert_int_equal(sched_policy_place(v, NCPUS, 0x8, -1), 3);
}

static void test_tie_breaks(void **state)
{
	struct sched_cpu_view v[NCPUS] = {queued(7, NONE, 0), queued(7, 7, 2), queued(7, 7, 1),
					  queued(7, NONE, 0)};

	(void)state;
	/* Same next priority: fewer queued threads first, then the lowest id... */
	assert_int_equal(sched_policy_place(v, NCPUS, 0x6, -1), 2);
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, -1), 0);
	/* ...unless the thread last ran on an equally good CPU. */
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, 3), 3);
	/* last_cpu does not beat a better CPU. */
	assert_int_equal(sched_policy_place(v, NCPUS, ANY, 1), 0);
	/* Idle CPUs: the last one used is preferred (warm cache). */
	struct sched_cpu_view w[NCPUS] = {running(IDLE), running(IDLE), running(IDLE),
					  running(IDLE)};

	assert_int_equal(sched_policy_place(w, NCPUS, ANY, 2), 2);
	assert_int_equal(sched_policy_place(w, NCPUS, ANY, -1), 0);
}

static void test_preempts(void **state)
{
	(void)state;
	assert_true(sched_policy_preempts(3, 4));
	assert_true(sched_policy_preempts(0, IDLE));
	assert_true(sched_policy_preempts(IDLE - 1, IDLE));
	assert_false(sched_policy_preempts(4, 4)); /* equals wait for the slice */
	assert_false(sched_policy_preempts(5, 4));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idle_cpu_wins),      cmocka_unit_test(test_least_urgent_running),
	    cmocka_unit_test(test_queued_work_counts), cmocka_unit_test(test_mask),
	    cmocka_unit_test(test_offline_cpus),       cmocka_unit_test(test_tie_breaks),
	    cmocka_unit_test(test_preempts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
