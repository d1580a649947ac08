/* The registers HCR_EL2.TVM traps: decode by encoding, names, and the cache-on test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include <zvm/setway.h>

/* Written from the Arm ARM's HCR_EL2.TVM description, apart from the header's list. */
static const struct {
	const char *name;
	unsigned op0, op1, crn, crm, op2;
} tvm_set[] = {
    {"SCTLR_EL1", 3, 0, 1, 0, 0},  {"TTBR0_EL1", 3, 0, 2, 0, 0},       {"TTBR1_EL1", 3, 0, 2, 0, 1},
    {"TCR_EL1", 3, 0, 2, 0, 2},	   {"ESR_EL1", 3, 0, 5, 2, 0},	       {"FAR_EL1", 3, 0, 6, 0, 0},
    {"AFSR0_EL1", 3, 0, 5, 1, 0},  {"AFSR1_EL1", 3, 0, 5, 1, 1},       {"MAIR_EL1", 3, 0, 10, 2, 0},
    {"AMAIR_EL1", 3, 0, 10, 3, 0}, {"CONTEXTIDR_EL1", 3, 0, 13, 0, 1},
};
#define N_TVM (sizeof(tvm_set) / sizeof(tvm_set[0]))

static void test_every_tvm_register_decodes(void **state)
{
	bool seen[TVM_NR_REGS] = {0};

	(void)state;
	assert_int_equal(N_TVM, TVM_NR_REGS);
	for (unsigned i = 0; i < N_TVM; i++) {
		uint32_t enc = TVM_ENC(tvm_set[i].op0, tvm_set[i].op1, tvm_set[i].crn,
				       tvm_set[i].crm, tvm_set[i].op2);
		int r = tvm_reg_decode(enc);

		assert_true(r >= 0 && r < TVM_NR_REGS);
		assert_string_equal(tvm_reg_name((enum tvm_reg)r), tvm_set[i].name);
		assert_false(seen[r]);
		seen[r] = true;
	}
}

/* Nothing else in the op0=3 op1=0 space decodes (VBAR, CPACR, ACTLR, PAR, TPIDR...), nor
 * another op1 (the EL2 or EL12 forms). */
static void test_nothing_else_decodes(void **state)
{
	unsigned hits = 0;

	(void)state;
	for (unsigned op1 = 0; op1 < 8; op1++)
		for (unsigned crn = 0; crn < 16; crn++)
			for (unsigned crm = 0; crm < 16; crm++)
				for (unsigned op2 = 0; op2 < 8; op2++)
					if (tvm_reg_decode(TVM_ENC(3, op1, crn, crm, op2)) >= 0)
						hits++;
	assert_int_equal(hits, N_TVM);
	assert_int_equal(tvm_reg_decode(TVM_ENC(3, 0, 12, 0, 0)), -1); /* VBAR_EL1 */
	assert_int_equal(tvm_reg_decode(TVM_ENC(3, 4, 1, 0, 0)), -1);  /* SCTLR_EL2 */
	assert_int_equal(tvm_reg_decode(TVM_ENC(3, 5, 1, 0, 0)), -1);  /* SCTLR_EL12 */
	assert_int_equal(tvm_reg_decode(TVM_ENC(1, 0, 7, 14, 2)), -1); /* DC CISW */
	assert_string_equal(tvm_reg_name(TVM_NR_REGS), "?");
}

static void test_caches_on(void **state)
{
	(void)state;
	assert_false(tvm_caches_on(0x30d00800));	      /* reset: MMU and caches off */
	assert_false(tvm_caches_on(0x30d00800 | 1));	      /* MMU only */
	assert_false(tvm_caches_on(0x30d00800 | 4 | 0x1000)); /* C and I without the MMU */
	assert_true(tvm_caches_on(0x30d00800 | 5));
	assert_true(tvm_caches_on(~0ULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_tvm_register_decodes),
	    cmocka_unit_test(test_nothing_else_decodes),
	    cmocka_unit_test(test_caches_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
