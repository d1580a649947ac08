/* The virtual GICv3 (zvm/vdev/vgic*.c) on the fake CPU of the unit tests (tests/unit/
 * vgic_fakes.c): any sequence of guest register accesses (distributor and redistributors, any
 * offset and width), device lines, SGIs, entries, guest acknowledges and deactivations, exits,
 * switches and resets. After every step the lists and the LR bookkeeping must be consistent;
 * an entry that skipped the refill must show the guest what a full refill would.
 * fuzz_vgic_v2.c builds this file with FUZZ_VGIC_V2 for the GICv2 front end: its distributor,
 * GICD_SGIR in place of ICC_SGI1R, and the per-source SGI state checked too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_input.h"
#include "vgic_fakes.h"

#define NR_VCPUS 3

#ifdef FUZZ_VGIC_V2
#define V2 1
#else
#define V2 0
#endif

static struct vm vm;
static struct vcpu vcpus[NR_VCPUS], *vcpu[NR_VCPUS];

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vgic: %s\n", why);
	abort();
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

static void enter(struct vcpu *v, bool check)
{
	uint64_t before[VGIC_MAX_LRS], after[VGIC_MAX_LRS];

	vgic_restore(v);
	vgic_flush(v);
	/* With the maintenance condition asserted the guest never runs on these LRs: the
	 * interrupt is taken at once and folds them (a guest ended an active LR whose pending
	 * state was held back, say). Only an entry the guest would run on must match a refill. */
	if (!check || fake_maint_asserted())
		return;
	unsigned n = fake_visible_lrs(before);

	v->vgic->stale = 1;
	vgic_flush(v);
	if (fake_visible_lrs(after) != n || memcmp(before, after, n * sizeof(before[0])))
		fail("an entry that skipped the refill shows other LRs than a refill");
}

/* The guest takes the first pending LR, or ends the first active one. */
static void guest_step(bool ack)
{
	for (unsigned i = 0; fake.loaded && i < vgic_hw.nr_lr; i++) {
		uint64_t *lr = &fake.lr[i];

		if (ack && (*lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING) {
			*lr ^= ICH_LR_STATE_MASK; /* pending -> active */
			return;
		}
		if (!ack && (*lr & ICH_LR_STATE_ACTIVE)) {
			*lr &= ~ICH_LR_STATE_ACTIVE;
			return;
		}
	}
}

/* v2: a source is pending only with the SGI's latch set, and only existing CPUs send. */
static const char *v2_sgi_broken(void)
{
	for (unsigned i = 0; V2 && i < NR_VCPUS; i++)
		for (unsigned j = 0; j < GIC_NR_SGIS; j++) {
			const struct vgic_v2_sgi *s = &vcpu[i]->vgic->sgi[j];

			if (s->pend && !vcpu[i]->vgic->priv[j].latch)
				return "an SGI source pending without the latch";
			if (s->pend >> NR_VCPUS || s->src >= NR_VCPUS)
				return "an SGI source that is no vCPU";
		}
	return NULL;
}

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	memset(&vm, 0, sizeof(vm));
	vgic_init_global(VGIC_MAINT_INTID);
	if (V2)
		vgic_select_v2();
	if (vgic_vm_init(&vm))
		fail("vgic_vm_init");
	for (unsigned i = 0; i < NR_VCPUS; i++) {
		memset(&vcpus[i], 0, sizeof(vcpus[i]));
		vcpus[i].vm = &vm;
		vcpus[i].id = i;
		vcpus[i].mpidr = 1ull << 31 | i;
		if (vgic_vcpu_init(&vcpus[i]))
			fail("vgic_vcpu_init");
		vm.vcpus[i] = vcpu[i] = &vcpus[i];
		vm.nr_vcpus = i + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	setup();
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		struct vcpu *v = vcpu[fuzz_u8(&in) % NR_VCPUS];
		uint64_t val;

		switch (op % 14) {
		case 0:
		case 1: { /* a register access: base + offset, width 1..8, maybe misaligned */
			bool rd = !V2 && (op & 0x10); /* v2 has no redistributors */
			uint64_t ipa = (rd ? VGIC_REDIST_BASE : VGIC_DIST_BASE) +
				       (fuzz_u32(&in) % (rd   ? VGIC_REDIST_REGION_SIZE
							 : V2 ? VGIC_V2_DIST_SIZE
							      : VGIC_DIST_SIZE));
			unsigned width = 1u << (fuzz_u8(&in) & 3);
			const struct mmio_region *r = region(ipa);

			if (!r)
				fail("no region for a vGIC address");
			if (op % 14 == 0)
				(void)r->ops->read(v, r->dev, ipa - r->base, width, &val);
			else
				(void)r->ops->write(v, r->dev, ipa - r->base, width,
						    fuzz_u64(&in) & mmio_size_mask(width));
			break;
		}
		case 2: /* a device line or a PPI; out-of-range INTIDs included */
			(void)vgic_set_irq(&vm, op & 0x20 ? v : NULL, fuzz_u8(&in), op & 0x40);
			break;
		case 3:
			(void)vgic_inject(&vm, op & 0x20 ? v : NULL, fuzz_u8(&in));
			break;
		case 4:
			if (V2) { /* a GICD_SGIR write: any filter, target list and INTID */
				const struct mmio_region *r = region(VGIC_DIST_BASE);

				(void)r->ops->write(v, r->dev, GICD_SGIR, 4, fuzz_u32(&in));
			} else {
				vgic_write_sgi1r(v, fuzz_u64(&in));
			}
			break;
		case 5:
			enter(v, op & 0x20);
			break;
		case 6:
		case 7:
			guest_step(op % 14 == 6);
			break;
		case 8: /* an exit: the maintenance interrupt if the fake hardware asserts it */
			if (fake_maint_asserted())
				fake.maint(fake.maint_intid, fake.maint_arg);
			if (fake_maint_asserted())
				fail("the maintenance handler left its condition asserted");
			break;
		case 9:
			(void)vgic_has_pending(v);
			break;
		case 10:
			if (fake.loaded)
				vgic_sync(fake.loaded);
			break;
		case 11:
			if (fake.loaded)
				(void)vgic_ppi_raise_live(fake.loaded, 16 + fuzz_u8(&in) % 16);
			break;
		case 12:
			if (fake.loaded)
				vgic_save(fake.loaded); /* switched out */
			break;
		default: /* VM reset: all vCPUs parked, then each empties its interface */
			if (fake.loaded)
				vgic_save(fake.loaded);
			vgic_reset(&vm);
			for (unsigned i = 0; i < NR_VCPUS; i++) {
				vgic_restore(vcpu[i]);
				vgic_vcpu_reset(vcpu[i]);
				vgic_save(vcpu[i]);
			}
			break;
		}
		const char *why = fake_vgic_broken(vcpu, NR_VCPUS);

		if (!why)
			why = v2_sgi_broken();
		if (why)
			fail(why);
	}
	vgic_vm_destroy(&vm);
	return 0;
}
