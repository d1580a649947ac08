/* The vGIC's list registers on the fake CPU: level and edge SPIs through acknowledge and
 * deactivate, state changed while in an LR, hardware-linked SPIs, overflow by priority, the
 * append into a live LR, boards without a maintenance interrupt, save and restore. The fixture
 * and the fake CPU: vgic_fixture.h, vgic_fakes.c. */
#include "vgic_fixture.h"

static void test_level_spi(void **state)
{
	(void)state;
	struct vcpu *v1 = vcpu[1];

	spi_setup(40, false, 0xa0, 1);
	fake.kicked = 0;
	assert_int_equal(vgic_set_irq(&vm, NULL, 40, true), 0);
	assert_int_equal(fake.kicked, 1u << 1);
	assert_true(spi_bit(GICD_ISPENDR(0), 40));

	enter(v1);
	int i = lr_of(40);

	assert_int_equal(i, 0);
	assert_true(LR_STATE(fake.lr[0]) == ICH_LR_STATE_PENDING);
	assert_true((fake.lr[0] & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT == 0xa0);
	assert_true(fake.lr[0] & ICH_LR_GROUP);
	assert_true(fake.lr[0] & ICH_LR_EOI);
	assert_false(fake.lr[0] & ICH_LR_HW);
	assert_true(fake.hcr == ICH_HCR_EN);

	/* Acknowledged with the line still high: active and pending. The LR gets it active
	 * only, with the EOI bit: pending again only if the line is still high once the guest
	 * has deactivated it, so a guest that quiets the device in its handler is not
	 * interrupted a second time. */
	guest_ack(40);
	guest_exit();
	vgic_sync(v1);
	assert_int_equal(v1->vgic->used_lrs, 0);
	assert_true(spi_bit(GICD_ISACTIVER(0), 40));
	assert_true(spi_bit(GICD_ISPENDR(0), 40));
	enter(v1);
	assert_true(lr_state(40) == ICH_LR_STATE_ACTIVE);
	assert_true(fake.lr[lr_of(40)] & ICH_LR_EOI);
	assert_true(spi_bit(GICD_ISPENDR(0), 40));

	/* The device drops the line while the guest has it active. */
	guest_eoi(40);
	fake.kicked = 0;
	assert_int_equal(vgic_set_irq(&vm, NULL, 40, false), 0);
	assert_int_equal(fake.kicked, 1u << 1);
	assert_false(spi_bit(GICD_ISPENDR(0), 40));
	enter(v1);
	assert_int_equal(lr_of(40), -1);
	assert_int_equal(v1->vgic->used_lrs, 0);
	assert_false(spi_bit(GICD_ISACTIVER(0), 40));

	/* Deactivated while still asserted: the EOI maintenance interrupt re-pends it. */
	vgic_set_irq(&vm, NULL, 40, true);
	enter(v1);
	guest_ack(40);
	guest_eoi(40);
	assert_true(fake_maint_asserted());
	guest_exit();
	enter(v1);
	assert_true(lr_state(40) == ICH_LR_STATE_PENDING);
	check_invariants();
}

static void test_edge_spi_pending_in_lr(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];

	spi_setup(41, true, 0x80, 0);
	fake.kicked = 0;
	wr(v0, GICD(GICD_ISPENDR(41)), 4, BIT(41));
	assert_int_equal(fake.kicked, 0); /* the caller is the target: it flushes anyway */
	enter(v0);
	assert_true(lr_state(41) == ICH_LR_STATE_PENDING);
	assert_false(fake.lr[lr_of(41)] & ICH_LR_EOI);

	/* Cleared from another vCPU while it sits in v0's LR. */
	wr(v1, GICD(GICD_ICPENDR(41)), 4, BIT(41));
	assert_int_equal(fake.kicked, 1u << 0);
	assert_false(spi_bit(GICD_ISPENDR(0), 41));
	enter(v0);
	assert_int_equal(lr_of(41), -1);

	/* Disabled while in an LR: taken out, still pending; enabled again: back. */
	wr(v0, GICD(GICD_ISPENDR(41)), 4, BIT(41));
	enter(v0);
	assert_true(lr_state(41) == ICH_LR_STATE_PENDING);
	wr(v0, GICD(GICD_ICENABLER(41)), 4, BIT(41));
	enter(v0);
	assert_int_equal(lr_of(41), -1);
	assert_true(spi_bit(GICD_ISPENDR(0), 41));
	assert_false(spi_bit(GICD_ISENABLER(0), 41));
	wr(v0, GICD(GICD_ISENABLER(41)), 4, BIT(41));
	enter(v0);
	assert_true(lr_state(41) == ICH_LR_STATE_PENDING);

	/* Edges while in an LR merge with it; one after the guest took it pends again. */
	assert_int_equal(vgic_inject(&vm, NULL, 41), 0);
	enter(v0);
	assert_true(lr_state(41) == ICH_LR_STATE_PENDING);
	guest_ack(41);
	vgic_set_irq(&vm, NULL, 41, true);
	vgic_set_irq(&vm, NULL, 41, false);
	enter(v0);
	assert_true(lr_state(41) == (ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE));
	guest_eoi(41);
	guest_ack(41);
	guest_eoi(41);
	enter(v0);
	assert_int_equal(lr_of(41), -1);
	/* Nothing changed since the refill: the spent LR is folded only when asked for. */
	assert_int_equal(v0->vgic->list_len, 1);
	vgic_sync(v0);
	assert_int_equal(v0->vgic->list_len, 0);
	check_invariants();
}

