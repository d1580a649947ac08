/* The guest-visible GICv3 registers: one distributor frame, and per vCPU a redistributor (RD
 * frame + SGI frame). Each frame is a sorted table of {offset, length, bits per INTID, widths,
 * read, write}; one lookup checks the width and alignment, and anything not in a table reads as
 * zero and ignores writes. Only affinity routing (ARE=1) and a single security state (DS=1) are
 * offered, with every interrupt in group 1 and no LPIs. */
#include <drivers/gicv3.h>
#include <errno.h>
#include <zvm/mmio.h>
#include <zvm/vcpu.h>
#include <zvm/vm.h>

#include "vgic_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

_Static_assert(VGIC_REDIST_REGION_SIZE == VGIC_REDIST_SIZE * VM_MAX_VCPUS,
	       "the redistributor region must hold one redistributor per possible vCPU");
_Static_assert(VGIC_REDIST_SIZE == GICR_STRIDE_V3, "a GICv3 redistributor is two frames");

/* IROUTER is 64-bit; a 32-bit access reaches one half (off & 4 selects the upper one). */
static uint64_t irouter_read(struct vgic_acc *a)
{
	const struct vgic_irq *irq = vgic_acc_irq(a, a->intid);

	if (!irq)
		return 0;
	return (a->off & 4) ? irq->irouter >> 32 : irq->irouter;
}

static void irouter_write(struct vgic_acc *a, uint64_t val)
{
	struct vgic_irq *irq = vgic_acc_irq(a, a->intid);

	if (!irq)
		return;
	uint64_t r = irq->irouter;

	if (a->size == 8)
		r = val;
	else if (a->off & 4)
		r = (r & 0xffffffffull) | val << 32;
	else
		r = (r & ~0xffffffffull) | (val & 0xffffffffull);
	a->kick |= vgic_irq_set_irouter(a->dist, irq, r);
}

/* Peripheral and component ID registers at 0xffd0..0xfffc, the same in every frame:
 * PIDR4..7, PIDR0..3, CIDR0..3. PIDR2 says ArchRev 3 (GICv3), which is what guests check. */
#define ID_REGS_BASE 0xffd0
static uint64_t id_read(struct vgic_acc *a)
{
	static const uint8_t ids[12] = {
	    0x04, 0, 0, 0, 0x92, 0xb4, GIC_ARCHREV_GICV3 << 4 | 0xb, 0, 0x0d, 0xf0, 0x05, 0xb1};

	return ids[a->off / 4];
}

/* ---- Distributor ---- */

static uint64_t ctlr_read(struct vgic_acc *a)
{
	/* Bit layout of a GIC with one security state (DS=1): ARE and DS read as one. */
	return GICD_CTLR_ARE_NS | GICD_CTLR_DS | (a->dist->enabled ? GICD_CTLR_ENABLE_G1A : 0);
}

static void ctlr_write(struct vgic_acc *a, uint64_t val)
{
	/* EnableGrp0 (bit 0) is RAZ/WI: there are no group 0 interrupts. */
	a->kick |= vgic_dist_enable(a->dist, val & GICD_CTLR_ENABLE_G1A);
}

static uint64_t typer_read(struct vgic_acc *a)
{
	(void)a;
	/* ITLinesNumber covers our SPIs; IDbits = 10 bits; no LPIs, MBIS, ESPI or security. */
	return (VGIC_NR_IRQS / 32 - 1) | (10u - 1) << 19;
}

static const struct vgic_reg gicd_regs[] = {
    {GICD_CTLR, 4, 0, VGIC_W32, ctlr_read, ctlr_write},
    {GICD_TYPER, 4, 0, VGIC_W32, typer_read, NULL},
    {GICD_IIDR, 4, 0, VGIC_W32, vgic_iidr_read, NULL},
    {GICD_TYPER2, 4, 0, VGIC_W32, NULL, NULL},
    {GICD_STATUSR, 4, 0, VGIC_W32, NULL, NULL},
    {GICD_IGROUPR(0), 0x80, 1, VGIC_W32, vgic_group_read, NULL},
    {GICD_ISENABLER(0), 0x80, 1, VGIC_W32, vgic_enable_read, vgic_isenable_write},
    {GICD_ICENABLER(0), 0x80, 1, VGIC_W32, vgic_enable_read, vgic_icenable_write},
    {GICD_ISPENDR(0), 0x80, 1, VGIC_W32, vgic_pending_read, vgic_ispend_write},
    {GICD_ICPENDR(0), 0x80, 1, VGIC_W32, vgic_pending_read, vgic_icpend_write},
    {GICD_ISACTIVER(0), 0x80, 1, VGIC_W32, vgic_active_read, vgic_isactive_write},
    {GICD_ICACTIVER(0), 0x80, 1, VGIC_W32, vgic_active_read, vgic_icactive_write},
    {GICD_IPRIORITYR(0), 0x400, 8, VGIC_W8 | VGIC_W32, vgic_prio_read, vgic_prio_write},
    {GICD_ITARGETSR(0), 0x400, 8, VGIC_W8 | VGIC_W32, NULL, NULL}, /* legacy: ARE=1 */
    {GICD_ICFGR(0), 0x100, 2, VGIC_W32, vgic_cfg_read, vgic_cfg_write},
    {GICD_IGRPMODR(0), 0x80, 1, VGIC_W32, NULL, NULL},
    {GICD_NSACR(0), 0x100, 2, VGIC_W32, NULL, NULL},
    {GICD_IROUTER(0), 0x2000, 64, VGIC_W32 | VGIC_W64, irouter_read, irouter_write},
    {ID_REGS_BASE, 0x30, 0, VGIC_W32, id_read, NULL},
};

