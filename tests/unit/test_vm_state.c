/* The VM state machine and the VM name rules: every transition the lifecycle relies on, every
 * refusal, and that nothing leaves `deleting` or restarts a halted VM without a reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include <zvm/vm_name.h>
#include <zvm/vm_state.h>

static int next(enum vm_state s, enum vm_event e, enum vm_state *out)
{
	*out = VM_NR_STATES;
	return vm_state_next(s, e, out);
}

static void expect(enum vm_state s, enum vm_event e, enum vm_state want)
{
	enum vm_state got;

	assert_int_equal(next(s, e, &got), 0);
	assert_string_equal(vm_state_name(got), vm_state_name(want));
}

static void refuse(enum vm_state s, enum vm_event e, int err)
{
	enum vm_state got;

	assert_int_equal(next(s, e, &got), err);
	assert_int_equal(got, VM_NR_STATES); /* untouched */
}

static void test_normal_life(void **state)
{
	(void)state;
	expect(VM_CREATED, VM_EV_RUN, VM_RUNNING);
	expect(VM_RUNNING, VM_EV_PAUSE, VM_PAUSED);
	expect(VM_PAUSED, VM_EV_RUN, VM_RUNNING);
	expect(VM_RUNNING, VM_EV_RESET, VM_RESETTING);
	expect(VM_RESETTING, VM_EV_RESET_DONE, VM_RUNNING);
	expect(VM_RUNNING, VM_EV_POWER_OFF, VM_HALTED);
	expect(VM_PAUSED, VM_EV_POWER_OFF, VM_HALTED);
	expect(VM_RUNNING, VM_EV_CRASH, VM_CRASHED);
	expect(VM_RESETTING, VM_EV_CRASH, VM_CRASHED); /* the reload failed */
}

/* The reported race: `zvm run` while the reset clears RAM must not start the vCPUs. */
static void test_nothing_but_the_worker_ends_a_reset(void **state)
{
	(void)state;
	refuse(VM_RESETTING, VM_EV_RUN, -EBUSY);
	refuse(VM_RESETTING, VM_EV_PAUSE, -EBUSY);
	refuse(VM_RESETTING, VM_EV_RESET, -EBUSY);
	refuse(VM_RESETTING, VM_EV_POWER_OFF, -EBUSY);
	expect(VM_RESETTING, VM_EV_DELETE, VM_DELETING);
}

static void test_halted_and_crashed_restart_only_through_reset(void **state)
{
	(void)state;
	refuse(VM_HALTED, VM_EV_RUN, -ECANCELED);
	refuse(VM_CRASHED, VM_EV_RUN, -ECANCELED);
	refuse(VM_HALTED, VM_EV_PAUSE, -ECANCELED);
	refuse(VM_HALTED, VM_EV_POWER_OFF, -EALREADY);
	refuse(VM_CRASHED, VM_EV_CRASH, -EALREADY);
	expect(VM_HALTED, VM_EV_RESET, VM_RESETTING);
	expect(VM_CRASHED, VM_EV_RESET, VM_RESETTING);
	expect(VM_CREATED, VM_EV_RESET, VM_RESETTING);
}

static void test_refusals(void **state)
{
	(void)state;
	refuse(VM_RUNNING, VM_EV_RUN, -EALREADY);
	refuse(VM_PAUSED, VM_EV_PAUSE, -EALREADY);
	refuse(VM_CREATED, VM_EV_PAUSE, -EINVAL);
	refuse(VM_RUNNING, VM_EV_RESET_DONE, -EINVAL);
	refuse(VM_CREATED, VM_EV_CRASH, -EINVAL);
}

static void test_nothing_leaves_deleting(void **state)
{
	(void)state;
	for (int e = 0; e < VM_NR_EVENTS; e++)
		refuse(VM_DELETING, (enum vm_event)e, -ENOENT);
	for (int s = 0; s < VM_DELETING; s++)
		expect((enum vm_state)s, VM_EV_DELETE, VM_DELETING);
}

/* Every entry of the table is filled in: a forgotten one would read as a silent -EINVAL. */
static void test_table_complete_and_names(void **state)
{
	enum vm_state got;

	(void)state;
	for (int s = 0; s < VM_NR_STATES; s++) {
		assert_string_not_equal(vm_state_name((enum vm_state)s), "?");
		for (int e = 0; e < VM_NR_EVENTS; e++) {
			int r = vm_state_next((enum vm_state)s, (enum vm_event)e, &got);

			assert_true(r == 0 || r == -EINVAL || r == -EALREADY || r == -EBUSY ||
				    r == -ECANCELED || r == -ENOENT);
			if (!r)
				assert_true((unsigned)got < VM_NR_STATES);
		}
	}
	for (int e = 0; e < VM_NR_EVENTS; e++)
		assert_string_not_equal(vm_event_name((enum vm_event)e), "?");
	assert_string_equal(vm_state_name(VM_NR_STATES), "?");
	assert_int_equal(vm_state_next(VM_NR_STATES, VM_EV_RUN, &got), -EINVAL);
	assert_int_equal(vm_state_next(VM_RUNNING, VM_NR_EVENTS, &got), -EINVAL);
	assert_string_equal(vm_state_name(VM_RESETTING), "resetting");
	assert_string_equal(vm_state_name(VM_CRASHED), "crashed");
}

static void test_names(void **state)
{
	(void)state;
	assert_null(vm_name_problem("web"));
	assert_null(vm_name_problem("rt-0_a.b"));
	assert_null(vm_name_problem("1a"));
	assert_null(vm_name_problem("abcdefghijklmnopqrstuvw")); /* 23 */
	assert_non_null(strstr(vm_name_problem("abcdefghijklmnopqrstuvwx"), "at most 23"));
	assert_non_null(strstr(vm_name_problem(""), "empty"));
	assert_non_null(strstr(vm_name_problem(NULL), "empty"));
	assert_non_null(strstr(vm_name_problem("123"), "digits"));
	assert_non_null(strstr(vm_name_problem("0"), "digits"));
	assert_non_null(strstr(vm_name_problem("a b"), "letters"));
	assert_non_null(strstr(vm_name_problem("a/b"), "letters"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normal_life),
	    cmocka_unit_test(test_nothing_but_the_worker_ends_a_reset),
	    cmocka_unit_test(test_halted_and_crashed_restart_only_through_reset),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_nothing_leaves_deleting),
	    cmocka_unit_test(test_table_complete_and_names),
	    cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
