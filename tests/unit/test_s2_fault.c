/* Stage-2 abort classification (every fault status code of both abort ECs) and the decision
 * of what to do for each class and region. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <zvm/s2_fault.h>

#define ESR(ec, iss) (((uint64_t)(ec) << 26) | (1u << 25) | (iss))

/* The expected class and level of each code, written from the Arm ARM's DFSC table. */
struct want {
	enum s2f_class cls;
	int level;
};

static struct want expected(unsigned fsc, bool instr)
{
	if (fsc <= 3)
		return (struct want){S2F_ADDR_SIZE, (int)fsc};
	if (fsc >= 4 && fsc <= 7)
		return (struct want){S2F_TRANSLATION, (int)fsc - 4};
	if (fsc >= 8 && fsc <= 11)
		return (struct want){S2F_ACCESS_FLAG, (int)fsc - 8};
	if (fsc >= 12 && fsc <= 15)
		return (struct want){S2F_PERMISSION, (int)fsc - 12};
	if (fsc >= 0x14 && fsc <= 0x17)
		return (struct want){S2F_EXT_ABORT_WALK, (int)fsc - 0x14};
	if (fsc >= 0x1c && fsc <= 0x1f)
		return (struct want){S2F_PARITY_WALK, (int)fsc - 0x1c};
	switch (fsc) {
	case 0x10:
		return (struct want){S2F_EXT_ABORT, S2F_NO_LEVEL};
	case 0x13:
		return (struct want){S2F_EXT_ABORT_WALK, -1};
	case 0x18:
		return (struct want){S2F_PARITY, S2F_NO_LEVEL};
	case 0x1b:
		return (struct want){S2F_PARITY_WALK, -1};
	case 0x21:
		return (struct want){instr ? S2F_OTHER : S2F_ALIGNMENT, S2F_NO_LEVEL};
	case 0x29:
		return (struct want){S2F_ADDR_SIZE, -1};
	case 0x2b:
		return (struct want){S2F_TRANSLATION, -1};
	case 0x30:
		return (struct want){S2F_TLB_CONFLICT, S2F_NO_LEVEL};
	case 0x31:
		return (struct want){S2F_ATOMIC_HW_UPDATE, S2F_NO_LEVEL};
	}
	return (struct want){S2F_OTHER, S2F_NO_LEVEL};
}

static void test_every_fsc_both_ecs(void **state)
{
	(void)state;
	for (unsigned instr = 0; instr < 2; instr++) {
		unsigned ec = instr ? S2F_EC_IABT_LOW : S2F_EC_DABT_LOW;

		for (unsigned fsc = 0; fsc < 64; fsc++) {
			struct s2f f = s2f_classify(ESR(ec, fsc));
			struct want w = expected(fsc, instr);

			if (f.cls != w.cls || f.level != w.level)
				fail_msg("EC 0x%x FSC 0x%02x: class %d level %d, want %d level %d",
					 ec, fsc, f.cls, f.level, w.cls, w.level);
			assert_int_equal(f.instr, instr);
			assert_false(f.s1ptw);
			assert_false(f.write);
			assert_false(f.fnv);
			assert_non_null(s2f_class_name(f.cls));
		}
	}
}

static void test_syndrome_bits(void **state)
{
	(void)state;
	struct s2f f = s2f_classify(ESR(0x24, S2F_ISS_WNR | 0x05));

	assert_true(f.write);
	f = s2f_classify(ESR(0x24, S2F_ISS_WNR | S2F_ISS_S1PTW | 0x05));
	assert_true(f.s1ptw);
	assert_false(f.write); /* a walk is a read whatever the access */
	f = s2f_classify(ESR(0x20, S2F_ISS_WNR | 0x05));
	assert_false(f.write);
	f = s2f_classify(ESR(0x24, S2F_ISS_FNV | 0x10));
	assert_true(f.fnv);
	/* The ISV, SAS, SRT... fields do not change the class. */
	f = s2f_classify(ESR(0x24, (1u << 24) | (3u << 22) | (5u << 16) | 0x06));
	assert_int_equal(f.cls, S2F_TRANSLATION);
	assert_int_equal(f.level, 2);
	/* Not an abort at all. */
	assert_int_equal(s2f_classify(ESR(0x18, 0x05)).cls, S2F_OTHER);
	assert_int_equal(s2f_classify(ESR(0x25, 0x05)).cls, S2F_OTHER);
}