/* ---- Redistributor ---- */

static uint64_t rtyper_read(struct vgic_acc *a)
{
	const struct vcpu *v = a->rdist;
	uint64_t t = (uint64_t)gicv3_mpidr_to_aff(v->mpidr) << 32 | (uint64_t)(v->id & 0xffff) << 8;

	/* Last: no redistributor follows this one (guests stop their walk here). */
	if (!(a->dist->present >> v->id >> 1))
		t |= GICR_TYPER_LAST;
	return (a->off & 4) ? t >> 32 : t;
}

static uint64_t waker_read(struct vgic_acc *a)
{
	/* ChildrenAsleep follows ProcessorSleep at once: there is nothing to quiesce. */
	return a->rdist->vgic->sleep ? GICR_WAKER_PROCESSOR_SLEEP | GICR_WAKER_CHILDREN_ASLEEP : 0;
}

static void waker_write(struct vgic_acc *a, uint64_t val)
{
	a->rdist->vgic->sleep = val & GICR_WAKER_PROCESSOR_SLEEP;
}

static const struct vgic_reg gicr_rd_regs[] = {
    {GICR_CTLR, 4, 0, VGIC_W32, NULL, NULL}, /* no LPIs; RWP/UWP always 0 */
    {GICR_IIDR, 4, 0, VGIC_W32, vgic_iidr_read, NULL},
    {GICR_TYPER, 8, 0, VGIC_W32 | VGIC_W64, rtyper_read, NULL},
    {GICR_STATUSR, 4, 0, VGIC_W32, NULL, NULL},
    {GICR_WAKER, 4, 0, VGIC_W32, waker_read, waker_write},
    {ID_REGS_BASE, 0x30, 0, VGIC_W32, id_read, NULL},
};

/* The SGI frame repeats the distributor's arrays for INTIDs 0..31. */
static const struct vgic_reg gicr_sgi_regs[] = {
    {GICR_IGROUPR0, 4, 1, VGIC_W32, vgic_group_read, NULL},
    {GICR_ISENABLER0, 4, 1, VGIC_W32, vgic_enable_read, vgic_isenable_write},
    {GICR_ICENABLER0, 4, 1, VGIC_W32, vgic_enable_read, vgic_icenable_write},
    {GICR_ISPENDR0, 4, 1, VGIC_W32, vgic_pending_read, vgic_ispend_write},
    {GICR_ICPENDR0, 4, 1, VGIC_W32, vgic_pending_read, vgic_icpend_write},
    {GICR_ISACTIVER0, 4, 1, VGIC_W32, vgic_active_read, vgic_isactive_write},
    {GICR_ICACTIVER0, 4, 1, VGIC_W32, vgic_active_read, vgic_icactive_write},
    {GICR_IPRIORITYR(0), 0x20, 8, VGIC_W8 | VGIC_W32, vgic_prio_read, vgic_prio_write},
    {GICR_ICFGR0, 8, 2, VGIC_W32, vgic_cfg_read, vgic_cfg_write},
    {GICR_IGRPMODR0, 4, 1, VGIC_W32, NULL, NULL},
    {GICR_NSACR, 4, 2, VGIC_W32, NULL, NULL},
    {ID_REGS_BASE, 0x30, 0, VGIC_W32, id_read, NULL},
};

/* ---- Dispatch ---- */

/* No register here (a hole, a width the register does not take, an absent redistributor):
 * reads as zero and ignores writes, but a malformed access still gets an external abort. */
static int raz_wi(uint64_t off, unsigned size, bool write, uint64_t *val)
{
	if (!vgic_access_ok(off, size))
		return -EINVAL;
	if (!write)
		*val = 0;
	return 0;
}

static struct vgic_frame gicd_frame = {gicd_regs, ARRAY_SIZE(gicd_regs), 0};
static struct vgic_frame gicr_rd_frame = {gicr_rd_regs, ARRAY_SIZE(gicr_rd_regs), 0};
static struct vgic_frame gicr_sgi_frame = {gicr_sgi_regs, ARRAY_SIZE(gicr_sgi_regs), 0};

