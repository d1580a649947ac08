/* The vGIC's distributor and redistributor registers as the guest sees them through the MMIO
 * ops: identification and layout, access widths and ranges, what each register keeps; random
 * guest traffic against the invariants; a vCPU's redistributor going with it. The fixture and
 * the fake CPU: vgic_fixture.h, vgic_fakes.c. */
#include "vgic_fixture.h"

/* ---- Identification and layout ---- */

static void test_id_regs(void **state)
{
	(void)state;
	struct vcpu *v = vcpu[0];

	assert_int_equal(rd(v, GICD(GICD_TYPER), 4), (VGIC_NR_IRQS / 32 - 1) | 9u << 19);
	assert_int_equal(GICD_TYPER_IDBITS(rd(v, GICD(GICD_TYPER), 4)), 10);
	assert_int_equal(GIC_PIDR2_ARCHREV(rd(v, GICD(GICD_PIDR2), 4)), GIC_ARCHREV_GICV3);
	assert_int_equal(rd(v, GICD(GICD_IIDR), 4), VGIC_IIDR);
	assert_int_equal(rd(v, GICD(GICD_TYPER2), 4), 0);
	assert_int_equal(rd(v, GICD(GICD_CTLR), 4), GICD_CTLR_ARE_NS | GICD_CTLR_DS);
	/* What Linux writes: ARE, EnableGrp1A, EnableGrp1 (bit 0, group 0 here: RAZ/WI). */
	wr(v, GICD(GICD_CTLR), 4, 0x13);
	assert_int_equal(rd(v, GICD(GICD_CTLR), 4),
			 GICD_CTLR_ARE_NS | GICD_CTLR_DS | GICD_CTLR_ENABLE_G1A);
	assert_int_equal(rd(v, GICD(GICD_CTLR), 4) & GICD_CTLR_RWP, 0);

	/* Redistributors: affinity and number; Last on the last one; none after it. */
	assert_true(rd(v, GICR(0, GICR_TYPER), 8) == 0);
	assert_true(rd(v, GICR(1, GICR_TYPER), 8) == (1ull << 32 | 1u << 8 | GICR_TYPER_LAST));
	assert_int_equal(rd(v, GICR(1, GICR_TYPER + 4), 4), 1);
	assert_int_equal(rd(v, GICR(1, GICR_TYPER), 4), 1u << 8 | GICR_TYPER_LAST);
	assert_int_equal(GIC_PIDR2_ARCHREV(rd(v, GICR(1, GICR_PIDR2), 4)), GIC_ARCHREV_GICV3);
	assert_int_equal(rd(v, GICR(1, GICR_IIDR), 4), VGIC_IIDR);
	assert_int_equal(rd(v, GICR(2, GICR_PIDR2), 4), 0);
	assert_int_equal(rd(v, GICR(2, GICR_TYPER), 8), 0);
	wr(v, GICR(2, GICR_WAKER), 4, 0);
	assert_int_equal(rd(v, GICR(7, GICR_SGI_OFFSET + GICR_ISENABLER0), 4), 0);
	assert_int_equal(rd(v, GICR(0, GICR_CTLR), 4), 0);

	/* WAKER: asleep out of reset; ChildrenAsleep follows ProcessorSleep. */
	assert_int_equal(rd(v, GICR(0, GICR_WAKER), 4),
			 GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP);
	wr(v, GICR(0, GICR_WAKER), 4, 0);
	assert_int_equal(rd(v, GICR(0, GICR_WAKER), 4), 0);
	assert_int_equal(rd(v, GICR(1, GICR_WAKER), 4),
			 GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP);
}

