/* The GICv2 distributor front end (zvm/vdev/vgic_v2_mmio.c) over the shared vGIC state, on the
 * fake CPU of vgic_fakes.c: v2 register layout, per-CPU banking of INTIDs 0..31, ITARGETSR
 * routing, GICD_SGIR, an SPI reaching the list registers of the CPU it targets, and SGIs
 * pending per source (GICD_SPENDSGIR/CPENDSGIR, the source in the LR's CPUID). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../zvm/vdev/vgic_v2.h"
#include "vgic_vm.h"

#define GICD(off)    (VGIC_DIST_BASE + (off))
#define BIT(intid)   (1ull << ((intid) % 32))
#define LR_STATE(lr) ((lr)&ICH_LR_STATE_MASK)
#define LR_INTID(lr) ((unsigned)((lr)&ICH_LR_VINTID_MASK))
#define NR_VCPUS     3

static struct vm vm;
static struct vcpu *vcpu[NR_VCPUS];

static int setup(void **state)
{
	(void)state;
	vgic_vm_setup(&vm, vcpu, NR_VCPUS, true);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (unsigned i = 0; i < NR_VCPUS; i++)
		free(vcpu[i]);
	vgic_vm_destroy(&vm);
	return 0;
}

static const struct mmio_region *region(uint64_t ipa)
{
	for (unsigned i = 0; i < vm.mmio.nr; i++) {
		const struct mmio_region *r = &vm.mmio.regions[i];

		if (ipa >= r->base && ipa - r->base < r->size)
			return r;
	}
	return NULL;
}

static int read_err(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t *val)
{
	const struct mmio_region *r = region(ipa);

	assert_non_null(r);
	*val = 0xdeadbeefdeadbeefull;
	int err = r->ops->read(v, r->dev, ipa - r->base, size, val);

	if (!err)
		*val &= mmio_size_mask(size);
	return err;
}

static uint64_t rd(struct vcpu *v, uint64_t ipa, unsigned size)
{
	uint64_t val;

	assert_int_equal(read_err(v, ipa, size, &val), 0);
	return val;
}

static void wr(struct vcpu *v, uint64_t ipa, unsigned size, uint64_t val)
{
	const struct mmio_region *r = region(ipa);

	assert_non_null(r);
	assert_int_equal(r->ops->write(v, r->dev, ipa - r->base, size, val), 0);
}

static int lr_of(unsigned intid)
{
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		if (LR_STATE(fake.lr[i]) && LR_INTID(fake.lr[i]) == intid)
			return (int)i;
	return -1;
}

static void enter(struct vcpu *v)
{
	vgic_restore(v);
	vgic_flush(v);
	assert_ptr_equal(fake.loaded, v);
}

static void check_invariants(void)
{
	const char *why = fake_vgic_broken(vcpu, NR_VCPUS);

	if (why)
		fail_msg("%s", why);
}

/* The frame is the 4 KiB v2 distributor, and nothing of GICv3 is registered. */
static void test_layout_and_ids(void **state)
{
	(void)state;
	uint64_t val;

	assert_non_null(region(GICD(0xffc)));
	assert_null(region(GICD(0x1000)));
	assert_null(region(VGIC_REDIST_BASE));
	/* ITLinesNumber for 128 INTIDs, CPUNumber = 3 CPUs - 1, no security extensions. */
	assert_int_equal(rd(vcpu[0], GICD(GICD_TYPER), 4), (VGIC_NR_IRQS / 32 - 1) | 2u << 5);
	assert_int_equal(rd(vcpu[0], GICD(GICD_IIDR), 4), VGIC_IIDR);
	assert_int_equal((rd(vcpu[0], GICD(0xfe8), 4) >> 4) & 0xf, GIC_ARCHREV_GICV2);
	/* CTLR: Enable only; the v3 bits (ARE, DS) do not exist. */
	assert_int_equal(rd(vcpu[0], GICD(GICD_CTLR), 4), 0);
	wr(vcpu[0], GICD(GICD_CTLR), 4, 0xffffffff);
	assert_int_equal(rd(vcpu[1], GICD(GICD_CTLR), 4), GICD_CTLR_EN_V2);
	/* Group 0 only; the v3 IROUTER range is a hole. */
	wr(vcpu[0], GICD(GICD_IGROUPR(32)), 4, 0xffffffff);
	assert_int_equal(rd(vcpu[0], GICD(GICD_IGROUPR(32)), 4), 0);
	assert_int_equal(rd(vcpu[0], GICD(GICD_CPENDSGIR(0)), 4), 0);
	/* Misaligned: an external abort, as in v3. */
	assert_int_equal(read_err(vcpu[0], GICD(GICD_ISENABLER(32) + 1), 4, &val), -EINVAL);
}

