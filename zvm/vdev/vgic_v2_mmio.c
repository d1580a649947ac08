/* The guest-visible GICv2 distributor, offered on GICv2 hosts: a sorted register table like the
 * GICv3 one (vgic_mmio.c) over the same interrupt state and per-INTID handlers
 * (vgic_mmio_irq.c). The v2 distributor banks SGIs and PPIs per CPU at the SPIs' offsets: an
 * access to INTIDs 0..31 reaches the caller's own bank. One security state; every interrupt is
 * group 0 (IGROUPR RAZ/WI), which the guest's GICC_CTLR.EnableGrp0 signals as IRQ.
 *
 * SPI targets: the shared state routes an SPI to one vCPU (irouter Aff0 = vCPU id). An
 * ITARGETSR byte naming several CPUs routes to the lowest of them (the architecture lets the
 * GIC pick any one); a zero byte routes nowhere.
 *
 * SGIs are pending per (target, source): GICD_SGIR pends for source = the writer,
 * GICD_SPENDSGIR/CPENDSGIR set and clear any source's (struct vgic_v2_sgi, in the target's
 * vgic_cpu), and the SGI bits of ISPENDR0/ICPENDR0 are read-only, as the architecture has them. */
#include <errno.h>
#include <zvm/mmio.h>
#include <zvm/vcpu.h>
#include <zvm/vm.h>

#include "vgic_internal.h"
#include "vgic_v2.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(VM_MAX_VCPUS <= 8, "a GICv2 has at most 8 CPU interfaces");

/* irouter value meaning "no CPU": Aff0 names no vCPU (vgic_route() gives -1). */
#define V2_ROUTE_NONE 0xffu

/* ---- v2-only registers ---- */

static uint64_t ctlr_read(struct vgic_acc *a)
{
	return a->dist->enabled ? GICD_CTLR_EN_V2 : 0;
}

static void ctlr_write(struct vgic_acc *a, uint64_t val)
{
	a->kick |= vgic_dist_enable(a->dist, val & GICD_CTLR_EN_V2);
}

static uint64_t typer_read(struct vgic_acc *a)
{
	uint32_t present = a->dist->present;
	unsigned ncpu = present ? 32 - (unsigned)__builtin_clz(present) : 1;

	/* ITLinesNumber covers our SPIs; CPUNumber = the CPU interfaces minus one (ids are dense
	 * from 0, at most 8 in v2); no security extensions, no LPIs. */
	if (ncpu > 8)
		ncpu = 8;
	return (VGIC_NR_IRQS / 32 - 1) | (ncpu - 1) << 5;
}

/* One ITARGETSR byte for irq as seen by caller. */
static uint8_t target_byte(const struct vgic_acc *a, const struct vgic_irq *irq)
{
	if (irq->intid < GIC_NR_PRIVATE) /* banked: each CPU reads its own bit */
		return a->caller && a->caller->id < 8 ? (uint8_t)(1u << a->caller->id) : 0;
	uint64_t aff0 = irq->irouter & 0xff;

	return aff0 < 8 ? (uint8_t)(1u << aff0) : 0;
}

static uint64_t targets_read(struct vgic_acc *a)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < a->size; i++) {
		const struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq)
			val |= (uint64_t)target_byte(a, irq) << (8 * i);
	}
	return val;
}

static void targets_write(struct vgic_acc *a, uint64_t val)
{
	for (unsigned i = 0; i < a->size; i++) {
		unsigned intid = a->intid + i;
		struct vgic_irq *irq = intid >= GIC_NR_PRIVATE ? vgic_acc_irq(a, intid) : NULL;
		uint8_t mask = (uint8_t)(val >> (8 * i));

		if (irq) /* SGI/PPI bytes are read-only */
			a->kick |= vgic_irq_set_irouter(
			    a->dist, irq, mask ? (unsigned)__builtin_ctz(mask) : V2_ROUTE_NONE);
	}
}

static void sgir_write(struct vgic_acc *a, uint64_t val)
{
	struct vgic_dist *d = a->dist;
	unsigned sgi = GICD_SGIR_INTID((uint32_t)val);

	if (!a->caller)
		return;
	/* Ids are < VM_MAX_VCPUS <= 8: the writer is a source bit. */
	uint8_t src = (uint8_t)(1u << a->caller->id);

	for (uint32_t t = vgic_v2_sgir_targets((uint32_t)val, d->present, a->caller->id); t;
	     t &= t - 1) {
		struct vgic_cpu *c = d->cpus[__builtin_ctz(t)];

		c->sgi[sgi].pend |= src;
		a->kick |= vgic_irq_pend(d, &c->priv[sgi], true);
	}
}