static enum s2f_action decide(unsigned ec, uint32_t iss, enum s2f_region r)
{
	struct s2f f = s2f_classify(ESR(ec, iss));

	return s2f_decide(&f, r);
}

/* The faults the hardware cannot give under QEMU (TLB conflict, ECC) and the rest: each class
 * with each kind of region. */
static void test_decisions(void **state)
{
	(void)state;
	/* The MMIO case: translation (any level, LPA2's -1 too) or access flag on a device. */
	for (unsigned fsc = 4; fsc <= 7; fsc++)
		assert_int_equal(decide(0x24, fsc, S2R_MMIO), S2A_MMIO);
	assert_int_equal(decide(0x24, 0x2b, S2R_MMIO), S2A_MMIO);
	assert_int_equal(decide(0x24, 0x0a, S2R_MMIO), S2A_MMIO);
	assert_int_equal(decide(0x24, S2F_ISS_FNV | 0x05, S2R_MMIO), S2A_INJECT);
	assert_int_equal(decide(0x24, 0x0f, S2R_MMIO), S2A_INJECT); /* permission */
	assert_int_equal(decide(0x24, 0x21, S2R_MMIO), S2A_INJECT); /* alignment */
	/* Page tables in a device: no walk is emulated. */
	assert_int_equal(decide(0x24, S2F_ISS_S1PTW | 0x05, S2R_MMIO), S2A_INJECT);
	assert_int_equal(decide(0x20, S2F_ISS_S1PTW | 0x05, S2R_MMIO), S2A_INJECT);
	/* Executing from a device. */
	assert_int_equal(decide(0x20, 0x05, S2R_MMIO), S2A_INJECT_EXEC_DEVICE);
	assert_int_equal(decide(0x20, 0x0d, S2R_MMIO), S2A_INJECT_EXEC_DEVICE);

	/* Nothing there: every access, fetch and walk gets an abort. */
	for (unsigned fsc = 0; fsc < 64; fsc++) {
		enum s2f_action d = decide(0x24, fsc, S2R_NONE), i = decide(0x20, fsc, S2R_NONE);
		enum s2f_class cls = s2f_classify(ESR(0x24, fsc)).cls;
		bool hw = cls == S2F_EXT_ABORT || cls == S2F_EXT_ABORT_WALK || cls == S2F_PARITY ||
			  cls == S2F_PARITY_WALK;

		if (cls == S2F_TLB_CONFLICT) {
			assert_int_equal(d, S2A_RETRY_TLBI);
			assert_int_equal(i, S2A_RETRY_TLBI);
		} else {
			assert_int_equal(d, hw ? S2A_INJECT_HWERR : S2A_INJECT);
			assert_int_equal(i, hw ? S2A_INJECT_HWERR : S2A_INJECT);
		}
	}
	assert_int_equal(decide(0x24, S2F_ISS_S1PTW | 0x06, S2R_NONE), S2A_INJECT);

	/* Guest RAM: mapping faults go to the one memory hook, also from a walk or a fetch. */
	for (unsigned fsc = 4; fsc <= 15; fsc++) {
		assert_int_equal(decide(0x24, fsc, S2R_RAM), S2A_MEM);
		assert_int_equal(decide(0x20, fsc, S2R_RAM), S2A_MEM);
		assert_int_equal(decide(0x24, S2F_ISS_S1PTW | fsc, S2R_RAM), S2A_MEM);
	}
	assert_int_equal(decide(0x24, 0x2b, S2R_RAM), S2A_MEM);
	/* Hardware errors on RAM: an abort for the guest, never a host panic. */
	assert_int_equal(decide(0x24, 0x10, S2R_RAM), S2A_INJECT_HWERR);
	assert_int_equal(decide(0x24, 0x18, S2R_RAM), S2A_INJECT_HWERR);
	assert_int_equal(decide(0x20, 0x1d, S2R_RAM), S2A_INJECT_HWERR);
	assert_int_equal(decide(0x24, 0x15, S2R_MMIO), S2A_INJECT_HWERR);
	/* TLB conflicts: invalidate and retry, in any region. */
	assert_int_equal(decide(0x24, 0x30, S2R_RAM), S2A_RETRY_TLBI);
	assert_int_equal(decide(0x24, 0x30, S2R_MMIO), S2A_RETRY_TLBI);
	assert_int_equal(decide(0x20, 0x30, S2R_RAM), S2A_RETRY_TLBI);
	/* No remedy: address size, alignment, atomic update, unknown codes. */
	assert_int_equal(decide(0x24, 0x01, S2R_RAM), S2A_INJECT);
	assert_int_equal(decide(0x24, 0x21, S2R_RAM), S2A_INJECT);
	assert_int_equal(decide(0x24, 0x31, S2R_RAM), S2A_INJECT);
	assert_int_equal(decide(0x24, 0x34, S2R_RAM), S2A_INJECT);
}