static void test_active_in_lr(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	spi_setup(42, true, 0x80, 0);
	wr(v0, GICD(GICD_ISPENDR(42)), 4, BIT(42));
	enter(v0);
	guest_ack(42);
	/* ICACTIVER while the LR says active: the fold keeps it inactive. */
	wr(v0, GICD(GICD_ICACTIVER(42)), 4, BIT(42));
	assert_false(spi_bit(GICD_ISACTIVER(0), 42));
	enter(v0);
	assert_int_equal(lr_of(42), -1);

	/* ISACTIVER on an idle interrupt: it goes in as active so the guest can end it. */
	spi_setup(43, true, 0x80, 0);
	wr(v0, GICD(GICD_ISACTIVER(43)), 4, BIT(43));
	enter(v0);
	assert_true(lr_state(43) == ICH_LR_STATE_ACTIVE);
	guest_eoi(43);
	vgic_sync(v0);
	assert_false(spi_bit(GICD_ISACTIVER(0), 43));
	check_invariants();
}

extern unsigned fake_clear_active_last, fake_clear_active_count;

/* A passed-through SPI (vgic_spi_link_hw): each physical firing is one vgic_inject() of a
 * level-configured interrupt; its LR has HW and the physical INTID, no EOI bit; the guest's
 * ICACTIVER or ICPENDR of what it holds deactivates the physical one (else that device could
 * never interrupt again); the link survives a vGIC reset. */
