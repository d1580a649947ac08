/* The vGICv2's pure logic: list register values (what the shared ICH_LR-format logic writes
 * becomes the GICH_LR the v2 hardware takes, and what the guest leaves there reads back) and
 * the guest's GICD_SGIR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arch/gicv3_regs.h>

#include "../../zvm/vdev/vgic_v2.h"

static uint64_t ich(uint64_t intid, uint8_t prio, uint64_t state)
{
	return intid | (uint64_t)prio << ICH_LR_PRIORITY_SHIFT | ICH_LR_GROUP | state;
}

static void test_pending_spi_with_eoi(void **state)
{
	(void)state;
	uint64_t v3 = ich(40, 0xa0, ICH_LR_STATE_PENDING) | ICH_LR_EOI;
	uint32_t v2 = vgic_v2_lr_from_v3(v3 | 5ull << VGIC_V2_LR_SRC_SHIFT);

	/* INTID 40, priority 0xa0 >> 3 = 0x14 at 27:23, pending (01) at 29:28, EOI at 19; no
	 * CPUID for an SPI, no Grp1 (the guest runs group 0). */
	assert_int_equal(v2, 40 | 0x14u << 23 | 1u << 28 | 1u << 19);
	assert_true(vgic_v2_lr_to_v3(v2) == v3);
	/* A stray CPUID in a GICH_LR of an SPI does not come back as a source. */
	assert_true(vgic_v2_lr_to_v3(v2 | 3u << GICH_LR_CPUID_SHIFT) == v3);
}

