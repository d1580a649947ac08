/* GICv2 encodings: the CPU interface number from ITARGETSR0..7, GICD_SGIR and GICC_EOIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <drivers/gic.h>
#include <drivers/gicv2.h>

bool gic_is_v2; /* gic.h's unit-test stand-in for the static branch reads it */

static void test_cpu_mask_first_nonzero_byte(void **state)
{
	(void)state;
	/* CPU 2 of a GIC-400: every banked byte reads 0x04. */
	uint32_t all[8] = {0x04040404, 0x04040404, 0x04040404, 0x04040404,
			   0x04040404, 0x04040404, 0x04040404, 0x04040404};
	assert_int_equal(gicv2_cpu_mask(all), 0x04);

	/* Some bytes read as zero (SGIs a GIC leaves RAZ): the first non-zero one counts, in
	 * byte order within each word, so the low byte of word 1 before its higher ones. */
	uint32_t some[8] = {0, 0x20100000, 0, 0, 0, 0, 0, 0x80};
	assert_int_equal(gicv2_cpu_mask(some), 0x10);
	uint32_t late[8] = {0, 0, 0, 0, 0, 0, 0, 0x8000};
	assert_int_equal(gicv2_cpu_mask(late), 0x80);

	uint32_t none[8] = {0};
	assert_int_equal(gicv2_cpu_mask(none), 0);
}

static void test_sgir(void **state)
{
	(void)state;
	/* TargetListFilter 0 (bits 25:24), the list in 23:16, NSATT 0, SGI number in 3:0. */
	assert_int_equal(gicv2_sgir_value(0, 0x01), 0x00010000);
	assert_int_equal(gicv2_sgir_value(3, 0x08), 0x00080003);
	assert_int_equal(gicv2_sgir_value(15, 0xff), 0x00ff000f);
	assert_int_equal(gicv2_sgir_value(17, 0x02), 0x00020001); /* only 4 bits of INTID */
}

static void test_eoir_keeps_sgi_source(void **state)
{
	(void)state;
	/* An SGI is ended with the CPUID its acknowledge reported (GICC_IAR[12:10]). */
	assert_int_equal(gicv2_eoir_value(1, 3), 1 | 3 << 10);
	assert_int_equal(gicv2_eoir_value(15, 7), 15 | 7 << 10);
	assert_int_equal(gicv2_eoir_value(0, 9), 0 | 1 << 10); /* 3 bits */
	/* Other interrupts have no source field. */
	assert_int_equal(gicv2_eoir_value(16, 3), 16);
	assert_int_equal(gicv2_eoir_value(33, 5), 33);
	assert_int_equal(gicv2_eoir_value(1023, 1), 1023);
}

/* The static branch's patch: B imm26, the word offset from the nop to the v2 code. */
static void test_branch_insn(void **state)
{
	(void)state;
	assert_int_equal(gic_branch_insn(0x40081000, 0x40081008), 0x14000002);
	assert_int_equal(gic_branch_insn(0x40081008, 0x40081000), 0x17fffffe); /* -2 words */
	assert_int_equal(gic_branch_insn(0x40081000, 0x40081004), 0x14000001);
	/* The farthest forward and backward targets, +-128 MiB. */
	assert_int_equal(gic_branch_insn(0x48000000, 0x48000000 + (128u << 20) - 4), 0x15ffffff);
	assert_int_equal(gic_branch_insn(0x48000000, 0x48000000 - (128u << 20)), 0x16000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cpu_mask_first_nonzero_byte),
	    cmocka_unit_test(test_sgir),
	    cmocka_unit_test(test_eoir_keeps_sgi_source),
	    cmocka_unit_test(test_branch_insn),
	};

	return cmocka_run_group_tests_name("gicv2", tests, NULL, NULL);
}