static void test_hw_linked_spi(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	assert_int_equal(vgic_spi_link_hw(&vm, 34, 66), 0);
	assert_int_equal(vgic_spi_link_hw(&vm, 20, 66), -EINVAL); /* not an SPI */
	assert_int_equal(vgic_spi_link_hw(&vm, 35, 20), -EINVAL);
	spi_setup(34, false, 0x80, 0);
	assert_int_equal(vgic_spi_target(&vm, 34), 0);
	assert_int_equal(vgic_inject(&vm, NULL, 34), 0);
	enter(v0);
	uint64_t lr = fake.lr[lr_of(34)];

	assert_true(LR_STATE(lr) == ICH_LR_STATE_PENDING);
	assert_true(lr & ICH_LR_HW);
	assert_int_equal((lr & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT, 66);
	guest_ack(34);
	guest_eoi(34); /* the hardware deactivates INTID 66 with it */
	vgic_sync(v0);
	assert_int_equal(lr_of(34), -1);
	assert_false(spi_bit(GICD_ISPENDR(0), 34));
	assert_false(spi_bit(GICD_ISACTIVER(0), 34));

	/* Taken (active), then the guest clears active by ICACTIVER: physical deactivated. */
	fake_clear_active_count = 0;
	vgic_inject(&vm, NULL, 34);
	enter(v0);
	guest_ack(34);
	vgic_sync(v0);
	wr(v0, GICD(GICD_ICACTIVER(34)), 4, BIT(34));
	assert_int_equal(fake_clear_active_count, 1);
	assert_int_equal(fake_clear_active_last, 66);
	enter(v0);
	/* Pending, disabled (not offered), then cleared by ICPENDR: physical deactivated. */
	wr(v0, GICD(GICD_ICENABLER(34)), 4, BIT(34));
	vgic_inject(&vm, NULL, 34);
	wr(v0, GICD(GICD_ICPENDR(34)), 4, BIT(34));
	assert_int_equal(fake_clear_active_count, 2);
	/* The same from the host (a VM reset dropping a stale firing). */
	vgic_inject(&vm, NULL, 34);
	assert_true(spi_bit(GICD_ISPENDR(0), 34));
	assert_int_equal(vgic_spi_unpend(&vm, 34), 0);
	assert_false(spi_bit(GICD_ISPENDR(0), 34));
	assert_int_equal(fake_clear_active_count, 3);
	assert_int_equal(vgic_spi_unpend(&vm, 3), -EINVAL);

	/* A reset keeps the link. */
	vgic_reset(&vm);
	vgic_vcpu_reset(v0);
	spi_setup(34, false, 0x80, 0);
	vgic_inject(&vm, NULL, 34);
	enter(v0);
	assert_true(fake.lr[lr_of(34)] & ICH_LR_HW);
	assert_int_equal(vgic_spi_link_hw(&vm, 34, -1), 0);
	check_invariants();
}

static void test_overflow_by_priority(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];
	const uint8_t prio[6] = {0x80, 0x40, 0xc0, 0x20, 0xa0, 0x60};

	for (unsigned i = 0; i < 6; i++) {
		spi_setup(50 + i, true, prio[i], 0);
		wr(v0, GICD(GICD_ISPENDR(50)), 4, BIT(50 + i));
	}
	enter(v0);
	/* The four most urgent, in order; NPIE to refill once the guest took them. */
	const unsigned first[4] = {53, 51, 55, 50};

	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(LR_INTID(fake.lr[i]), first[i]);
		assert_true(LR_STATE(fake.lr[i]) == ICH_LR_STATE_PENDING);
	}
	assert_true(fake.hcr == (ICH_HCR_EN | ICH_HCR_NPIE));
	assert_false(fake_maint_asserted());

	for (unsigned i = 0; i < 4; i++)
		guest_ack(first[i]);
	assert_true(fake_maint_asserted());
	guest_exit();
	enter(v0);
	/* All four active hold every LR: the EOI bits bring us back on the first deactivation. */
	for (unsigned i = 0; i < 4; i++) {
		assert_true(lr_state(first[i]) == ICH_LR_STATE_ACTIVE);
		assert_true(fake.lr[lr_of(first[i])] & ICH_LR_EOI);
	}
	assert_true(fake.hcr == ICH_HCR_EN);
	guest_eoi(53);
	assert_true(fake_maint_asserted());
	guest_exit();
	enter(v0);
	assert_true(lr_state(54) == ICH_LR_STATE_PENDING); /* 0xa0 before 0xc0 */
	assert_int_equal(lr_of(52), -1);
	assert_true(fake.hcr == (ICH_HCR_EN | ICH_HCR_NPIE));
	check_invariants();
}

/* An interrupt raised on the CPU where its vCPU's LRs are live and in step with its list goes
 * straight into a free LR: no kick, nothing left for the next entry to refill. */