/* INTIDs 0..31 are banked: each vCPU reaches its own through the same offsets. */
static void test_banked_private(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_ICENABLER(0)), 4, 0xffffffff);
	wr(vcpu[1], GICD(GICD_ICENABLER(0)), 4, 0xffffffff);
	wr(vcpu[0], GICD(GICD_ISENABLER(0)), 4, BIT(27) | BIT(1));
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISENABLER(0)), 4), BIT(27) | BIT(1));
	assert_int_equal(rd(vcpu[1], GICD(GICD_ISENABLER(0)), 4), 0);
	wr(vcpu[1], GICD(GICD_IPRIORITYR(27)), 1, 0xa0);
	assert_int_equal(rd(vcpu[1], GICD(GICD_IPRIORITYR(24)), 4) >> 24, 0xa0);
	assert_int_equal(rd(vcpu[0], GICD(GICD_IPRIORITYR(24)), 4) >> 24, 0);
	/* ITARGETSR0..7 read as the reader's own CPU bit and ignore writes. */
	assert_int_equal(rd(vcpu[0], GICD(GICD_ITARGETSR(0)), 4), 0x01010101);
	assert_int_equal(rd(vcpu[1], GICD(GICD_ITARGETSR(27)), 1), 0x02);
	wr(vcpu[1], GICD(GICD_ITARGETSR(27)), 1, 0x01);
	assert_int_equal(rd(vcpu[1], GICD(GICD_ITARGETSR(27)), 1), 0x02);
}

/* ITARGETSR takes byte and word accesses and routes an SPI to the lowest CPU named. */
static void test_itargetsr(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_ITARGETSR(41)), 1, 0x02);
	assert_int_equal(vgic_spi_target(&vm, 41), 1);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ITARGETSR(41)), 1), 0x02);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ITARGETSR(40)), 4),
			 0x01010201); /* out of reset: CPU 0 */
	wr(vcpu[0], GICD(GICD_ITARGETSR(40)), 4, 0x00030002);
	assert_int_equal(vgic_spi_target(&vm, 40), 1);
	assert_int_equal(vgic_spi_target(&vm, 41), -1); /* no CPU */
	assert_int_equal(vgic_spi_target(&vm, 42), 0);	/* the lowest of 0 and 1 */
	assert_int_equal(rd(vcpu[0], GICD(GICD_ITARGETSR(40)), 4), 0x00010002);
	/* A CPU that does not exist routes nowhere. */
	wr(vcpu[0], GICD(GICD_ITARGETSR(43)), 1, 0x80);
	assert_int_equal(vgic_spi_target(&vm, 43), -1);
}

/* An SPI routed by ITARGETSR, pended through ISPENDR, lands in its target's list registers. */
static void test_spi_delivery(void **state)
{
	(void)state;
	const unsigned intid = 50;

	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[0], GICD(GICD_IPRIORITYR(intid)), 1, 0x80);
	wr(vcpu[0], GICD(GICD_ITARGETSR(intid)), 1, 0x02);
	wr(vcpu[0], GICD(GICD_ISENABLER(intid)), 4, BIT(intid));
	fake.kicked = 0;
	wr(vcpu[0], GICD(GICD_ISPENDR(intid)), 4, BIT(intid));
	assert_int_equal(fake.kicked, 1u << 1);
	assert_true(rd(vcpu[0], GICD(GICD_ISPENDR(intid)), 4) & BIT(intid));
	enter(vcpu[0]);
	assert_int_equal(lr_of(intid), -1);
	vgic_save(vcpu[0]);
	enter(vcpu[1]);
	int lr = lr_of(intid);

	assert_true(lr >= 0);
	/* As GICH_LR: pending, group dropped, 5-bit priority. */
	uint32_t v2 = vgic_v2_lr_from_v3(fake.lr[lr]);

	assert_int_equal(v2,
			 intid | GICH_LR_STATE_PENDING | (0x80u >> 3) << GICH_LR_PRIORITY_SHIFT);
	check_invariants();
}

