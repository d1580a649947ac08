/* Which vCPU the vGIC gives an interrupt to, and when: SGIs (targets, IRM), PPIs, SPI routing
 * by IROUTER, the distributor's enable, and vgic_has_pending() as the reason to wake. The
 * fixture and the fake CPU: vgic_fixture.h, vgic_fakes.c. */
#include "vgic_fixture.h"

static void test_sgis(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];
	const uint64_t to_v1 = 3ull << ICC_SGI1R_INTID_SHIFT | 1u << 1;

	wr(v0, GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	fake.kicked = 0;
	vgic_write_sgi1r(v0, to_v1);
	assert_int_equal(fake.kicked, 1u << 1);
	assert_int_equal(rd(v0, SGIF(1, GICR_ISPENDR0), 4), 1u << 3);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 0);
	enter(v1);
	assert_true(lr_state(3) == ICH_LR_STATE_PENDING);
	assert_false(fake.lr[lr_of(3)] & ICH_LR_EOI);
	/* GICv3 has no SGI source: none in the LR, nothing in the v2 front end's state. */
	assert_false(fake.lr[lr_of(3)] & VGIC_V2_LR_SRC_MASK);
	assert_int_equal(v1->vgic->sgi[3].pend, 0);

	/* IRM: everybody but the sender. */
	fake.kicked = 0;
	vgic_write_sgi1r(v1, ICC_SGI1R_IRM | 5ull << ICC_SGI1R_INTID_SHIFT);
	assert_int_equal(fake.kicked, 1u << 0);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 1u << 5);
	assert_int_equal(rd(v0, SGIF(1, GICR_ISPENDR0), 4), 1u << 3);

	/* Nobody at that affinity; a disabled SGI stays pending but is not delivered. */
	vgic_write_sgi1r(v0, 3ull << ICC_SGI1R_INTID_SHIFT | 1ull << ICC_SGI1R_AFF1_SHIFT | 1);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 1u << 5);
	wr(v0, SGIF(0, GICR_ICENABLER0), 4, 1u << 5);
	enter(v0);
	assert_int_equal(lr_of(5), -1);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 1u << 5);
	wr(v0, SGIF(0, GICR_ICPENDR0), 4, 1u << 5);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 0);
	check_invariants();
}

static void test_ppi_inject(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	wr(v0, GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	wr(v0, SGIF(0, GICR_ISENABLER0), 4, 1u << 27);
	fake.kicked = 0;
	assert_int_equal(vgic_inject(&vm, v0, 27), 0);
	assert_int_equal(fake.kicked, 1u << 0);
	enter(v0);
	assert_true(lr_state(27) == ICH_LR_STATE_PENDING);
	guest_ack(27);
	vgic_sync(v0);
	/* A level-configured PPI latched by a pulse: used up once taken. */
	assert_int_equal(rd(v0, SGIF(0, GICR_ISPENDR0), 4), 0);
	assert_int_equal(rd(v0, SGIF(0, GICR_ISACTIVER0), 4), 1u << 27);

	assert_int_equal(vgic_set_irq(&vm, NULL, 27, true), -EINVAL);
	assert_int_equal(vgic_inject(&vm, NULL, 27), -EINVAL);
	assert_int_equal(vgic_set_irq(&vm, v0, VGIC_NR_IRQS, true), -EINVAL);
	assert_int_equal(vgic_set_irq(&vm, NULL, 1020, true), -EINVAL);
	assert_int_equal(vgic_set_irq(&vm, NULL, VGIC_NR_IRQS - 1, true), 0);
	struct vm other = {0};

	assert_int_equal(vgic_set_irq(&other, NULL, 40, true), -EINVAL);
	check_invariants();
}

static void test_routing(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];

	/* Routed to an affinity no vCPU has: pending, delivered nowhere. */
	spi_setup(45, true, 0x80, 5);
	fake.kicked = 0;
	wr(v0, GICD(GICD_ISPENDR(45)), 4, BIT(45));
	assert_int_equal(fake.kicked, 0);
	assert_int_equal(v0->vgic->list_len + v1->vgic->list_len, 0);
	wr(v0, GICD(GICD_IROUTER(45)), 8, 1);
	assert_int_equal(fake.kicked, 1u << 1);
	enter(v1);
	assert_true(lr_state(45) == ICH_LR_STATE_PENDING);

	/* Re-routed while active: it stays until deactivated, then moves. */
	guest_ack(45);
	wr(v0, GICD(GICD_ISPENDR(45)), 4, BIT(45));
	wr(v0, GICD(GICD_IROUTER(45)), 8, 0);
	enter(v1);
	assert_true(lr_state(45) == (ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE));
	guest_eoi(45);
	fake.kicked = 0;
	vgic_sync(v1);
	assert_int_equal(fake.kicked, 1u << 0);
	assert_int_equal(v1->vgic->list_len, 0);
	enter(v0);
	assert_true(lr_state(45) == ICH_LR_STATE_PENDING);

	/* IRM (1 of N): vCPU 0. */
	spi_setup(46, true, 0x80, GICD_IROUTER_IRM | 1);
	wr(v1, GICD(GICD_ISPENDR(46)), 4, BIT(46));
	assert_ptr_equal(vm.vgic->spis[46 - 32].owner, v0);
	check_invariants();
}

static void test_dist_disable(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];

	spi_setup(47, true, 0x80, 0);
	wr(v0, GICD(GICD_ISPENDR(47)), 4, BIT(47));
	enter(v0);
	assert_true(lr_state(47) == ICH_LR_STATE_PENDING);
	fake.kicked = 0;
	wr(v1, GICD(GICD_CTLR), 4, 0);
	assert_int_equal(fake.kicked, 1u << 0);
	enter(v0);
	assert_int_equal(lr_of(47), -1);
	assert_true(spi_bit(GICD_ISPENDR(0), 47));
	wr(v1, GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	enter(v0);
	assert_true(lr_state(47) == ICH_LR_STATE_PENDING);
	check_invariants();
}

static void test_has_pending(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	spi_setup(44, false, 0x80, 0);
	vgic_set_irq(&vm, NULL, 44, true);
	/* Switched out, VMCR as saved: masked by PMR 0, then open, then masked by priority. */
	assert_false(vgic_has_pending(v0));
	v0->vgic->vmcr = VMCR_OPEN;
	assert_true(vgic_has_pending(v0));
	v0->vgic->vmcr = ICH_VMCR_VENG1 | 0x80u << ICH_VMCR_VPMR_SHIFT;
	assert_false(vgic_has_pending(v0));
	v0->vgic->vmcr = 0xf0u << ICH_VMCR_VPMR_SHIFT; /* group 1 off */
	assert_false(vgic_has_pending(v0));

	/* Loaded: the live VMCR counts, and the LRs are folded first. */
	v0->vgic->vmcr = VMCR_OPEN;
	enter(v0);
	assert_true(vgic_has_pending(v0));
	assert_int_equal(v0->vgic->used_lrs, 0);
	enter(v0);
	guest_ack(44); /* active: not a reason to wake */
	vgic_set_irq(&vm, NULL, 44, false);
	assert_false(vgic_has_pending(v0));
	assert_false(vgic_has_pending(vcpu[1]));
	check_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    VGIC_TEST(test_sgis),	  VGIC_TEST(test_ppi_inject),  VGIC_TEST(test_routing),
	    VGIC_TEST(test_dist_disable), VGIC_TEST(test_has_pending),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
