/* The vGIC core and its registers against a fake CPU (vgic_fakes.c): the tests write guest
 * registers through the MMIO ops, play the guest on the fake list registers (acknowledge,
 * deactivate) and raise the maintenance interrupt when the fake hardware would. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vgic_fakes.h"

#define GICD(off)    (VGIC_DIST_BASE + (off))
#define GICR(n, off) (VGIC_REDIST_BASE + (uint64_t)(n)*VGIC_REDIST_SIZE + (off))
#define SGIF(n, off) GICR(n, GICR_SGI_OFFSET + (off))
#define BIT(intid)   (1ull << ((intid) % 32))
#define LR_STATE(lr) ((lr)&ICH_LR_STATE_MASK)
#define LR_INTID(lr) ((unsigned)((lr)&ICH_LR_VINTID_MASK))
#define NR_VCPUS     2
#define VMCR_OPEN    (ICH_VMCR_VENG1 | 0xf0u << ICH_VMCR_VPMR_SHIFT)

static struct vm vm;
static struct vcpu *vcpu[NR_VCPUS];

/* ---- Environment ---- */

static int setup(void **state)
{
	(void)state;
	memset(&fake, 0, sizeof(fake));
	memset(&vm, 0, sizeof(vm));
	vgic_init_global(VGIC_MAINT_INTID);
	assert_int_equal(vgic_vm_init(&vm), 0);
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		assert_non_null(v);
		v->vm = &vm;
		v->id = i;
		v->mpidr = 1ull << 31 | i;
		assert_int_equal(vgic_vcpu_init(v), 0);
		vm.vcpus[i] = vcpu[i] = v;
		vm.nr_vcpus = i + 1;
	}
	fake.kicked = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Like the VM teardown: the vCPUs go first, then the vGIC frees what is left. */
	for (unsigned i = 0; i < NR_VCPUS; i++)
		free(vcpu[i]);
	vgic_vm_destroy(&vm);
	assert_null(vm.vgic);
	return 0;
}

static const struct mmio_region *region(uint64_t ipa)
{
	for (unsigned i = 0; i < vm.mmio.nr; i++) {
		const struct mmio_region *r = &vm.mmio.regions[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	fail_msg("no region at 0x%llx", (unsigned long long)ipa);
	return NULL;
}

static int read_err(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t *val)
{
	const struct mmio_region *r = region(ipa);

	*val = 0xdeadbeefdeadbeefull;
	int err = r->ops->read(v, r->dev, ipa - r->base, size, val);

	if (!err)
		*val &= mmio_size_mask(size); /* as the MMIO bus does */
	return err;
}

static int write_err(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t val)
{
	const struct mmio_region *r = region(ipa);

	return r->ops->write(v, r->dev, ipa - r->base, size, val);
}

static uint64_t rd(struct vcpu *v, uint64_t ipa, unsigned size)
{
	uint64_t val;

	assert_int_equal(read_err(v, ipa, size, &val), 0);
	return val;
}

static void wr(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t val)
{
	assert_int_equal(write_err(v, ipa, size, val), 0);
}

/* ---- The guest on the fake CPU ---- */

static int lr_of(unsigned intid)
{
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		if (LR_STATE(fake.lr[i]) && LR_INTID(fake.lr[i]) == intid)
			return (int)i;
	return -1;
}

static uint64_t lr_state(unsigned intid)
{
	int i = lr_of(intid);

	return i < 0 ? 0 : LR_STATE(fake.lr[i]);
}

/* The guest reads ICV_IAR1 and gets intid. */
static void guest_ack(unsigned intid)
{
	int i = lr_of(intid);

	assert_true(i >= 0);
	assert_true(LR_STATE(fake.lr[i]) == ICH_LR_STATE_PENDING);
	fake.lr[i] = (fake.lr[i] & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE;
}

/* The guest writes ICV_EOIR1 (EOImode 0: drop and deactivate). */
static void guest_eoi(unsigned intid)
{
	int i = lr_of(intid);

	assert_true(i >= 0);
	assert_true(fake.lr[i] & ICH_LR_STATE_ACTIVE);
	fake.lr[i] &= ~ICH_LR_STATE_ACTIVE;
}

/* The guest runs until it exits: the maintenance interrupt is taken if asserted. */
static void guest_exit(void)
{
	if (fake_maint_asserted())
		fake.maint(fake.maint_intid, fake.maint_arg);
	assert_false(fake_maint_asserted()); /* the handler must end the condition */
}

static void enter(struct vcpu *v)
{
	vgic_restore(v); /* as vcpu_load() does whenever the vCPU thread is switched in */
	vgic_flush(v);
	assert_ptr_equal(fake.loaded, v);
}

/* An entry that skipped the refill (LRs not stale) or appended into a free LR must show the
 * guest exactly what a full fold and refill would. */
static void enter_checked(struct vcpu *v)
{
	uint64_t before[VGIC_MAX_LRS], after[VGIC_MAX_LRS];

	enter(v);
	unsigned n = fake_visible_lrs(before);
	uint64_t hcr = fake.hcr;

	v->vgic->stale = 1;
	vgic_flush(v);
	assert_int_equal(fake_visible_lrs(after), n);
	assert_memory_equal(before, after, n * sizeof(before[0]));
	assert_int_equal(fake.hcr & ICH_HCR_NPIE, hcr & ICH_HCR_NPIE);
}

/* Distributor on, an SPI configured and routed. */
static void spi_setup(unsigned intid, bool edge, uint8_t prio, uint64_t irouter)
{
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A);
	wr(vcpu[0], GICD(GICD_IPRIORITYR(intid)), 1, prio);
	wr(vcpu[0], GICD(GICD_IROUTER(intid)), 8, irouter);
	uint64_t cfg = rd(vcpu[0], GICD(GICD_ICFGR(intid)), 4);
	uint64_t bit = (uint64_t)GIC_ICFGR_EDGE << (2 * (intid % 16));

	wr(vcpu[0], GICD(GICD_ICFGR(intid)), 4, edge ? cfg | bit : cfg & ~bit);
	wr(vcpu[0], GICD(GICD_ISENABLER(intid)), 4, BIT(intid));
}

static bool spi_bit(uint32_t reg, unsigned intid)
{
	return rd(vcpu[0], GICD(reg + 4 * (intid / 32)), 4) & BIT(intid);
}

/* Every list is sorted, owned, counted; LR bookkeeping within bounds (vgic_fakes.c). */
static void check_invariants(void)
{
	const char *why = fake_vgic_broken(vcpu, NR_VCPUS);

	if (why)
		fail_msg("%s", why);
}

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

/* ---- Delivery ---- */

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
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_id_regs),	   T(test_widths_and_ranges),
	    T(test_level_spi),	   T(test_edge_spi_pending_in_lr),
	    T(test_active_in_lr),  T(test_overflow_by_priority),
	    T(test_sgis),	   T(test_ppi_inject),
	    T(test_routing),	   T(test_dist_disable),
	    T(test_has_pending),   T(test_switch_out_and_back),
	    T(test_fuzz),	   T(test_vcpu_destroy),
	    T(test_append_live),   T(test_without_maintenance_interrupt),
	    T(test_hw_linked_spi),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