/* GICD_SGIR: target list, all-but-self, self; a reserved filter and a byte write do nothing. */
static void test_sgir(void **state)
{
	(void)state;
	struct vcpu *v0 = vcpu[0], *v1 = vcpu[1];

	wr(v0, GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	fake.kicked = 0;
	wr(v0, GICD(GICD_SGIR), 4, 0x2u << GICD_SGIR_TARGETS_SHIFT | 3);
	assert_int_equal(fake.kicked, 1u << 1);
	assert_int_equal(rd(v1, GICD(GICD_ISPENDR(0)), 4), BIT(3));
	assert_int_equal(rd(v0, GICD(GICD_ISPENDR(0)), 4), 0);
	wr(v1, GICD(GICD_SGIR), 4, 1u << GICD_SGIR_FILTER_SHIFT | 5);
	assert_int_equal(rd(v0, GICD(GICD_ISPENDR(0)), 4), BIT(5));
	assert_int_equal(rd(v1, GICD(GICD_ISPENDR(0)), 4), BIT(3));
	wr(v1, GICD(GICD_SGIR), 4, 2u << GICD_SGIR_FILTER_SHIFT | 7);
	assert_int_equal(rd(v1, GICD(GICD_ISPENDR(0)), 4), BIT(3) | BIT(7));
	wr(v0, GICD(GICD_SGIR), 4, 3u << GICD_SGIR_FILTER_SHIFT | 0xffu << 16 | 9);
	wr(v0, GICD(GICD_SGIR), 1, 9);
	assert_int_equal(rd(v0, GICD(GICD_ISPENDR(0)), 4), BIT(5));
	assert_int_equal(rd(v0, GICD(GICD_SGIR), 4), 0); /* write-only */
	enter(v1);
	assert_true(lr_of(3) >= 0 && lr_of(7) >= 0);
	check_invariants();
}

/* The source CPU the guest's GICC_IAR reports for the SGI in LR n. */
static unsigned lr_cpuid(int n)
{
	assert_true(n >= 0);
	return (vgic_v2_lr_from_v3(fake.lr[n]) & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT;
}

static unsigned lrs_of(unsigned intid)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		n += LR_STATE(fake.lr[i]) && LR_INTID(fake.lr[i]) == intid;
	return n;
}

/* The guest takes the SGI in LR n and ends it (EOImode 0: drop and deactivate at once); an
 * exit follows if that asserts the maintenance interrupt. */
static void guest_ack_and_eoi(int n)
{
	assert_true(n >= 0);
	assert_int_equal(LR_STATE(fake.lr[n]), ICH_LR_STATE_PENDING);
	fake.lr[n] &= ~ICH_LR_STATE_MASK;
	if (fake_maint_asserted())
		fake.maint(fake.maint_intid, fake.maint_arg);
}

/* GICD_SGIR from vCPU 2 to vCPU 0: the LR says CPU 2 sent it. */
static void test_sgi_source_in_lr(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[2], GICD(GICD_SGIR), 4, 0x1u << GICD_SGIR_TARGETS_SHIFT | 3);
	assert_int_equal(rd(vcpu[0], GICD(GICD_SPENDSGIR(0)), 4), (1u << 2) << 24);
	enter(vcpu[0]);
	assert_int_equal(lr_cpuid(lr_of(3)), 2);
	/* Still pending, from CPU 2, while in the LR. */
	vgic_save(vcpu[0]);
	assert_int_equal(rd(vcpu[0], GICD(GICD_CPENDSGIR(3)), 1), 1u << 2);
	check_invariants();
}

/* The same SGI from vCPUs 1 and 2: two deliveries, one after the other, each with its source. */
static void test_sgi_two_sources(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[2], GICD(GICD_SGIR), 4, 0x1u << GICD_SGIR_TARGETS_SHIFT | 5);
	wr(vcpu[1], GICD(GICD_SGIR), 4, 0x1u << GICD_SGIR_TARGETS_SHIFT | 5);
	assert_int_equal(rd(vcpu[0], GICD(GICD_SPENDSGIR(4)), 4), 0x06u << 8);
	enter(vcpu[0]);
	assert_int_equal(lrs_of(5), 1);
	assert_int_equal(lr_cpuid(lr_of(5)), 1);
	guest_ack_and_eoi(lr_of(5));
	enter(vcpu[0]);
	assert_int_equal(lrs_of(5), 1);
	assert_int_equal(lr_cpuid(lr_of(5)), 2);
	guest_ack_and_eoi(lr_of(5));
	enter(vcpu[0]);
	assert_int_equal(lrs_of(5), 0);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), 0);
	check_invariants();
}

/* SPENDSGIR/CPENDSGIR set and clear per source, in the caller's bank, byte or word wide; only
 * existing CPUs are sources; the SGI bits of ISPENDR0/ICPENDR0 ignore writes. */
