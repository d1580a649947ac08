/* IT state and condition codes of traps from a guest's AArch32 EL0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/aarch32.h>

#define N  (1ULL << 31)
#define Z  (1ULL << 30)
#define C  (1ULL << 29)
#define V  (1ULL << 28)
#define CV (1u << 24)

/* PSTATE of T32 User mode with ITSTATE it. */
static uint64_t t32_it(unsigned it)
{
	return PSR_AA32 | PSR_AA32_T | (uint64_t)(it >> 2) << 10 | (uint64_t)(it & 3) << 25;
}

static uint32_t cond_iss(unsigned cond)
{
	return CV | cond << 20;
}

static void test_itstate_advance(void **state)
{
	(void)state;
	/* ITTE EQ: firstcond 0000, mask 0110 -> IT = 0000 0110 (then 0000 1100, 0001 1000, 0). */
	assert_true(aa32_itstate_advance(t32_it(0x06)) == t32_it(0x0c));
	assert_true(aa32_itstate_advance(t32_it(0x0c)) == t32_it(0x18));
	assert_true(aa32_itstate_advance(t32_it(0x18)) == t32_it(0x00));
	/* IT GT (one instruction): 1100 1000 -> done. */
	assert_true(aa32_itstate_advance(t32_it(0xc8)) == t32_it(0x00));
	/* ITT NE: 0001 1100 -> 0001 1000: the base condition keeps its top bits. */
	assert_true(aa32_itstate_advance(t32_it(0x1c)) == t32_it(0x18));
	/* Outside an IT block, in A32, or with flags set: nothing else changes. */
	assert_true(aa32_itstate_advance(t32_it(0) | N | C) == (t32_it(0) | N | C));
	assert_true(aa32_itstate_advance(PSR_AA32 | 0xfc00) == (PSR_AA32 | 0xfc00));
	assert_true(aa32_itstate_advance(t32_it(0x06) | Z) == (t32_it(0x0c) | Z));
}

static void test_condition_codes(void **state)
{
	(void)state;
	const uint64_t a32 = PSR_AA32;

	assert_true(aa32_condition_passed(cond_iss(0x0), a32 | Z)); /* EQ */
	assert_false(aa32_condition_passed(cond_iss(0x0), a32));
	assert_true(aa32_condition_passed(cond_iss(0x1), a32));	     /* NE */
	assert_true(aa32_condition_passed(cond_iss(0x2), a32 | C));  /* CS */
	assert_true(aa32_condition_passed(cond_iss(0x3), a32));	     /* CC */
	assert_true(aa32_condition_passed(cond_iss(0x4), a32 | N));  /* MI */
	assert_false(aa32_condition_passed(cond_iss(0x5), a32 | N)); /* PL */
	assert_true(aa32_condition_passed(cond_iss(0x6), a32 | V));  /* VS */
	assert_true(aa32_condition_passed(cond_iss(0x7), a32));	     /* VC */
	assert_true(aa32_condition_passed(cond_iss(0x8), a32 | C));  /* HI */
	assert_false(aa32_condition_passed(cond_iss(0x8), a32 | C | Z));
	assert_true(aa32_condition_passed(cond_iss(0x9), a32 | C | Z)); /* LS */
	assert_true(aa32_condition_passed(cond_iss(0xa), a32 | N | V)); /* GE */
	assert_false(aa32_condition_passed(cond_iss(0xa), a32 | N));
	assert_true(aa32_condition_passed(cond_iss(0xb), a32 | V)); /* LT */
	assert_true(aa32_condition_passed(cond_iss(0xc), a32));	    /* GT */
	assert_false(aa32_condition_passed(cond_iss(0xc), a32 | Z));
	assert_true(aa32_condition_passed(cond_iss(0xd), a32 | Z)); /* LE */
	assert_true(aa32_condition_passed(cond_iss(0xe), a32));	    /* AL */
	assert_true(aa32_condition_passed(cond_iss(0xf), a32));
	/* No CV: the IT state decides; none means unconditional. */
	assert_true(aa32_condition_passed(0, a32));
	assert_false(aa32_condition_passed(0, t32_it(0x08)));	 /* IT EQ, Z clear */
	assert_true(aa32_condition_passed(0, t32_it(0x08) | Z)); /* IT EQ, Z set */
	assert_true(aa32_condition_passed(0, t32_it(0x18)));	 /* IT NE */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_itstate_advance),
	    cmocka_unit_test(test_condition_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
