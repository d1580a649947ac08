/* The emulated EL1 physical timer's registers: CTL/CVAL/TVAL semantics and the line level. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/vdev/vptimer_regs.h>

#define EN    CNTP_CTL_ENABLE
#define MASK  CNTP_CTL_IMASK
#define ISTAT CNTP_CTL_ISTATUS

static void test_ctl_keeps_enable_and_imask_only(void **state)
{
	struct vptimer_regs r = {0};

	(void)state;
	vptimer_regs_write(&r, VPTIMER_CTL, ~0ULL, 100);
	assert_int_equal(r.ctl, EN | MASK); /* ISTATUS is read-only, the rest RES0 */
	vptimer_regs_write(&r, VPTIMER_CTL, 0, 100);
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CTL, 100), 0);
}

static void test_istatus_follows_the_count(void **state)
{
	struct vptimer_regs r = {.ctl = EN, .cval = 1000};

	(void)state;
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CTL, 999), EN);
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CTL, 1000), EN | ISTAT);
	/* Masked: the condition still shows, the line stays low. */
	r.ctl = EN | MASK;
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CTL, 5000), EN | MASK | ISTAT);
	assert_false(vptimer_regs_level(&r, 5000));
	/* Disabled: no condition. */
	r.ctl = 0;
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CTL, 5000), 0);
	/* The comparison is unsigned over 64 bits: a CVAL near the top is far in the future. */
	r = (struct vptimer_regs){.ctl = EN, .cval = UINT64_MAX};
	assert_false(vptimer_regs_level(&r, 1ULL << 63));
	assert_true(vptimer_regs_level(&r, UINT64_MAX));
}

static void test_level(void **state)
{
	struct vptimer_regs r = {.ctl = EN, .cval = 50};

	(void)state;
	assert_false(vptimer_regs_level(&r, 49));
	assert_true(vptimer_regs_level(&r, 50));
	assert_true(vptimer_regs_level(&r, 51));
	r.ctl = EN | MASK;
	assert_false(vptimer_regs_level(&r, 51));
	r.ctl = MASK;
	assert_false(vptimer_regs_level(&r, 51));
	r.ctl = 0;
	assert_false(vptimer_regs_level(&r, 51));
}

static void test_tval_writes_sign_extend(void **state)
{
	struct vptimer_regs r = {0};

	(void)state;
	vptimer_regs_write(&r, VPTIMER_TVAL, 300, 1000);
	assert_int_equal(r.cval, 1300);
	/* Only bits 31:0 count, sign-extended: 0xffffff00 is -256. */
	vptimer_regs_write(&r, VPTIMER_TVAL, 0xdead0000ffffff00ULL, 1000);
	assert_int_equal(r.cval, 1000 - 256);
	vptimer_regs_write(&r, VPTIMER_TVAL, 0x7fffffff, 10);
	assert_int_equal(r.cval, 10 + 0x7fffffffULL);
}

static void test_tval_reads_count_down(void **state)
{
	struct vptimer_regs r = {.ctl = EN, .cval = 1000};

	(void)state;
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_TVAL, 400), 600);
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_TVAL, 1000), 0);
	/* Past CVAL: negative as a 32-bit value, bits 63:32 zero. */
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_TVAL, 1001), 0xffffffffULL);
	/* Far from CVAL: only the low 32 bits of the difference. */
	r.cval = 0x500000010ULL;
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_TVAL, 0x10), 0);
}

static void test_cval_round_trips(void **state)
{
	struct vptimer_regs r = {0};

	(void)state;
	vptimer_regs_write(&r, VPTIMER_CVAL, 0xfedcba9876543210ULL, 5);
	assert_int_equal(vptimer_regs_read(&r, VPTIMER_CVAL, 7), 0xfedcba9876543210ULL);
}

static void test_deadline(void **state)
{
	struct vptimer_regs r = {.ctl = EN, .cval = 77};

	(void)state;
	assert_int_equal(vptimer_regs_deadline(&r), 77);
	r.ctl = EN | MASK;
	assert_true(vptimer_regs_deadline(&r) == UINT64_MAX);
	r.ctl = 0;
	assert_true(vptimer_regs_deadline(&r) == UINT64_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ctl_keeps_enable_and_imask_only),
	    cmocka_unit_test(test_istatus_follows_the_count),
	    cmocka_unit_test(test_level),
	    cmocka_unit_test(test_tval_writes_sign_extend),
	    cmocka_unit_test(test_tval_reads_count_down),
	    cmocka_unit_test(test_cval_round_trips),
	    cmocka_unit_test(test_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