static void test_sgi_carries_its_source(void **state)
{
	(void)state;
	uint64_t v3 = ich(3, 0x80, ICH_LR_STATE_PENDING) | 2ull << VGIC_V2_LR_SRC_SHIFT;
	uint32_t v2 = vgic_v2_lr_from_v3(v3);

	assert_int_equal(v2 & GICH_LR_VIRTUALID_MASK, 3);
	assert_int_equal((v2 & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT, 2);
	assert_int_equal(v2 & GICH_LR_GRP1, 0);
	/* The source survives the fold's read back (and vgic_save/vgic_restore). */
	assert_true(vgic_v2_lr_to_v3(v2) == v3);
	/* A PPI of the same vCPU gets none. */
	assert_int_equal(
	    vgic_v2_lr_from_v3(ich(27, 0x80, ICH_LR_STATE_PENDING) | 2ull << VGIC_V2_LR_SRC_SHIFT) &
		GICH_LR_CPUID_MASK,
	    0);
}

static void test_states_and_priority_round_trip(void **state)
{
	(void)state;
	const uint64_t states[] = {0, ICH_LR_STATE_PENDING, ICH_LR_STATE_ACTIVE,
				   ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE};

	for (unsigned s = 0; s < 4; s++)
		for (unsigned p = 0; p < 256; p += 8) {
			uint64_t v3 = ich(33 + s, (uint8_t)p, states[s]);
			uint32_t v2 = vgic_v2_lr_from_v3(v3);

			assert_int_equal((v2 >> GICH_LR_STATE_SHIFT) & 3u, s);
			assert_true(vgic_v2_lr_to_v3(v2) == v3);
		}
	/* Priority bits below the 5 a v2 LR holds are lost, never rounded up. */
	assert_true(vgic_v2_lr_to_v3(vgic_v2_lr_from_v3(ich(33, 0xa7, 0))) == ich(33, 0xa0, 0));
}

static void test_hardware_interrupt(void **state)
{
	(void)state;
	uint64_t v3 =
	    ich(27, 0xa0, ICH_LR_STATE_PENDING) | ICH_LR_HW | 27ull << ICH_LR_PINTID_SHIFT;
	uint32_t v2 = vgic_v2_lr_from_v3(v3);

	assert_int_equal(v2 & GICH_LR_HW, GICH_LR_HW);
	assert_int_equal((v2 & GICH_LR_PHYSID_MASK) >> GICH_LR_PHYSID_SHIFT, 27);
	assert_int_equal(v2 & GICH_LR_EOI, 0); /* bit 19 is PhysicalID's top bit with HW */
	assert_true(vgic_v2_lr_to_v3(v2) == v3);
}

static void test_unlistable_intids_give_an_empty_lr(void **state)
{
	(void)state;
	assert_int_equal(vgic_v2_lr_from_v3(ich(1020, 0, ICH_LR_STATE_PENDING)), 0);
	assert_int_equal(vgic_v2_lr_from_v3(ich(8192, 0, ICH_LR_STATE_PENDING)), 0); /* LPI */
	assert_int_equal(vgic_v2_lr_from_v3(ich(40, 0, ICH_LR_STATE_PENDING) | ICH_LR_HW |
					    1100ull << ICH_LR_PINTID_SHIFT),
			 0);
	assert_int_equal(vgic_v2_lr_to_v3(0) & ICH_LR_STATE_MASK, 0);
}

static void test_sgir_target_filters(void **state)
{
	(void)state;
	const uint32_t present = 0x0f; /* 4 vCPUs */

	/* Filter 0: the list, cut to present vCPUs. */
	assert_int_equal(vgic_v2_sgir_targets(0x00060001, present, 0), 0x06);
	assert_int_equal(vgic_v2_sgir_targets(0x00f00001, present, 0), 0);
	assert_int_equal(vgic_v2_sgir_targets(0x00ff0001, present, 1), 0x0f); /* self may be */
	/* Filter 1: everyone else; filter 2: self. */
	assert_int_equal(vgic_v2_sgir_targets(0x01000005, present, 2), 0x0b);
	assert_int_equal(vgic_v2_sgir_targets(0x0200000f, present, 3), 0x08);
	/* Filter 3 is reserved: nothing. */
	assert_int_equal(vgic_v2_sgir_targets(0x03ff0001, present, 0), 0);
	/* Never past 8 interfaces, whatever present says; a hostile self index is harmless. */
	assert_int_equal(vgic_v2_sgir_targets(0x01000000, 0xffff, 0), 0xfe);
	assert_int_equal(vgic_v2_sgir_targets(0x02000000, 0xffff, 40), 0);
	assert_int_equal(GICD_SGIR_INTID(0x00ff800b), 11);
}

static void test_vtr_decode(void **state)
{
	(void)state;
	/* QEMU's GICv2: 4 LRs, 5 preemption and 5 priority bits. */
	struct vgic_v2_vtr v = vgic_v2_vtr_decode(4u << 29 | 4u << 26 | 3);

	assert_int_equal(v.nr_lr, 4);
	assert_int_equal(v.pre_bits, 5);
	assert_int_equal(v.pri_bits, 5);
	v = vgic_v2_vtr_decode(0xffffffffu);
	assert_int_equal(v.nr_lr, GICH_MAX_LRS);
	assert_int_equal(v.pre_bits, 8);
	assert_int_equal(v.pri_bits, 8);
	v = vgic_v2_vtr_decode(0);
	assert_int_equal(v.nr_lr, 1);
	assert_int_equal(v.pre_bits, 1);
}

#define SRC(lr) ((unsigned)(((lr)&VGIC_V2_LR_SRC_MASK) >> VGIC_V2_LR_SRC_SHIFT))

/* Two sources of one SGI: one LR at a time, the lowest first, the EOI maintenance asked for
 * while the other waits; the second is held back while the first is active. */
static void test_sgi_sources_one_at_a_time(void **state)
{
	(void)state;
	struct vgic_v2_sgi s = {.pend = 1u << 1 | 1u << 2};
	uint64_t lr = vgic_v2_sgi_lr(&s, ich(5, 0x80, ICH_LR_STATE_PENDING));

	assert_int_equal(SRC(lr), 1);
	assert_true(lr & ICH_LR_EOI);
	assert_int_equal(s.pend, 1u << 2);
	assert_int_equal((vgic_v2_lr_from_v3(lr) & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT, 1);
	/* The guest acknowledged it: active, source 1 still pending-free. */
	vgic_v2_sgi_fold(&s, lr ^ ICH_LR_STATE_MASK, false);
	assert_int_equal(s.src, 1);
	assert_int_equal(s.pend, 1u << 2);
	/* Refilled while active: source 2's pending state cannot share source 1's LR. */
	lr = vgic_v2_sgi_lr(&s, ich(5, 0x80, ICH_LR_STATE_ACTIVE | ICH_LR_STATE_PENDING));
	assert_int_equal(lr & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE);
	assert_int_equal(SRC(lr), 1);
	assert_true(lr & ICH_LR_EOI);
	assert_int_equal(s.pend, 1u << 2);
	/* Deactivated: source 2 comes next, the last, so no EOI maintenance. */
	vgic_v2_sgi_fold(&s, lr & ~ICH_LR_STATE_MASK, false);
	lr = vgic_v2_sgi_lr(&s, ich(5, 0x80, ICH_LR_STATE_PENDING));
	assert_int_equal(SRC(lr), 2);
	assert_false(lr & ICH_LR_EOI);
	assert_int_equal(s.pend, 0);
}

/* Active and pending again from the same source fit one LR; a fold gives back a pending source
 * unless it was cleared meanwhile. */
static void test_sgi_same_source_and_fold(void **state)
{
	(void)state;
	struct vgic_v2_sgi s = {.pend = 1u << 3, .src = 3};
	uint64_t lr = vgic_v2_sgi_lr(&s, ich(0, 0, ICH_LR_STATE_ACTIVE | ICH_LR_STATE_PENDING));

	assert_int_equal(lr & ICH_LR_STATE_MASK, ICH_LR_STATE_ACTIVE | ICH_LR_STATE_PENDING);
	assert_int_equal(SRC(lr), 3);
	assert_int_equal(s.pend, 0);
	assert_int_equal(vgic_v2_sgi_pending(&s, true), 1u << 3);
	vgic_v2_sgi_fold(&s, lr, true);
	assert_int_equal(s.pend, 0);
	vgic_v2_sgi_fold(&s, lr, false);
	assert_int_equal(s.pend, 1u << 3);
	/* A latch with no source recorded is CPU 0's. */
	s = (struct vgic_v2_sgi){0};
	lr = vgic_v2_sgi_lr(&s, ich(2, 0, ICH_LR_STATE_PENDING));
	assert_int_equal(SRC(lr), 0);
	assert_false(lr & ICH_LR_EOI);
}

/* PPIs, SPIs and HW-linked LRs have no source: left as they are. */
static void test_sgi_logic_leaves_others_alone(void **state)
{
	(void)state;
	struct vgic_v2_sgi s = {.pend = 0xff, .src = 7};
	const uint64_t lrs[] = {
	    ich(16, 0, ICH_LR_STATE_PENDING),
	    ich(40, 0, ICH_LR_STATE_PENDING),
	    ich(1, 0, ICH_LR_STATE_PENDING) | ICH_LR_HW | 33ull << ICH_LR_PINTID_SHIFT,
	};

	for (unsigned i = 0; i < 3; i++) {
		assert_true(vgic_v2_sgi_lr(&s, lrs[i]) == lrs[i]);
		vgic_v2_sgi_fold(&s, lrs[i], false);
		assert_int_equal(s.pend, 0xff);
		assert_int_equal(s.src, 7);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pending_spi_with_eoi),
	    cmocka_unit_test(test_sgi_carries_its_source),
	    cmocka_unit_test(test_states_and_priority_round_trip),
	    cmocka_unit_test(test_hardware_interrupt),
	    cmocka_unit_test(test_unlistable_intids_give_an_empty_lr),
	    cmocka_unit_test(test_sgir_target_filters),
	    cmocka_unit_test(test_vtr_decode),
	    cmocka_unit_test(test_sgi_sources_one_at_a_time),
	    cmocka_unit_test(test_sgi_same_source_and_fold),
	    cmocka_unit_test(test_sgi_logic_leaves_others_alone),
	};

	return cmocka_run_group_tests_name("vgic_v2", tests, NULL, NULL);
}