static void test_append_live(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	wr(v0, GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	wr(v0, SGIF(0, GICR_ISENABLER0), 4, 1u << 27 | 1u << 3);
	spi_setup(40, true, 0x80, 0);
	enter(v0);
	assert_int_equal(v0->vgic->stale, 0);
	fake.kicked = 0;
	assert_true(vgic_ppi_raise_live(v0, 27));
	assert_true(lr_state(27) == ICH_LR_STATE_PENDING);
	assert_int_equal(v0->vgic->stale, 0);
	assert_int_equal(fake.kicked, 0);
	/* The very LR the full refill writes. */
	uint64_t lr = fake.lr[lr_of(27)];

	v0->vgic->stale = 1;
	vgic_flush(v0);
	assert_int_equal(fake.lr[lr_of(27)], lr);
	assert_true(lr & ICH_LR_EOI);		   /* a level line still high */
	assert_false(vgic_ppi_raise_live(v0, 27)); /* high already */
	/* Down and up again through the general path, which appends the same way. */
	guest_ack(27);
	guest_eoi(27);
	guest_exit();
	assert_int_equal(vgic_set_irq(&vm, v0, 27, false), 0);
	enter_checked(v0);
	assert_int_equal(lr_of(27), -1);
	fake.kicked = 0;
	assert_int_equal(vgic_set_irq(&vm, v0, 27, true), 0);
	assert_true(lr_state(27) == ICH_LR_STATE_PENDING);
	assert_int_equal(v0->vgic->stale, 0);
	/* Still kicked: v0's thread may be about to block in WFI with its LRs live here. */
	assert_int_equal(fake.kicked, 1u << 0);
	enter_checked(v0);

	/* A second one beside it, while the guest has the first active. */
	guest_ack(27);
	fake.kicked = 0;
	assert_int_equal(vgic_inject(&vm, NULL, 40), 0);
	assert_true(lr_state(40) == ICH_LR_STATE_PENDING);
	assert_int_equal(v0->vgic->used_lrs, 2);
	assert_int_equal(fake.kicked, 1u << 0);
	check_invariants();

	/* Not while the LRs are out of step (a change is waiting for the refill). */
	wr(v0, GICD(GICD_IPRIORITYR(40)), 1, 0x40);
	assert_int_equal(v0->vgic->stale, 1);
	fake.kicked = 0;
	assert_int_equal(vgic_inject(&vm, v0, 3), 0);
	assert_int_equal(lr_of(3), -1);
	assert_int_equal(fake.kicked, 1u << 0);
	enter_checked(v0);
	assert_true(lr_state(3) == ICH_LR_STATE_PENDING);
	check_invariants();
}

/* A board whose DTB names no maintenance interrupt: the LRs are never trusted to be in step,
 * so every entry refills them and level interrupts come back at the next exit. */
static void test_without_maintenance_interrupt(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0];

	vgic_init_global(-1);
	assert_true(vgic_hw.refill_always);
	wr(v0, GICD(GICD_CTLR), 4, GICD_CTLR_ENABLE_G1A);
	wr(v0, SGIF(0, GICR_ISENABLER0), 4, 1u << 27);
	enter(v0);
	assert_int_equal(v0->vgic->stale, 1);
	assert_false(vgic_ppi_raise_live(v0, 27));
	assert_int_equal(vgic_set_irq(&vm, v0, 27, true), 0);
	assert_int_equal(lr_of(27), -1); /* not appended either */
	enter(v0);
	assert_true(lr_state(27) == ICH_LR_STATE_PENDING);
	/* Ended by the guest with its line still high: no maintenance interrupt, but the next
	 * entry finds it and offers it again. */
	guest_ack(27);
	guest_eoi(27);
	enter(v0);
	assert_true(lr_state(27) == ICH_LR_STATE_PENDING);
	check_invariants();
	vgic_init_global(VGIC_MAINT_INTID);
	assert_false(vgic_hw.refill_always);
}

static void test_switch_out_and_back(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];

	spi_setup(48, true, 0x80, 0);
	spi_setup(49, true, 0x80, 0);
	wr(v0, GICD(GICD_ISPENDR(48)), 4, BIT(48) | BIT(49));
	enter(v0);
	guest_ack(48);
	fake.vmcr = VMCR_OPEN;
	vgic_save(v0);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		assert_true(fake.lr[i] == 0);
	assert_true(fake.hcr == 0);
	assert_null(fake.loaded);

	/* Changed while switched out with entries in its saved LRs. */
	wr(v1, GICD(GICD_ICPENDR(48)), 4, BIT(49));
	enter(v1);
	assert_int_equal(v1->vgic->used_lrs, 0);
	enter(v0);
	assert_true(fake.vmcr == VMCR_OPEN);
	assert_true(lr_state(48) == ICH_LR_STATE_ACTIVE);
	assert_int_equal(lr_of(49), -1);
	check_invariants();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    VGIC_TEST(test_level_spi),
	    VGIC_TEST(test_edge_spi_pending_in_lr),
	    VGIC_TEST(test_active_in_lr),
	    VGIC_TEST(test_hw_linked_spi),
	    VGIC_TEST(test_overflow_by_priority),
	    VGIC_TEST(test_append_live),
	    VGIC_TEST(test_without_maintenance_interrupt),
	    VGIC_TEST(test_switch_out_and_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
