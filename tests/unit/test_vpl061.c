/* PL061 register logic: ID registers, masked data reads, edge and level interrupts as Linux's
 * gpio-pl061 driver programs them for gpio-keys, and the interrupt clear. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include <zvm/vdev/vpl061.h>

static uint64_t rd(struct vpl061_regs *r, uint64_t off)
{
	uint64_t v = ~0ULL;

	assert_int_equal(vpl061_regs_read(r, off, 4, &v), 0);
	return v;
}

static void wr(struct vpl061_regs *r, uint64_t off, uint64_t v)
{
	assert_int_equal(vpl061_regs_write(r, off, 4, v), 0);
}

static void test_ids_and_bad_accesses(void **state)
{
	static const uint8_t ids[] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};
	struct vpl061_regs r;
	uint64_t v;

	(void)state;
	vpl061_regs_reset(&r);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(&r, 0xfe0 + 4 * i), ids[i]);
	assert_int_equal(vpl061_regs_read(&r, 0x402, 4, &v), -EINVAL);
	assert_int_equal(vpl061_regs_read(&r, 0x400, 8, &v), -EINVAL);
	assert_int_equal(vpl061_regs_read(&r, 0x800, 4, &v), -EINVAL);
	assert_int_equal(vpl061_regs_write(&r, 0x800, 4, 0), -EINVAL);
	assert_int_equal(vpl061_regs_read(&r, 0x400, 1, &v), 0);
}

static void test_data_is_masked_by_address(void **state)
{
	struct vpl061_regs r;

	(void)state;
	vpl061_regs_reset(&r);
	vpl061_regs_set_input(&r, 3, true);
	assert_int_equal(rd(&r, 0x3fc), 0x08);
	assert_int_equal(rd(&r, 0x08 << 2), 0x08);
	assert_int_equal(rd(&r, 0x04 << 2), 0);
	/* Outputs read back what was written, inputs what is outside. */
	wr(&r, 0x400, 0x01);
	wr(&r, 0x3fc, 0xff);
	assert_int_equal(rd(&r, 0x3fc), 0x09);
}

/* gpio-keys on gpio-pl061: both edges (IS=0, IBE=1), unmasked; a press raises MIS. */
static void test_both_edges(void **state)
{
	struct vpl061_regs r;

	(void)state;
	vpl061_regs_reset(&r);
	wr(&r, 0x408, 0x08); /* IBE */
	wr(&r, 0x410, 0x08); /* IE */
	assert_int_equal(vpl061_regs_mis(&r), 0);
	vpl061_regs_set_input(&r, 3, true);
	assert_int_equal(vpl061_regs_mis(&r), 0x08);
	assert_int_equal(rd(&r, 0x418), 0x08);
	wr(&r, 0x41c, 0x08); /* IC */
	assert_int_equal(vpl061_regs_mis(&r), 0);
	vpl061_regs_set_input(&r, 3, true); /* no edge: nothing */
	assert_int_equal(vpl061_regs_mis(&r), 0);
	vpl061_regs_set_input(&r, 3, false);
	assert_int_equal(vpl061_regs_mis(&r), 0x08);
}

static void test_rising_edge_only_and_masking(void **state)
{
	struct vpl061_regs r;

	(void)state;
	vpl061_regs_reset(&r);
	wr(&r, 0x40c, 0x08); /* IEV: rising */
	vpl061_regs_set_input(&r, 3, true);
	assert_int_equal(rd(&r, 0x414), 0x08); /* raw status even while masked */
	assert_int_equal(vpl061_regs_mis(&r), 0);
	wr(&r, 0x410, 0x08);
	assert_int_equal(vpl061_regs_mis(&r), 0x08);
	wr(&r, 0x41c, 0xff);
	vpl061_regs_set_input(&r, 3, false); /* falling: ignored */
	assert_int_equal(vpl061_regs_mis(&r), 0);
}

static void test_level_interrupts_follow_the_pin(void **state)
{
	struct vpl061_regs r;

	(void)state;
	vpl061_regs_reset(&r);
	wr(&r, 0x404, 0x08); /* IS: level */
	wr(&r, 0x40c, 0x08); /* high */
	wr(&r, 0x410, 0x08);
	assert_int_equal(vpl061_regs_mis(&r), 0);
	vpl061_regs_set_input(&r, 3, true);
	assert_int_equal(vpl061_regs_mis(&r), 0x08);
	wr(&r, 0x41c, 0x08); /* a clear does not end a level */
	assert_int_equal(vpl061_regs_mis(&r), 0x08);
	vpl061_regs_set_input(&r, 3, false);
	assert_int_equal(vpl061_regs_mis(&r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ids_and_bad_accesses),
	    cmocka_unit_test(test_data_is_masked_by_address),
	    cmocka_unit_test(test_both_edges),
	    cmocka_unit_test(test_rising_edge_only_and_masking),
	    cmocka_unit_test(test_level_interrupts_follow_the_pin),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