static void test_spendsgir_cpendsgir(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_SPENDSGIR(4)), 1, 0x86); /* CPU 7 does not exist */
	assert_int_equal(rd(vcpu[0], GICD(GICD_SPENDSGIR(4)), 4), 0x06);
	assert_int_equal(rd(vcpu[0], GICD(GICD_CPENDSGIR(4)), 1), 0x06);
	assert_int_equal(rd(vcpu[1], GICD(GICD_SPENDSGIR(4)), 4), 0);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), BIT(4));
	wr(vcpu[0], GICD(GICD_CPENDSGIR(4)), 4, 0x02);
	assert_int_equal(rd(vcpu[0], GICD(GICD_SPENDSGIR(4)), 1), 0x04);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), BIT(4));
	wr(vcpu[0], GICD(GICD_ICPENDR(0)), 4, BIT(4));
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), BIT(4));
	wr(vcpu[0], GICD(GICD_CPENDSGIR(4)), 1, 0x04);
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), 0);
	wr(vcpu[0], GICD(GICD_ISPENDR(0)), 4, BIT(6) | BIT(20));
	assert_int_equal(rd(vcpu[0], GICD(GICD_ISPENDR(0)), 4), BIT(20));
	/* Word access to the last register: SGIs 12..15, sources 0 and 1. */
	wr(vcpu[1], GICD(GICD_SPENDSGIR(12)), 4, 0x01020300);
	assert_int_equal(rd(vcpu[1], GICD(GICD_SPENDSGIR(12)), 4), 0x01020300);
	assert_int_equal(rd(vcpu[1], GICD(GICD_ISPENDR(0)), 4), BIT(13) | BIT(14) | BIT(15));
	wr(vcpu[1], GICD(GICD_CPENDSGIR(12)), 4, 0xffffffff);
	assert_int_equal(rd(vcpu[1], GICD(GICD_SPENDSGIR(12)), 4), 0);
	check_invariants();
}

/* CPENDSGIR of the source an LR holds takes the SGI back; another source's pending stays. */
static void test_cpendsgir_in_lr(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[0], GICD(GICD_SPENDSGIR(8)), 1, 0x06);
	enter(vcpu[0]);
	assert_int_equal(lr_cpuid(lr_of(8)), 1);
	vgic_save(vcpu[0]); /* the LR is saved, not folded: the clear must reach it */
	wr(vcpu[0], GICD(GICD_CPENDSGIR(8)), 1, 0x02);
	assert_int_equal(rd(vcpu[0], GICD(GICD_SPENDSGIR(8)), 1), 0x04);
	enter(vcpu[0]);
	assert_int_equal(lrs_of(8), 1);
	assert_int_equal(lr_cpuid(lr_of(8)), 2);
	check_invariants();
}

/* A second source held back behind the active first, with every LR active and more waiting:
 * no maintenance interrupt may fire before the guest deactivates something (it would fire on
 * every entry, and the guest never ran); the first deactivation refills. */
static void test_held_source_all_active(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[0], GICD(GICD_SPENDSGIR(4)), 4, 0x01010601);
	enter(vcpu[0]);
	/* The guest takes SGIs 4, 6 and 7 and the first source of 5. */
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		if (LR_STATE(fake.lr[i]) == ICH_LR_STATE_PENDING)
			fake.lr[i] ^= ICH_LR_STATE_MASK;
	wr(vcpu[0], GICD(GICD_SPENDSGIR(8)), 1, 0x01); /* an exit, and one more waiting */
	enter(vcpu[0]);
	assert_int_equal(lrs_of(5), 1);
	assert_int_equal(LR_STATE(fake.lr[lr_of(5)]), ICH_LR_STATE_ACTIVE);
	assert_int_equal(lr_cpuid(lr_of(5)), 1);
	assert_false(fake_maint_asserted());
	fake.lr[lr_of(6)] &= ~ICH_LR_STATE_MASK;
	assert_true(fake_maint_asserted());
	fake.maint(fake.maint_intid, fake.maint_arg);
	enter(vcpu[0]);
	assert_true(lr_of(8) >= 0); /* the LR SGI 6 left */
	check_invariants();
}

/* A VM reset forgets every source. */
static void test_reset_clears_sources(void **state)
{
	(void)state;
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	wr(vcpu[1], GICD(GICD_SGIR), 4, 0x5u << GICD_SGIR_TARGETS_SHIFT | 9);
	wr(vcpu[2], GICD(GICD_SGIR), 4, 0x1u << GICD_SGIR_TARGETS_SHIFT | 9);
	enter(vcpu[0]);
	vgic_save(vcpu[0]);
	vgic_reset(&vm);
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		vgic_restore(vcpu[i]);
		vgic_vcpu_reset(vcpu[i]);
		vgic_save(vcpu[i]);
		assert_int_equal(rd(vcpu[i], GICD(GICD_SPENDSGIR(8)), 4), 0);
	}
	wr(vcpu[0], GICD(GICD_CTLR), 4, GICD_CTLR_EN_V2);
	enter(vcpu[0]);
	assert_int_equal(lrs_of(9), 0);
	check_invariants();
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
	    T(test_layout_and_ids),
	    T(test_banked_private),
	    T(test_itargetsr),
	    T(test_spi_delivery),
	    T(test_sgir),
	    T(test_sgi_source_in_lr),
	    T(test_sgi_two_sources),
	    T(test_spendsgir_cpendsgir),
	    T(test_cpendsgir_in_lr),
	    T(test_held_source_all_active),
	    T(test_reset_clears_sources),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
