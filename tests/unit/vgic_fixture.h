/* The fixture of the vGIC tests (test_vgic.c, test_vgic_lr.c, test_vgic_route.c): a VM of
 * NR_VCPUS vCPUs on the fake CPU of vgic_fakes.c, guest register accesses through the MMIO ops,
 * the guest's side of the fake list registers (acknowledge, deactivate, exit: the maintenance
 * interrupt is taken when the fake hardware would raise it) and the invariants every test ends
 * on. Each test binary includes it once; the helpers are static inline so that a file may
 * leave some unused. */
#ifndef TESTS_UNIT_VGIC_FIXTURE_H
#define TESTS_UNIT_VGIC_FIXTURE_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "vgic_vm.h"

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

static inline int setup(void **state)
{
	(void)state;
	vgic_vm_setup(&vm, vcpu, NR_VCPUS, false);
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	/* Like the VM teardown: the vCPUs go first, then the vGIC frees what is left. */
	for (unsigned i = 0; i < NR_VCPUS; i++)
		free(vcpu[i]);
	vgic_vm_destroy(&vm);
	assert_null(vm.vgic);
	return 0;
}

static inline const struct mmio_region *region(uint64_t ipa)
{
	for (unsigned i = 0; i < vm.mmio.nr; i++) {
		const struct mmio_region *r = &vm.mmio.regions[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	fail_msg("no region at 0x%llx", (unsigned long long)ipa);
	return NULL;
}

static inline int read_err(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t *val)
{
	const struct mmio_region *r = region(ipa);

	*val = 0xdeadbeefdeadbeefull;
	int err = r->ops->read(v, r->dev, ipa - r->base, size, val);

	if (!err)
		*val &= mmio_size_mask(size); /* as the MMIO bus does */
	return err;
}

static inline int write_err(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t val)
{
	const struct mmio_region *r = region(ipa);

	return r->ops->write(v, r->dev, ipa - r->base, size, val);
}

static inline uint64_t rd(struct vcpu *v, uint64_t ipa, unsigned size)
{
	uint64_t val;

	assert_int_equal(read_err(v, ipa, size, &val), 0);
	return val;
}

static inline void wr(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t val)
{
	assert_int_equal(write_err(v, ipa, size, val), 0);
}

/* ---- The guest on the fake CPU ---- */

static inline int lr_of(unsigned intid)
{
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		if (LR_STATE(fake.lr[i]) && LR_INTID(fake.lr[i]) == intid)
			return (int)i;
	return -1;
}

static inline uint64_t lr_state(unsigned intid)
{
	int i = lr_of(intid);

	return i < 0 ? 0 : LR_STATE(fake.lr[i]);
}

/* The guest reads ICV_IAR1 and gets intid. */
static inline void guest_ack(unsigned intid)
{
	int i = lr_of(intid);

	assert_true(i >= 0);
	assert_true(LR_STATE(fake.lr[i]) == ICH_LR_STATE_PENDING);
	fake.lr[i] = (fake.lr[i] & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE;
}

/* The guest writes ICV_EOIR1 (EOImode 0: drop and deactivate). */
static inline void guest_eoi(unsigned intid)
{
	int i = lr_of(intid);

	assert_true(i >= 0);
	assert_true(fake.lr[i] & ICH_LR_STATE_ACTIVE);
	fake.lr[i] &= ~ICH_LR_STATE_ACTIVE;
}

/* The guest runs until it exits: the maintenance interrupt is taken if asserted. */
static inline void guest_exit(void)
{
	if (fake_maint_asserted())
		fake.maint(fake.maint_intid, fake.maint_arg);
	assert_false(fake_maint_asserted()); /* the handler must end the condition */
}

static inline void enter(struct vcpu *v)
{
	vgic_restore(v); /* as vcpu_load() does whenever the vCPU thread is switched in */
	vgic_flush(v);
	assert_ptr_equal(fake.loaded, v);
}

/* An entry that skipped the refill (LRs not stale) or appended into a free LR must show the
 * guest exactly what a full fold and refill would. */
static inline void enter_checked(struct vcpu *v)
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
static inline void spi_setup(unsigned intid, bool edge, uint8_t prio, uint64_t irouter)
{
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A);
	wr(vcpu[0], GICD(GICD_IPRIORITYR(intid)), 1, prio);
	wr(vcpu[0], GICD(GICD_IROUTER(intid)), 8, irouter);
	uint64_t cfg = rd(vcpu[0], GICD(GICD_ICFGR(intid)), 4);
	uint64_t bit = (uint64_t)GIC_ICFGR_EDGE << (2 * (intid % 16));

	wr(vcpu[0], GICD(GICD_ICFGR(intid)), 4, edge ? cfg | bit : cfg & ~bit);
	wr(vcpu[0], GICD(GICD_ISENABLER(intid)), 4, BIT(intid));
}

static inline bool spi_bit(uint32_t reg, unsigned intid)
{
	return rd(vcpu[0], GICD(reg + 4 * (intid / 32)), 4) & BIT(intid);
}

/* Every list is sorted, owned, counted; LR bookkeeping within bounds (vgic_fakes.c). */
static inline void check_invariants(void)
{
	const char *why = fake_vgic_broken(vcpu, NR_VCPUS);

	if (why)
		fail_msg("%s", why);
}

/* A test with the fixture's VM set up before it and torn down after it. */
#define VGIC_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

#endif