static void test_widths_and_ranges(void **state)
{
	(void)state;
	struct vcpu *v = vcpu[0];
	uint64_t val;

	/* Unaligned: an abort for the guest. Wrong width: RAZ/WI. */
	assert_int_equal(write_err(v, GICD(GICD_ISENABLER(32) + 2), 4, ~0ull), -EINVAL);
	assert_int_equal(read_err(v, GICD(GICD_IROUTER(40) + 4), 8, &val), -EINVAL);
	assert_int_equal(read_err(v, GICR(0, GICR_TYPER + 2), 4, &val), -EINVAL);
	assert_int_equal(read_err(v, GICR(5, 0x3), 2, &val), -EINVAL); /* absent one too */
	wr(v, GICD(GICD_ISENABLER(32)), 1, 0xff);
	wr(v, GICD(GICD_ISENABLER(64)), 8, ~0ull);
	assert_int_equal(rd(v, GICD(GICD_ISENABLER(32)), 4), 0);
	assert_int_equal(rd(v, GICD(GICD_ISENABLER(64)), 4), 0);
	assert_int_equal(rd(v, GICD(GICD_ISENABLER(64)), 8), 0);
	assert_int_equal(rd(v, GICD(GICD_CTLR), 2), 0);

	/* Priorities are byte accessible and keep the implemented bits only. */
	wr(v, GICD(GICD_IPRIORITYR(40)), 1, 0xff);
	assert_int_equal(rd(v, GICD(GICD_IPRIORITYR(40)), 1), 0xf8);
	wr(v, GICD(GICD_IPRIORITYR(44)), 4, 0x11223344);
	assert_int_equal(rd(v, GICD(GICD_IPRIORITYR(44)), 4), 0x10203040);
	assert_int_equal(rd(v, GICD(GICD_IPRIORITYR(46)), 1), 0x20);
	wr(v, SGIF(1, GICR_IPRIORITYR(27)), 1, 0xa0);
	assert_int_equal(rd(v, SGIF(1, GICR_IPRIORITYR(24)), 4), 0xa0000000);
	assert_int_equal(rd(v, SGIF(0, GICR_IPRIORITYR(24)), 4), 0);

	/* INTIDs we do not implement, and banked ones in the distributor: RAZ/WI. */
	wr(v, GICD(GICD_IPRIORITYR(200)), 4, ~0ull);
	assert_int_equal(rd(v, GICD(GICD_IPRIORITYR(200)), 4), 0);
	wr(v, GICD(GICD_ISENABLER(1000)), 4, ~0ull);
	assert_int_equal(rd(v, GICD(GICD_ISENABLER(1000)), 4), 0);
	wr(v, GICD(GICD_IROUTER(1019)), 8, ~0ull);
	assert_int_equal(rd(v, GICD(GICD_IROUTER(1019)), 8), 0);
	wr(v, GICD(GICD_ISENABLER(0)), 4, ~0ull);
	assert_int_equal(rd(v, GICD(GICD_ISENABLER(0)), 4), 0);
	assert_int_equal(rd(v, SGIF(0, GICR_ISENABLER0), 4), 0xffff); /* SGIs, untouched */
	wr(v, GICD(GICD_IROUTER(5)), 8, 1);
	assert_int_equal(rd(v, GICD(GICD_IROUTER(5)), 8), 0);
	wr(v, GICD(GICD_IPRIORITYR(3)), 1, 0x80);
	assert_int_equal(rd(v, SGIF(0, GICR_IPRIORITYR(3)), 1), 0);

	/* IROUTER: affinity and IRM kept, 32-bit halves. */
	wr(v, GICD(GICD_IROUTER(40)), 8, ~0ull);
	assert_true(rd(v, GICD(GICD_IROUTER(40)), 8) == (GICD_IROUTER_AFF_MASK | GICD_IROUTER_IRM));
	wr(v, GICD(GICD_IROUTER(40)), 4, 1);
	assert_true(rd(v, GICD(GICD_IROUTER(40)), 8) == 0xff00000001ull);
	wr(v, GICD(GICD_IROUTER(40) + 4), 4, 0);
	assert_true(rd(v, GICD(GICD_IROUTER(40)), 8) == 1);
	assert_int_equal(rd(v, GICD(GICD_IROUTER(40) + 4), 4), 0);

	/* Trigger: SGIs fixed edge, PPIs and SPIs writable, the low bit of each field RES0. */
	wr(v, SGIF(0, GICR_ICFGR0), 4, 0);
	assert_int_equal(rd(v, SGIF(0, GICR_ICFGR0), 4), 0xaaaaaaaa);
	wr(v, SGIF(0, GICR_ICFGR1), 4, 0x80000000);
	assert_int_equal(rd(v, SGIF(0, GICR_ICFGR1), 4), 0x80000000);
	assert_int_equal(rd(v, SGIF(1, GICR_ICFGR1), 4), 0);
	wr(v, GICD(GICD_ICFGR(32)), 4, 0xaaaaaaaa);
	assert_int_equal(rd(v, GICD(GICD_ICFGR(32)), 4), 0xaaaaaaaa);
	wr(v, GICD(GICD_ICFGR(32)), 4, 0x55555555);
	assert_int_equal(rd(v, GICD(GICD_ICFGR(32)), 4), 0);

	/* Group 1 everywhere (RAO/WI), but only where interrupts exist. */
	assert_int_equal(rd(v, GICD(GICD_IGROUPR(32)), 4), 0xffffffff);
	assert_int_equal(rd(v, GICD(GICD_IGROUPR(96)), 4), 0xffffffff);
	assert_int_equal(rd(v, GICD(GICD_IGROUPR(128)), 4), 0);
	assert_int_equal(rd(v, GICD(GICD_IGROUPR(0)), 4), 0);
	assert_int_equal(rd(v, SGIF(1, GICR_IGROUPR0), 4), 0xffffffff);
	wr(v, GICD(GICD_IGROUPR(32)), 4, 0);
	assert_int_equal(rd(v, GICD(GICD_IGROUPR(32)), 4), 0xffffffff);
	assert_int_equal(rd(v, GICD(GICD_IGRPMODR(32)), 4), 0);
	check_invariants();
}

