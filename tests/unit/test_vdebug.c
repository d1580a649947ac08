/* A guest's breakpoint and watchpoint values: what a vCPU keeps and what the hardware gets
 * (zvm/vdebug_regs.c), and the counts the guest sees in ID_AA64DFR0_EL1 (zvm/id_regs.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/id_regs.h>
#include <zvm/vdebug_regs.h>

/* Cortex-A57 (and QEMU's model of it): 6 breakpoints, 2 context-aware (4 and 5), 4 watchpoints. */
static const struct vdebug_limits a57 = {.brps = 6, .wrps = 4, .ctx_cmps = 2};

#define PMC_EL1	 (1ULL << 1)
#define PMC_EL0	 (2ULL << 1)
#define PMC_BOTH (3ULL << 1)
#define BAS_ALL	 (0xfULL << 5)
#define SSC(x)	 ((uint64_t)(x) << 14)
#define LBN(x)	 ((uint64_t)(x) << 16)
#define BT(x)	 ((uint64_t)(x) << 20)
#define LSC_ST	 (2ULL << 3)
#define WBAS_8	 (0xffULL << 5)

/* A plain EL1 address breakpoint: what the hardware gets is that plus SSC = Non-secure. */
static uint64_t bcr_hw1(uint64_t bcr0)
{
	uint64_t bank[VDEBUG_MAX] = {bcr0};

	return vdebug_bcr_hw(bank, 0, &a57);
}

static void test_limits(void **state)
{
	(void)state;
	/* DFR0 of a Cortex-A57: BRPs 5, WRPs 3, CTX_CMPs 1. */
	struct vdebug_limits l = vdebug_limits_from_dfr0(0x10305106ULL);

	assert_int_equal(l.brps, 6);
	assert_int_equal(l.wrps, 4);
	assert_int_equal(l.ctx_cmps, 2);
	/* More context-aware breakpoints than breakpoints: never trusted past brps. */
	l = vdebug_limits_from_dfr0(0xf0000000ULL);
	assert_int_equal(l.brps, 1);
	assert_int_equal(l.ctx_cmps, 1);
}

static void test_res0_bits_dropped(void **state)
{
	(void)state;
	assert_true(vdebug_bcr_store(~0ULL) == 0x00ffe1e7ULL);
	assert_true(vdebug_wcr_store(~0ULL) == 0x1f1fffffULL);
	assert_true(vdebug_vr_store(0xffff000040080007ULL) == 0xffff000040080004ULL);
	/* A well-formed value reads back as written. */
	uint64_t bcr = 1 | PMC_EL1 | BAS_ALL;

	assert_true(vdebug_bcr_store(bcr) == bcr);
}

static void test_breakpoint_confined_to_guest_els(void **state)
{
	(void)state;
	uint64_t bcr = 1 | PMC_EL1 | BAS_ALL;

	assert_true(bcr_hw1(bcr) == (bcr | SSC(1)));
	assert_true(bcr_hw1(1 | PMC_EL0 | BAS_ALL) == (1 | PMC_EL0 | BAS_ALL | SSC(1)));
	/* HMC = 1 (would match at EL2), SSC = secure / EL3 combinations: HMC and SSC forced. */
	for (unsigned ssc = 0; ssc < 4; ssc++) {
		uint64_t hw = bcr_hw1(bcr | (1ULL << 13) | SSC(ssc));

		assert_true(hw == (bcr | SSC(1)));
	}
	/* PMC = 0 with HMC = 1, SSC = 11 would be EL3/EL2 only: disabled. */
	uint64_t hw = bcr_hw1(1 | BAS_ALL | (1ULL << 13) | SSC(3));

	assert_false(hw & 1);
	assert_false(hw & (1ULL << 13));
	/* A disabled value still goes in confined. */
	assert_true(bcr_hw1(PMC_BOTH | BAS_ALL | (1ULL << 13)) == (PMC_BOTH | BAS_ALL | SSC(1)));
}

static void test_breakpoint_types(void **state)
{
	(void)state;
	uint64_t bank[VDEBUG_MAX] = {0};
	uint64_t on = 1 | PMC_BOTH | BAS_ALL;

	/* VMID (8, 9), VMID + CONTEXTIDR (0xa, 0xb), CONTEXTIDR_EL2 (6, 7, 0xc-0xf), address
	 * mismatch (4, 5): never, even on a context-aware breakpoint; the type goes too. */
	for (unsigned bt = 4; bt < 16; bt++) {
		bank[5] = on | BT(bt);
		uint64_t hw = vdebug_bcr_hw(bank, 5, &a57);

		assert_false(hw & 1);
		assert_int_equal((hw >> 20) & 0xf, 0);
	}
	/* CONTEXTIDR_EL1 match: only on the context-aware ones (4 and 5). */
	bank[3] = on | BT(2);
	bank[4] = on | BT(2);
	bank[5] = on | BT(3);
	assert_false(vdebug_bcr_hw(bank, 3, &a57) & 1);
	assert_true(vdebug_bcr_hw(bank, 4, &a57) & 1);
	assert_true(vdebug_bcr_hw(bank, 5, &a57) & 1);
	/* Linked address match: to a linked CONTEXTIDR_EL1 breakpoint only. */
	bank[0] = on | BT(1) | LBN(5);
	assert_true(vdebug_bcr_hw(bank, 0, &a57) == (on | BT(1) | LBN(5) | SSC(1)));
	bank[0] = on | BT(1) | LBN(4); /* unlinked context type */
	assert_false(vdebug_bcr_hw(bank, 0, &a57) & 1);
	bank[0] = on | BT(1) | LBN(1); /* not context-aware */
	bank[1] = on | BT(3);
	assert_false(vdebug_bcr_hw(bank, 0, &a57) & 1);
	bank[0] = on | BT(1) | LBN(9); /* past the CPU's breakpoints */
	bank[9] = on | BT(3);
	assert_false(vdebug_bcr_hw(bank, 0, &a57) & 1);
	bank[5] = on | BT(9); /* a VMID breakpoint is no link target */
	bank[0] = on | BT(1) | LBN(5);
	assert_false(vdebug_bcr_hw(bank, 0, &a57) & 1);
}

