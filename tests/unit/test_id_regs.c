/* The guest's view of the ID registers, from values QEMU's -cpu max and cortex-a57 report. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/id_regs.h>

#define FIELD(v, shift) ((uint64_t)(v) << (shift))

static void test_hidden_features(void **state)
{
	(void)state;
	/* PFR0: EL0-EL3 AArch64(+32), FP, AdvSIMD, GIC 1, RAS 1, SVE 1, DIT 1, CSV2 1, CSV3 1. */
	uint64_t pfr0 = 0x1101001100000022ULL | FIELD(1, 24) | FIELD(1, 28) | FIELD(1, 32) |
			FIELD(1, 40) | FIELD(1, 44);
	uint64_t want = pfr0 & ~(FIELD(0xf, 32) | FIELD(0xf, 40) | FIELD(0xf, 44));

	assert_true(id_reg_guest_view(ID_AA64PFR0, pfr0, 40) == want);
	/* PFR1: BT 1, SSBS 2, MTE 2, SME 1: only BT and SSBS stay. */
	uint64_t pfr1 = FIELD(1, 0) | FIELD(2, 4) | FIELD(2, 8) | FIELD(1, 24);

	assert_true(id_reg_guest_view(ID_AA64PFR1, pfr1, 40) == (FIELD(1, 0) | FIELD(2, 4)));
	assert_true(id_reg_guest_view(ID_AA64ZFR0, 0x0110110000000011ULL, 40) == 0);
	assert_true(id_reg_guest_view(ID_AA64SMFR0, 0x8000000100000000ULL, 40) == 0);
	/* DFR0: DebugVer 6, TraceVer 1, PMUVer 6, BRPs 5, WRPs 3, PMSVer 1: trace and SPE go. */
	uint64_t dfr0 =
	    0x6 | FIELD(1, 4) | FIELD(6, 8) | FIELD(5, 12) | FIELD(3, 20) | FIELD(1, 32);

	assert_true(id_reg_guest_view(ID_AA64DFR0, dfr0, 40) ==
		    (dfr0 & ~(FIELD(0xf, 4) | FIELD(0xf, 32))));
	/* MMFR1: LO 1, VH 1: LORegions go. */
	assert_true(id_reg_guest_view(ID_AA64MMFR1, FIELD(1, 16) | FIELD(1, 8), 40) == FIELD(1, 8));
	/* PFR2 and MMFR3 are hidden whole; ISAR2 loses WFxT and MOPS only. */
	assert_true(id_reg_guest_view(ID_AA64PFR2, 0x100000011ULL, 40) == 0);
	assert_true(id_reg_guest_view(ID_AA64MMFR3, 0x1111ULL, 40) == 0);
	assert_true(id_reg_guest_view(ID_AA64ISAR2, FIELD(2, 0) | FIELD(1, 12) | FIELD(1, 16),
				      40) == FIELD(1, 12));
	/* Everything else passes unchanged, pointer authentication included. */
	assert_true(id_reg_guest_view(ID_AA64ISAR1, 0x0000000001111111ULL, 40) ==
		    0x0000000001111111ULL);
	assert_true(id_reg_guest_view(ID_REG(1, 0), 0x131, 40) == 0x131); /* ID_PFR0_EL1 */
}

static void test_parange_clamped_to_ipa(void **state)
{
	(void)state;
	const uint64_t rest = FIELD(2, 4) | FIELD(0xf, 28); /* ASIDBits 16, TGran4 etc. */

	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 5, 40) == (rest | 2)); /* 48 -> 40 */
	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 6, 44) == (rest | 4)); /* 52 -> 44 */
	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 1, 40) == (rest | 1)); /* 36 stays */
	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 2, 40) == (rest | 2));
	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 0xf, 40) == (rest | 2)); /* unknown */
	assert_true(id_reg_guest_view(ID_AA64MMFR0, rest | 5, 32) == (rest | 0));
}

static void test_pauth_detection(void **state)
{
	(void)state;
	assert_false(id_has_pauth(0x0000000000011120ULL & ~0xff0ULL, 0));    /* DPB, JSCVT, ... */
	assert_true(id_has_pauth(FIELD(1, 4), 0));			     /* APA */
	assert_true(id_has_pauth(FIELD(1, 8), 0));			     /* API (impdef) */
	assert_true(id_has_pauth(FIELD(1, 24), 0));			     /* GPA */
	assert_true(id_has_pauth(0, FIELD(1, 12)));			     /* APA3 */
	assert_true(id_has_pauth(0, FIELD(1, 8)));			     /* GPA3 */
	assert_false(id_has_pauth(FIELD(1, 0) | FIELD(1, 12), FIELD(1, 0))); /* DPB, JSCVT, WFxT */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hidden_features),
	    cmocka_unit_test(test_parange_clamped_to_ipa),
	    cmocka_unit_test(test_pauth_detection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
