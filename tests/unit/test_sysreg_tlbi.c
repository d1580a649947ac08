/* The trapped TLB invalidations (HCR_EL2.TTLB) and the local form each becomes
 * (zvm/sysreg_decode.c): every EL1 TLBI of the Arm ARM, its inner- and outer-shareable, range
 * and nXS forms, and nothing else of the space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <zvm/sysreg_decode.h>

/* ISS of a TLBI at op1 0 (op0 1) with CRn, CRm, Op2 and Rt 3, a write. */
static uint32_t tlbi_iss(unsigned crn, unsigned crm, unsigned op2)
{
	return SYSREG(1, 0, crn, crm, op2) | 3u << 5;
}

/* Written from the Arm ARM's list (TLBI <op>, op1 0): the local form's CRm and Op2. */
static const struct {
	const char *name;
	unsigned crm, op2, local_crm;
} tlbis[] = {
    {"VMALLE1", 7, 0, 7},   {"VAE1", 7, 1, 7},	    {"ASIDE1", 7, 2, 7},    {"VAAE1", 7, 3, 7},
    {"VALE1", 7, 5, 7},	    {"VAALE1", 7, 7, 7},    {"VMALLE1IS", 3, 0, 7}, {"VAE1IS", 3, 1, 7},
    {"ASIDE1IS", 3, 2, 7},  {"VAAE1IS", 3, 3, 7},   {"VALE1IS", 3, 5, 7},   {"VAALE1IS", 3, 7, 7},
    {"VMALLE1OS", 1, 0, 7}, {"VAE1OS", 1, 1, 7},    {"ASIDE1OS", 1, 2, 7},  {"VAAE1OS", 1, 3, 7},
    {"VALE1OS", 1, 5, 7},   {"VAALE1OS", 1, 7, 7},  {"RVAE1", 6, 1, 6},	    {"RVAAE1", 6, 3, 6},
    {"RVALE1", 6, 5, 6},    {"RVAALE1", 6, 7, 6},   {"RVAE1IS", 2, 1, 6},   {"RVAAE1IS", 2, 3, 6},
    {"RVALE1IS", 2, 5, 6},  {"RVAALE1IS", 2, 7, 6}, {"RVAE1OS", 5, 1, 6},   {"RVAAE1OS", 5, 3, 6},
    {"RVALE1OS", 5, 5, 6},  {"RVAALE1OS", 5, 7, 6},
};
#define N_TLBI (sizeof(tlbis) / sizeof(tlbis[0]))

static void every_tlbi_becomes_its_local_form(void **state)
{
	(void)state;
	for (unsigned crn = 8; crn <= 9; crn++) /* 9: the nXS forms */
		for (unsigned i = 0; i < N_TLBI; i++) {
			struct sysreg_access a =
			    sysreg_decode(tlbi_iss(crn, tlbis[i].crm, tlbis[i].op2));

			if (a.cls != SR_TLBI ||
			    a.id != TLBI_LOCAL(tlbis[i].local_crm, tlbis[i].op2))
				fail_msg("%s (CRn %u): class %d, id %u", tlbis[i].name, crn, a.cls,
					 a.id);
			assert_int_equal(a.rt, 3);
		}
}

/* The rest of op1 0's CRn 8 and 9, the other op1 values (EL2's and EL3's TLBIs, which EL1
 * cannot make), reads, and neighbouring spaces stay what they were. */
static void nothing_else_is_a_tlbi(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned op1 = 0; op1 < 8; op1++)
		for (unsigned crn = 7; crn <= 10; crn++)
			for (unsigned crm = 0; crm < 16; crm++)
				for (unsigned op2 = 0; op2 < 8; op2++)
					for (unsigned rd = 0; rd < 2; rd++) {
						uint32_t iss = SYSREG(1, op1, crn, crm, op2) | rd;
						bool listed = false;

						for (unsigned i = 0; i < N_TLBI; i++)
							listed |= tlbis[i].crm == crm &&
								  tlbis[i].op2 == op2;
						listed &= op1 == 0 && (crn == 8 || crn == 9) && !rd;
						n += listed;
						assert_int_equal(sysreg_decode(iss).cls == SR_TLBI,
								 listed);
					}
	assert_int_equal(n, 2 * N_TLBI);
	/* DC ISW stays a set/way operation (CRn 7). */
	assert_int_equal(sysreg_decode(SYSREG(1, 0, 7, 6, 2)).cls, SR_SETWAY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_tlbi_becomes_its_local_form),
	    cmocka_unit_test(nothing_else_is_a_tlbi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