static void test_watchpoints(void **state)
{
	(void)state;
	uint64_t bank[VDEBUG_MAX] = {0};
	uint64_t wcr = 1 | PMC_EL1 | LSC_ST | WBAS_8;

	assert_true(vdebug_wcr_hw(wcr, bank, &a57) == (wcr | SSC(1)));
	/* HMC / SSC forced; PAC = 0 and LSC = 0 are reserved: disabled. */
	assert_true(vdebug_wcr_hw(wcr | (1ULL << 13) | SSC(2), bank, &a57) == (wcr | SSC(1)));
	assert_false(vdebug_wcr_hw(1 | LSC_ST | WBAS_8, bank, &a57) & 1);
	assert_false(vdebug_wcr_hw(1 | PMC_EL1 | WBAS_8, bank, &a57) & 1);
	/* RES0 bits dropped on the way in too. */
	assert_true(vdebug_wcr_hw(wcr | (7ULL << 21) | (1ULL << 40), bank, &a57) == (wcr | SSC(1)));
	/* Linked (WT): to a linked CONTEXTIDR_EL1 breakpoint only. */
	uint64_t linked = wcr | (1ULL << 20) | LBN(4);

	bank[4] = 1 | PMC_BOTH | BAS_ALL | BT(3);
	assert_true(vdebug_wcr_hw(linked, bank, &a57) & 1);
	bank[4] = 1 | PMC_BOTH | BAS_ALL | BT(0xb); /* VMID + CONTEXTIDR */
	assert_false(vdebug_wcr_hw(linked, bank, &a57) & 1);
	bank[1] = 1 | PMC_BOTH | BAS_ALL | BT(3);
	assert_false(vdebug_wcr_hw(wcr | (1ULL << 20) | LBN(1), bank, &a57) & 1);
}

static void test_guest_id_view(void **state)
{
	(void)state;
	/* The counts reach the guest unchanged (each vCPU has them all); DebugVer past 8.8 is
	 * clamped (no MDSELR_EL1 banks), DFR1 (its extended counts) hidden. */
	uint64_t dfr0 = 0x10305106ULL;

	assert_true(id_reg_guest_view(ID_AA64DFR0, dfr0, 40) == dfr0);
	assert_true(id_reg_guest_view(ID_AA64DFR0, (dfr0 & ~0xfULL) | 0xb, 40) ==
		    ((dfr0 & ~0xfULL) | 0xa));
	assert_true(id_reg_guest_view(ID_AA64DFR1, 0x3f3f3fULL, 40) == 0);
}

/* A board mixing cores: guests get what every CPU has, and context types only on breakpoints
 * that are context-aware on every CPU. */
static void test_limits_common_to_all_cpus(void **state)
{
	struct vdebug_limits big = {.brps = 6, .wrps = 4, .ctx_cmps = 2};   /* ctx: 4, 5 */
	struct vdebug_limits small = {.brps = 4, .wrps = 2, .ctx_cmps = 2}; /* ctx: 2, 3 */
	struct vdebug_limits c = vdebug_limits_common(&big, &small);
	uint64_t bank[VDEBUG_MAX] = {0};

	(void)state;
	assert_int_equal(c.brps, 4);
	assert_int_equal(c.wrps, 2);
	assert_int_equal(c.ctx_cmps, 0); /* 2 and 3 are not context-aware on the big one */
	bank[3] = DBGCR_E | 1ULL << 1 | (uint64_t)BT_CTXID << 20;
	assert_false(vdebug_bcr_hw(bank, 3, &c) & DBGCR_E);
	/* The ID register still shows one (it cannot say none), and the smaller counts. */
	uint64_t dfr0 = vdebug_dfr0_view(0xf0f0f006ULL, &c);
	assert_int_equal((dfr0 >> 12) & 0xf, 3);
	assert_int_equal((dfr0 >> 20) & 0xf, 1);
	assert_int_equal((dfr0 >> 28) & 0xf, 0);
	assert_int_equal(dfr0 & 0xff, 0x06); /* other fields untouched */
	/* Overlapping context-aware ranges keep the overlap; the order does not matter. */
	struct vdebug_limits a = {.brps = 6, .wrps = 4, .ctx_cmps = 3}; /* 3, 4, 5 */
	struct vdebug_limits b = {.brps = 5, .wrps = 4, .ctx_cmps = 3}; /* 2, 3, 4 */
	struct vdebug_limits ab = vdebug_limits_common(&a, &b), ba = vdebug_limits_common(&b, &a);
	assert_int_equal(ab.brps, 5);
	assert_int_equal(ab.ctx_cmps, 2); /* 3, 4 */
	assert_memory_equal(&ab, &ba, sizeof(ab));
	/* Alike CPUs: unchanged. */
	struct vdebug_limits aa = vdebug_limits_common(&a, &a);
	assert_memory_equal(&aa, &a, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_res0_bits_dropped),
	    cmocka_unit_test(test_breakpoint_confined_to_guest_els),
	    cmocka_unit_test(test_breakpoint_types),
	    cmocka_unit_test(test_watchpoints),
	    cmocka_unit_test(test_guest_id_view),
	    cmocka_unit_test(test_limits_common_to_all_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
