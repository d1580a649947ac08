/* Pure parts of the virtual GIC: no locks, no system registers, no allocation, so the host unit
 * tests run them unchanged (tests/unit/test_vgic_logic.c). */
#include <errno.h>
#include <stddef.h>

#include "vgic_internal.h"

/* ---- Register tables ---- */

const struct vgic_reg *vgic_reg_find(const struct vgic_reg *tbl, unsigned n, uint64_t off,
				     unsigned size)
{
	if (!vgic_access_ok(off, size))
		return NULL;
	/* Binary search for the last entry starting at or below off. */
	unsigned lo = 0, hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (tbl[mid].offset <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct vgic_reg *r = &tbl[lo - 1];

	if (off + size > (uint64_t)r->offset + r->len)
		return NULL;	 /* a hole, or an access running past the register */
	if (!(r->widths & size)) /* the VGIC_W* flags are the sizes */
		return NULL;
	return r;
}

const struct vgic_reg *vgic_frame_find(struct vgic_frame *f, uint64_t off, unsigned size)
{
	const struct vgic_reg *r = vgic_frame_hit(f, off, size);

	if (r)
		return r;
	r = vgic_reg_find(f->regs, f->nr, off, size);
	if (r)
		__atomic_store_n(&f->hint, (unsigned)(r - f->regs), __ATOMIC_RELAXED);
	return r;
}

bool vgic_regs_valid(const struct vgic_reg *tbl, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		const struct vgic_reg *r = &tbl[i];

		unsigned widest = r->widths & VGIC_W64	 ? 8
				  : r->widths & VGIC_W32 ? 4
				  : r->widths & VGIC_W16 ? 2
							 : 1;

		if (!r->len || !r->widths || (r->widths & ~VGIC_W_ALL))
			return false;
		/* Every allowed access fits in the register and an aligned one never straddles two
		 * array entries, so the offset and length are multiples of the widest access. */
		if (r->len < widest || r->len % widest || r->offset % widest)
			return false;
		if (i && (uint64_t)tbl[i - 1].offset + tbl[i - 1].len > r->offset)
			return false;
	}
	return true;
}

/* ---- Interrupt state ---- */

bool vgic_irq_before(const struct vgic_irq *a, const struct vgic_irq *b)
{
	if (a->priority != b->priority)
		return a->priority < b->priority;
	return a->intid < b->intid;
}

void vgic_list_insert(struct vgic_irq **head, struct vgic_irq *irq)
{
	struct vgic_irq **pp = head;

	while (*pp && !vgic_irq_before(irq, *pp))
		pp = &(*pp)->next;
	irq->next = *pp;
	*pp = irq;
}

bool vgic_list_remove(struct vgic_irq **head, struct vgic_irq *irq)
{
	for (struct vgic_irq **pp = head; *pp; pp = &(*pp)->next) {
		if (*pp == irq) {
			*pp = irq->next;
			irq->next = NULL;
			return true;
		}
	}
	return false;
}

/* ---- List registers ---- */

void vgic_lr_fold(struct vgic_irq *irq, uint64_t lr)
{
	bool p = (lr & ICH_LR_STATE_PENDING) && !irq->drop_lr_pending;

	if (!irq->keep_active)
		irq->active = lr & ICH_LR_STATE_ACTIVE;
	if (irq->edge || irq->hw) {
		if (p)
			irq->latch = true; /* not acknowledged yet */
	} else if (irq->drop_lr_pending || (irq->lr_pending && !(lr & ICH_LR_STATE_PENDING))) {
		/* The guest took what the LR offered (or it was cleared): an ISPENDR is used up. A
		 * pending state held back from the LR is still ours. */
		irq->latch = false;
	}
	irq->in_lr = false;
	irq->lr_pending = false;
	irq->drop_lr_pending = false;
	irq->keep_active = false;
}

/* ---- Priorities, routing, SGIs ---- */

uint8_t vgic_prio_mask(uint8_t prio, unsigned pri_bits)
{
	if (pri_bits >= 8)
		return prio;
	if (pri_bits == 0)
		return 0;
	return (uint8_t)(prio & (0xffu << (8 - pri_bits)));
}

int vgic_route(uint64_t irouter, uint32_t present)
{
	uint64_t aff = irouter & GICD_IROUTER_AFF_MASK;

	if (irouter & GICD_IROUTER_IRM)
		return present ? __builtin_ctz(present) : -1;
	/* Aff0 names the vCPU; any other affinity field names nobody. */
	if (aff >= 32 || !(present >> aff & 1))
		return -1;
	return (int)aff;
}

uint32_t vgic_sgi1r_targets(uint64_t sgi1r, uint32_t present, unsigned self)
{
	const uint64_t elsewhere = 0xffull << ICC_SGI1R_AFF1_SHIFT |
				   0xffull << ICC_SGI1R_AFF2_SHIFT |
				   0xffull << ICC_SGI1R_AFF3_SHIFT | 0xfull << ICC_SGI1R_RS_SHIFT;

	if (sgi1r & ICC_SGI1R_IRM)
		return present & ~(1u << self);
	/* The list names Aff0 values 16 * RS .. 16 * RS + 15 of one Aff3.Aff2.Aff1: only RS = 0
	 * of 0.0.0 holds vCPUs. */
	if (sgi1r & elsewhere)
		return 0;
	return (uint32_t)(sgi1r & ICC_SGI1R_TARGET_LIST_MASK) & present;
}