/* The memory hook after its lookup. The reclaim scanner compressing a page between the
 * guest's access flag fault and the lookup left it unmapped: the page is paged in, not an
 * abort (a clean-clone run once gave test-mem an abort that way). */
static void test_after_lookup(void **state)
{
	(void)state;
	for (int dyn = 0; dyn < 2; dyn++) {
		assert_int_equal(s2f_after_lookup(true, true, dyn), S2O_RETRY);
		assert_int_equal(s2f_after_lookup(true, false, dyn), S2O_INJECT);
	}
	/* Whatever the fault said (translation, access flag, permission; also a stage-1 walk's). */
	assert_int_equal(s2f_after_lookup(false, false, true), S2O_DEFER);
	assert_int_equal(s2f_after_lookup(false, false, false), S2O_INJECT);
}

/* The fast check of exit.c (a mask and one compare) accepts exactly the translation faults of
 * levels 0-3 without S1PTW and FnV: what s2f_decide() sends to MMIO emulation on a device. */
/* S2F_TLBC_MAX retries at one page, then an abort; another page or an abort starts over. */
static void test_tlb_conflict_limit(void **state)
{
	struct s2f_tlbc c = {0};

	(void)state;
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < S2F_TLBC_MAX; i++)
			assert_false(s2f_tlbc_give_up(&c, 0x40001234));
		assert_true(s2f_tlbc_give_up(&c, 0x40001ff8)); /* same page */
	}
	for (unsigned i = 0; i < S2F_TLBC_MAX; i++)
		assert_false(s2f_tlbc_give_up(&c, 0x40001000));
	assert_false(s2f_tlbc_give_up(&c, 0x40002000)); /* another page: counted anew */
	for (unsigned i = 1; i < S2F_TLBC_MAX; i++)
		assert_false(s2f_tlbc_give_up(&c, 0x40002000));
	assert_true(s2f_tlbc_give_up(&c, 0x40002000));
}

static void test_fast_check_agrees(void **state)
{
	(void)state;
	for (uint32_t iss = 0; iss < 0x800; iss++) {
		uint64_t esr = ESR(0x24, iss);
		bool fast =
		    (esr & (S2F_ISS_S1PTW | S2F_ISS_FNV | S2F_FSC_TRANS_MASK)) == S2F_FSC_TRANS;
		struct s2f f = s2f_classify(esr);

		if (fast) {
			assert_int_equal(s2f_decide(&f, S2R_MMIO), S2A_MMIO);
			assert_int_equal(f.cls, S2F_TRANSLATION);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_every_fsc_both_ecs), cmocka_unit_test(test_syndrome_bits),
	    cmocka_unit_test(test_decisions),	       cmocka_unit_test(test_fast_check_agrees),
	    cmocka_unit_test(test_tlb_conflict_limit), cmocka_unit_test(test_after_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