/* The SGI bits of ISPENDR0/ICPENDR0 ignore writes: pending state needs a source. (Both are
 * 32-bit only, so an access names INTIDs 0..31 or none of them.) */
static void ispend_write(struct vgic_acc *a, uint64_t val)
{
	vgic_ispend_write(a, a->intid < GIC_NR_SGIS ? val & ~0xffffull : val);
}

static void icpend_write(struct vgic_acc *a, uint64_t val)
{
	vgic_icpend_write(a, a->intid < GIC_NR_SGIS ? val & ~0xffffull : val);
}

/* SPENDSGIR/CPENDSGIR: byte a->off + i is SGI a->off + i of the caller's bank, bit n of it
 * source CPU n. The table bounds a->off + size by 16. */
static uint64_t sgi_pending_read(struct vgic_acc *a)
{
	struct vgic_cpu *c = a->caller ? a->caller->vgic : NULL;
	uint64_t val = 0;

	for (unsigned i = 0; c && i < a->size && a->off + i < GIC_NR_SGIS; i++) {
		unsigned sgi = a->off + i;
		const struct vgic_irq *irq = &c->priv[sgi];
		bool in_lr = irq->in_lr && irq->lr_pending && !irq->drop_lr_pending;

		val |= (uint64_t)vgic_v2_sgi_pending(&c->sgi[sgi], in_lr) << (8 * i);
	}
	return val;
}

static void spendsgir_write(struct vgic_acc *a, uint64_t val)
{
	struct vgic_cpu *c = a->caller ? a->caller->vgic : NULL;

	for (unsigned i = 0; c && i < a->size && a->off + i < GIC_NR_SGIS; i++) {
		unsigned sgi = a->off + i;
		/* Only CPUs that exist can be sources. */
		uint8_t set = (uint8_t)(val >> (8 * i) & a->dist->present);

		if (!set)
			continue;
		c->sgi[sgi].pend |= set;
		a->kick |= vgic_irq_pend(a->dist, &c->priv[sgi], true);
	}
}

static void cpendsgir_write(struct vgic_acc *a, uint64_t val)
{
	struct vgic_cpu *c = a->caller ? a->caller->vgic : NULL;

	for (unsigned i = 0; c && i < a->size && a->off + i < GIC_NR_SGIS; i++) {
		unsigned sgi = a->off + i;
		struct vgic_v2_sgi *s = &c->sgi[sgi];
		struct vgic_irq *irq = &c->priv[sgi];
		uint8_t clr = (uint8_t)(val >> (8 * i));

		if (!clr)
			continue;
		s->pend &= (uint8_t)~clr;
		/* The LR's pending instance is one source's: the fold drops it if that one goes. */
		if (irq->in_lr && irq->lr_pending && (clr >> (s->src & 7u) & 1u))
			irq->drop_lr_pending = true;
		irq->latch = s->pend != 0;
		a->kick |= vgic_irq_update(a->dist, irq);
	}
}

/* PIDR4..7, PIDR0..3, CIDR0..3 at 0xfd0: ArchRev 2 in PIDR2. */
#define ID_REGS_BASE 0xfd0
static uint64_t id_read(struct vgic_acc *a)
{
	static const uint8_t ids[12] = {
	    0x04, 0, 0, 0, 0x90, 0xb4, GIC_ARCHREV_GICV2 << 4 | 0xb, 0, 0x0d, 0xf0, 0x05, 0xb1};

	return ids[a->off / 4];
}

