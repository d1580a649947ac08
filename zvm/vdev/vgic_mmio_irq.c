/* The per-INTID register handlers both vGIC front ends share (GICv3: vgic_mmio.c, GICv2:
 * vgic_v2_mmio.c): enable, pending, active, priority and configuration bits over the common
 * interrupt state. Called with the dist lock held; vgic_acc_irq() says which interrupts an
 * access reaches (a->rdist: the vCPU whose SGIs/PPIs it names, NULL for SPIs). */
#include <errno.h>

#include "vgic_internal.h"

/* The interrupt an access names: SGIs/PPIs only in the SGI frame, SPIs only in the
 * distributor (with ARE=1 the distributor's banked registers are RAZ/WI). */
struct vgic_irq *vgic_acc_irq(const struct vgic_acc *a, unsigned intid)
{
	if ((intid < GIC_NR_PRIVATE) != (a->rdist != NULL))
		return NULL;
	return vgic_get_irq(a->dist, a->rdist, intid);
}

/* ---- Shared per-INTID handlers ---- */

typedef bool (*irq_test_fn)(const struct vgic_irq *irq);
typedef uint32_t (*irq_set_fn)(struct vgic_dist *d, struct vgic_irq *irq, bool on);

static uint64_t read_bits(struct vgic_acc *a, irq_test_fn test)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < a->size * 8; i++) {
		const struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq && test(irq))
			val |= 1ull << i;
	}
	return val;
}

/* Set/clear registers: a 1 acts, a 0 leaves the interrupt alone. */
static void write_bits(struct vgic_acc *a, uint64_t val, irq_set_fn set, bool on)
{
	for (unsigned i = 0; i < a->size * 8; i++) {
		struct vgic_irq *irq = (val >> i & 1) ? vgic_acc_irq(a, a->intid + i) : NULL;

		if (irq)
			a->kick |= set(a->dist, irq, on);
	}
}

static bool is_implemented(const struct vgic_irq *irq)
{
	(void)irq;
	return true; /* IGROUPR: every interrupt is group 1 (RAO/WI) */
}

static bool is_enabled(const struct vgic_irq *irq)
{
	return irq->enabled;
}

static bool is_active(const struct vgic_irq *irq)
{
	return irq->active;
}

uint64_t vgic_group_read(struct vgic_acc *a)
{
	return read_bits(a, is_implemented);
}

uint64_t vgic_enable_read(struct vgic_acc *a)
{
	return read_bits(a, is_enabled);
}

void vgic_isenable_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_enable, true);
}

void vgic_icenable_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_enable, false);
}

uint64_t vgic_pending_read(struct vgic_acc *a)
{
	return read_bits(a, vgic_irq_read_pending);
}

void vgic_ispend_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_pend, true);
}

void vgic_icpend_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_pend, false);
}

uint64_t vgic_active_read(struct vgic_acc *a)
{
	return read_bits(a, is_active);
}

void vgic_isactive_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_activate, true);
}

void vgic_icactive_write(struct vgic_acc *a, uint64_t val)
{
	write_bits(a, val, vgic_irq_activate, false);
}

uint64_t vgic_prio_read(struct vgic_acc *a)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < a->size; i++) {
		const struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq)
			val |= (uint64_t)irq->priority << (8 * i);
	}
	return val;
}

void vgic_prio_write(struct vgic_acc *a, uint64_t val)
{
	for (unsigned i = 0; i < a->size; i++) {
		struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq)
			a->kick |= vgic_irq_set_priority(a->dist, irq, (uint8_t)(val >> (8 * i)));
	}
}

uint64_t vgic_cfg_read(struct vgic_acc *a)
{
	uint64_t val = 0;

	for (unsigned i = 0; i < a->size * 4; i++) {
		const struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq && irq->edge)
			val |= (uint64_t)GIC_ICFGR_EDGE << (2 * i);
	}
	return val;
}

void vgic_cfg_write(struct vgic_acc *a, uint64_t val)
{
	for (unsigned i = 0; i < a->size * 4; i++) {
		struct vgic_irq *irq = vgic_acc_irq(a, a->intid + i);

		if (irq) /* SGIs ignore it: they are always edge */
			a->kick |=
			    vgic_irq_set_edge(a->dist, irq, (val >> (2 * i)) & GIC_ICFGR_EDGE);
	}
}

uint64_t vgic_iidr_read(struct vgic_acc *a)
{
	(void)a;
	return VGIC_IIDR;
}