/* An access to a register that holds interrupt state: under the lock, after folding the
 * caller's list registers. Out of line, so the read-only path does not pay for its frame. */
static __attribute__((noinline)) void state_access(const struct vgic_reg *r, struct vgic_acc *a,
						   bool write, uint64_t *val)
{
	struct vgic_dist *d = a->dist;

	if (!write && !r->read) {
		*val = 0;
		return;
	}
	/* State registers must show what the guest did to its list registers since the exit
	 * (EOIs, activations): only these accesses pay for reading them back. */
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

/* One access by caller to register r of the distributor d or of rdist's redistributor. A read
 * may return bits above size: the MMIO bus masks them (mmio.h). */
static __attribute__((noinline)) int reg_access(const struct vgic_reg *r, struct vgic_dist *d,
						struct vcpu *rdist, struct vcpu *caller,
						uint64_t off, unsigned size, bool write,
						uint64_t *val)
{
	struct vgic_acc a = {
	    .dist = d,
	    .rdist = rdist,
	    .caller = caller,
	    .off = (uint32_t)(off - r->offset),
	    .size = size,
	};

	if (r->bpi)
		a.intid = a.off * 8 / r->bpi;
	if (r->write)
		state_access(r, &a, write, val);
	else if (!write) /* read-only: the VM's fixed configuration (IDs, TYPERs), no lock */
		*val = r->read ? r->read(&a) : 0;
	return 0;
}

/* A frame access that missed the hint: the table search. */
static __attribute__((noinline)) int frame_access_slow(struct vgic_frame *f, struct vgic_dist *d,
						       struct vcpu *rdist, struct vcpu *caller,
						       uint64_t off, unsigned size, bool write,
						       uint64_t *val)
{
	const struct vgic_reg *r = vgic_frame_find(f, off, size);

	if (!r)
		return raz_wi(off, size, write, val);
	return reg_access(r, d, rdist, caller, off, size, write, val);
}

/* The same through frame f: the last register found there is tried first. Every call here is
 * a tail call, so the hint hit costs no stack frame. */
static inline __attribute__((always_inline)) int
frame_access(struct vgic_frame *f, struct vgic_dist *d, struct vcpu *rdist, struct vcpu *caller,
	     uint64_t off, unsigned size, bool write, uint64_t *val)
{
	const struct vgic_reg *r = vgic_frame_hit(f, off, size);

	if (!r)
		return frame_access_slow(f, d, rdist, caller, off, size, write, val);
	return reg_access(r, d, rdist, caller, off, size, write, val);
}

static int dist_read(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	return frame_access(&gicd_frame, dev, NULL, v, off, size, false, val);
}

static int dist_write(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	return frame_access(&gicd_frame, dev, NULL, v, off, size, true, &val);
}

/* The region holds VM_MAX_VCPUS redistributors; those of absent vCPUs are RAZ/WI, so a guest
 * probing past the Last one reads a zero PIDR2 and stops. */
static int redist_access(struct vcpu *caller, struct vgic_dist *d, uint64_t offset, unsigned size,
			 bool write, uint64_t *val)
{
	uint64_t idx = offset / VGIC_REDIST_SIZE, off = offset % VGIC_REDIST_SIZE;
	struct vcpu *rd = idx < VM_MAX_VCPUS ? d->vm->vcpus[idx] : NULL;

	if (!rd || !rd->vgic)
		return raz_wi(off, size, write, val);
	if (off < GICR_SGI_OFFSET)
		return frame_access(&gicr_rd_frame, d, rd, caller, off, size, write, val);
	return frame_access(&gicr_sgi_frame, d, rd, caller, off - GICR_SGI_OFFSET, size, write,
			    val);
}

static int redist_read(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	return redist_access(v, dev, off, size, false, val);
}

static int redist_write(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t val)
{
	return redist_access(v, dev, off, size, true, &val);
}

static const struct mmio_ops dist_ops = {.read = dist_read, .write = dist_write};
static const struct mmio_ops redist_ops = {.read = redist_read, .write = redist_write};

int vgic_mmio_register(struct vm *vm, struct vgic_dist *d)
{
	int err = mmio_register(&vm->mmio, VGIC_DIST_BASE, VGIC_DIST_SIZE, &dist_ops, d);

	if (err)
		return err;
	return mmio_register(&vm->mmio, VGIC_REDIST_BASE, VGIC_REDIST_REGION_SIZE, &redist_ops, d);
}

bool vgic_mmio_tables_valid(void)
{
	return vgic_regs_valid(gicd_regs, ARRAY_SIZE(gicd_regs)) &&
	       vgic_regs_valid(gicr_rd_regs, ARRAY_SIZE(gicr_rd_regs)) &&
	       vgic_regs_valid(gicr_sgi_regs, ARRAY_SIZE(gicr_sgi_regs));
}