static const struct vgic_reg gicd_v2_regs[] = {
    {GICD_CTLR, 4, 0, VGIC_W32, ctlr_read, ctlr_write},
    {GICD_TYPER, 4, 0, VGIC_W32, typer_read, NULL},
    {GICD_IIDR, 4, 0, VGIC_W32, vgic_iidr_read, NULL},
    {GICD_IGROUPR(0), 0x80, 1, VGIC_W32, NULL, NULL}, /* group 0 only: RAZ/WI */
    {GICD_ISENABLER(0), 0x80, 1, VGIC_W32, vgic_enable_read, vgic_isenable_write},
    {GICD_ICENABLER(0), 0x80, 1, VGIC_W32, vgic_enable_read, vgic_icenable_write},
    {GICD_ISPENDR(0), 0x80, 1, VGIC_W32, vgic_pending_read, ispend_write},
    {GICD_ICPENDR(0), 0x80, 1, VGIC_W32, vgic_pending_read, icpend_write},
    {GICD_ISACTIVER(0), 0x80, 1, VGIC_W32, vgic_active_read, vgic_isactive_write},
    {GICD_ICACTIVER(0), 0x80, 1, VGIC_W32, vgic_active_read, vgic_icactive_write},
    {GICD_IPRIORITYR(0), 0x400, 8, VGIC_W8 | VGIC_W32, vgic_prio_read, vgic_prio_write},
    {GICD_ITARGETSR(0), 0x400, 8, VGIC_W8 | VGIC_W32, targets_read, targets_write},
    {GICD_ICFGR(0), 0x100, 2, VGIC_W32, vgic_cfg_read, vgic_cfg_write},
    {GICD_SGIR, 4, 0, VGIC_W32, NULL, sgir_write}, /* write-only */
    {GICD_CPENDSGIR(0), 0x10, 0, VGIC_W8 | VGIC_W32, sgi_pending_read, cpendsgir_write},
    {GICD_SPENDSGIR(0), 0x10, 0, VGIC_W8 | VGIC_W32, sgi_pending_read, spendsgir_write},
    {ID_REGS_BASE, 0x30, 0, VGIC_W32, id_read, NULL},
};

static struct vgic_frame gicd_v2_frame = {gicd_v2_regs, ARRAY_SIZE(gicd_v2_regs), 0};

/* An access to a register that holds interrupt state (or SGIR): under the lock, after folding
 * the caller's list registers so the guest's EOIs show. */
static void state_access(const struct vgic_reg *r, struct vgic_acc *a, bool write, uint64_t *val)
{
	struct vgic_dist *d = a->dist;

	if (!write && !r->read) {
		*val = 0;
		return;
	}
	if (a->caller)
		vgic_sync(a->caller);
	k_spinlock_key_t key = k_spin_lock(&d->lock);

	if (write)
		r->write(a, *val);
	else
		*val = r->read(a);
	k_spin_unlock(&d->lock, key);
	if (a->kick)
		vgic_kick(d->vm, a->kick, a->caller);
}

static int dist_access(struct vcpu *caller, struct vgic_dist *d, uint64_t off, unsigned size,
		       bool write, uint64_t *val)
{
	const struct vgic_reg *r = vgic_frame_find(&gicd_v2_frame, off, size);

	if (!r) { /* a hole or a width the register does not take: RAZ/WI */
		if (!vgic_access_ok(off, size))
			return -EINVAL;
		if (!write)
			*val = 0;
		return 0;
	}
	struct vgic_acc a = {
	    .dist = d,
	    .caller = caller,
	    .off = (uint32_t)(off - r->offset),
	    .size = size,
	};

	if (r->bpi) {
		a.intid = a.off * 8 / r->bpi;
		/* The banked INTIDs are the caller's; an access never straddles 31/32 (each
		 * register holding INTID 31 ends there). */
		if (a.intid < GIC_NR_PRIVATE) {
			if (!caller || !caller->vgic) {
				if (!write)
					*val = 0;
				return 0;
			}
			a.rdist = caller;
		}
	}
	if (r->write)
		state_access(r, &a, write, val);
	else if (!write)
		*val = r->read ? r->read(&a) : 0;
	return 0;
}

static int dist_read(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	return dist_access(v, dev, off, size, false, val);
}

static int dist_write(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	return dist_access(v, dev, off, size, true, &val);
}

static const struct mmio_ops dist_v2_ops = {.read = dist_read, .write = dist_write};

int vgic_v2_mmio_register(struct vm *vm, struct vgic_dist *d)
{
	return mmio_register(&vm->mmio, VGIC_DIST_BASE, VGIC_V2_DIST_SIZE, &dist_v2_ops, d);
}

bool vgic_v2_mmio_table_valid(void)
{
	return vgic_regs_valid(gicd_v2_regs, ARRAY_SIZE(gicd_v2_regs));
}
