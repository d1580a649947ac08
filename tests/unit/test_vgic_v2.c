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
	uint32_t v2 = vgic_v2_lr_from_v3(v3, 5);

	/* INTID 40, priority 0xa0 >> 3 = 0x14 at 27:23, pending (01) at 29:28, EOI at 19; no
	 * CPUID for an SPI, no Grp1 (the guest runs group 0). */
	assert_int_equal(v2, 40 | 0x14u << 23 | 1u << 28 | 1u << 19);
	assert_true(vgic_v2_lr_to_v3(v2) == v3);
}

static void test_sgi_carries_its_source(void **state)
{
	(void)state;
	uint32_t v2 = vgic_v2_lr_from_v3(ich(3, 0x80, ICH_LR_STATE_PENDING), 2);

	assert_int_equal(v2 & GICH_LR_VIRTUALID_MASK, 3);
	assert_int_equal((v2 & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT, 2);
	assert_int_equal(v2 & GICH_LR_GRP1, 0);
	/* A PPI of the same vCPU gets none. */
	assert_int_equal(
	    vgic_v2_lr_from_v3(ich(27, 0x80, ICH_LR_STATE_PENDING), 2) & GICH_LR_CPUID_MASK, 0);
}

static void test_states_and_priority_round_trip(void **state)
{
	(void)state;
	const uint64_t states[] = {0, ICH_LR_STATE_PENDING, ICH_LR_STATE_ACTIVE,
				   ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE};

	for (unsigned s = 0; s < 4; s++)
		for (unsigned p = 0; p < 256; p += 8) {
			uint64_t v3 = ich(33 + s, (uint8_t)p, states[s]);
			uint32_t v2 = vgic_v2_lr_from_v3(v3, 0);

			assert_int_equal((v2 >> GICH_LR_STATE_SHIFT) & 3u, s);
			assert_true(vgic_v2_lr_to_v3(v2) == v3);
		}
	/* Priority bits below the 5 a v2 LR holds are lost, never rounded up. */
	assert_true(vgic_v2_lr_to_v3(vgic_v2_lr_from_v3(ich(33, 0xa7, 0), 0)) == ich(33, 0xa0, 0));
}

static void test_hardware_interrupt(void **state)
{
	(void)state;
	uint64_t v3 =
	    ich(27, 0xa0, ICH_LR_STATE_PENDING) | ICH_LR_HW | 27ull << ICH_LR_PINTID_SHIFT;
	uint32_t v2 = vgic_v2_lr_from_v3(v3, 7);

	assert_int_equal(v2 & GICH_LR_HW, GICH_LR_HW);
	assert_int_equal((v2 & GICH_LR_PHYSID_MASK) >> GICH_LR_PHYSID_SHIFT, 27);
	assert_int_equal(v2 & GICH_LR_EOI, 0); /* bit 19 is PhysicalID's top bit with HW */
	assert_true(vgic_v2_lr_to_v3(v2) == v3);
}

static void test_unlistable_intids_give_an_empty_lr(void **state)
{
	(void)state;
	assert_int_equal(vgic_v2_lr_from_v3(ich(1020, 0, ICH_LR_STATE_PENDING), 0), 0);
	assert_int_equal(vgic_v2_lr_from_v3(ich(8192, 0, ICH_LR_STATE_PENDING), 0), 0); /* LPI */
	assert_int_equal(vgic_v2_lr_from_v3(ich(40, 0, ICH_LR_STATE_PENDING) | ICH_LR_HW |
						1100ull << ICH_LR_PINTID_SHIFT,
					    0),
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
	};

	return cmocka_run_group_tests_name("vgic_v2", tests, NULL, NULL);
}