/* ---- Random traffic, vCPU removal ---- */

static void test_fuzz(void **state)
{
	(void)state;
	static const unsigned sizes[4] = {1, 2, 4, 8};
	uint64_t val;
	unsigned delivered = 0;

	/* Start from a live GIC so the random traffic has interrupts to move. */
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	for (unsigned i = GIC_NR_PRIVATE; i < VGIC_NR_IRQS; i += 32)
		wr(vcpu[0], GICD(GICD_ISENABLER(i)), 4, ~0ull);
	for (unsigned i = 0; i < NR_VCPUS; i++)
		wr(vcpu[i], SGIF(i, GICR_ISENABLER0), 4, ~0ull);
	srand(12345);
	for (unsigned n = 0; n < 200000; n++) {
		struct vcpu *v = vcpu[rand() % NR_VCPUS];
		unsigned size = sizes[rand() % 4];
		bool dist = rand() & 1;
		uint64_t span = dist ? VGIC_DIST_SIZE : VGIC_REDIST_REGION_SIZE;
		uint64_t off = ((uint64_t)rand() << 16 ^ (uint64_t)rand()) % span;
		uint64_t ipa = (dist ? VGIC_DIST_BASE : VGIC_REDIST_BASE) + off;
		uint64_t data = (uint64_t)rand() << 32 | (uint64_t)rand();

		if (rand() % 4)
			ipa &= ~(uint64_t)(size - 1);
		if (rand() % 8 == 0)
			ipa = (dist ? VGIC_DIST_BASE : VGIC_REDIST_BASE) + rand() % 0x1000;
		if (rand() & 1)
			(void)read_err(v, ipa, size, &val);
		else
			(void)write_err(v, ipa, size, data);
		switch (rand() % 16) {
		case 0:
			enter(v);
			delivered += v->vgic->used_lrs;
			break;
		case 6:
			enter_checked(v);
			break;
		case 7:
			if (fake.loaded)
				(void)vgic_ppi_raise_live(fake.loaded, 16 + rand() % 16);
			break;
		case 1:
			vgic_set_irq(&vm, v, (unsigned)(rand() % 140), rand() & 1);
			break;
		case 2:
			vgic_write_sgi1r(v, data);
			break;
		case 3:
			for (unsigned i = 0; fake.loaded && i < vgic_hw.nr_lr; i++)
				if (fake.lr[i] & ICH_LR_STATE_PENDING)
					fake.lr[i] ^= ICH_LR_STATE_MASK; /* acknowledge */
				else if (fake.lr[i] & ICH_LR_STATE_ACTIVE)
					fake.lr[i] &= ~ICH_LR_STATE_ACTIVE; /* deactivate */
			guest_exit();
			break;
		case 4:
			(void)vgic_has_pending(v);
			break;
		case 5:
			if (fake.loaded)
				vgic_sync(fake.loaded);
			break;
		}
		if (n % 1024 == 0)
			check_invariants();
	}
	check_invariants();
	print_message("fuzz: %u interrupts put in LRs\n", delivered);
	assert_true(delivered > 1000); /* the random guest did get interrupts */
}

static void test_vcpu_destroy(void **state)
{
	(void)state;
	struct vcpu *v1 = vcpu[1];

	spi_setup(60, true, 0x80, 1);
	wr(v1, GICD(GICD_ISPENDR(60)), 4, BIT(60));
	enter(v1);
	vgic_save(v1);
	vgic_vcpu_destroy(v1);
	assert_null(v1->vgic);
	assert_null(vm.vgic->cpus[1]);
	assert_null(vm.vgic->spis[60 - 32].owner);
	/* Its redistributor is gone: RAZ/WI, and vCPU 0 is the last one now. */
	assert_int_equal(rd(vcpu[0], GICR(1, GICR_PIDR2), 4), 0);
	assert_true(rd(vcpu[0], GICR(0, GICR_TYPER), 8) & GICR_TYPER_LAST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    VGIC_TEST(test_id_regs),
	    VGIC_TEST(test_widths_and_ranges),
	    VGIC_TEST(test_fuzz),
	    VGIC_TEST(test_vcpu_destroy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
