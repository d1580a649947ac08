/* The vGICv2's pure logic (zvm/vdev/vgic_v2.h): GICH_LR <-> ICH_LR values, GICD_SGIR, the
 * per-source SGI state in and out of the LRs. No locks, no device access: host unit tested. */
#include <arch/gicv3_regs.h>

#include "vgic_v2.h"

uint32_t vgic_v2_lr_from_v3(uint64_t ich_lr)
{
	uint64_t vintid = ich_lr & ICH_LR_VINTID_MASK;

	if (vintid >= GIC_INTID_SPECIAL)
		return 0;
	uint32_t lr = (uint32_t)vintid;
	uint32_t prio = (uint32_t)((ich_lr & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT);

	lr |= (prio >> 3) << GICH_LR_PRIORITY_SHIFT;
	lr |= (uint32_t)((ich_lr & ICH_LR_STATE_MASK) >> ICH_LR_STATE_SHIFT) << GICH_LR_STATE_SHIFT;
	if (ich_lr & ICH_LR_HW) {
		uint64_t pintid = (ich_lr & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT;

		/* A physical INTID v2 cannot name is not forwarded: the LR stays empty. */
		if (pintid >= GIC_INTID_SPECIAL)
			return 0;
		return lr | GICH_LR_HW | (uint32_t)pintid << GICH_LR_PHYSID_SHIFT;
	}
	if (ich_lr & ICH_LR_EOI)
		lr |= GICH_LR_EOI;
	if (vintid < GIC_NR_SGIS)
		lr |= (uint32_t)((ich_lr & VGIC_V2_LR_SRC_MASK) >> VGIC_V2_LR_SRC_SHIFT)
		      << GICH_LR_CPUID_SHIFT;
	return lr;
}

uint64_t vgic_v2_lr_to_v3(uint32_t gich_lr)
{
	uint64_t v = gich_lr & GICH_LR_VIRTUALID_MASK;
	uint64_t prio = ((gich_lr & GICH_LR_PRIORITY_MASK) >> GICH_LR_PRIORITY_SHIFT) << 3;

	v |= prio << ICH_LR_PRIORITY_SHIFT | ICH_LR_GROUP;
	v |= (uint64_t)((gich_lr >> GICH_LR_STATE_SHIFT) & 3u) << ICH_LR_STATE_SHIFT;
	if (gich_lr & GICH_LR_HW)
		return v | ICH_LR_HW |
		       (uint64_t)((gich_lr & GICH_LR_PHYSID_MASK) >> GICH_LR_PHYSID_SHIFT)
			   << ICH_LR_PINTID_SHIFT;
	if (gich_lr & GICH_LR_EOI)
		v |= ICH_LR_EOI;
	if ((gich_lr & GICH_LR_VIRTUALID_MASK) < GIC_NR_SGIS)
		v |= (uint64_t)((gich_lr & GICH_LR_CPUID_MASK) >> GICH_LR_CPUID_SHIFT)
		     << VGIC_V2_LR_SRC_SHIFT;
	return v;
}

/* An LR this per-source logic applies to: an SGI, not linked to a physical interrupt. */
static bool sgi_lr(uint64_t ich_lr)
{
	return (ich_lr & ICH_LR_VINTID_MASK) < GIC_NR_SGIS && !(ich_lr & ICH_LR_HW);
}

uint64_t vgic_v2_sgi_lr(struct vgic_v2_sgi *s, uint64_t ich_lr)
{
	if (!sgi_lr(ich_lr))
		return ich_lr;
	uint64_t lr = ich_lr & ~VGIC_V2_LR_SRC_MASK;
	unsigned src = s->src & 7u;

	if (lr & ICH_LR_STATE_ACTIVE) {
		if (lr & ICH_LR_STATE_PENDING) {
			if (!s->pend)
				s->pend = 1; /* a latch without a source: CPU 0 sent it */
			if (s->pend >> src & 1u)
				s->pend &= (uint8_t) ~(1u << src);
			else
				lr &= ~ICH_LR_STATE_PENDING; /* another source's: waits its turn */
		}
	} else if (lr & ICH_LR_STATE_PENDING) {
		src = s->pend ? (unsigned)__builtin_ctz(s->pend) : 0;
		s->pend &= (uint8_t) ~(1u << src);
	}
	s->src = (uint8_t)src;
	/* The next source is listed once the guest has deactivated this one. */
	if (s->pend)
		lr |= ICH_LR_EOI;
	return lr | (uint64_t)src << VGIC_V2_LR_SRC_SHIFT;
}

void vgic_v2_sgi_fold(struct vgic_v2_sgi *s, uint64_t ich_lr, bool drop)
{
	if (!sgi_lr(ich_lr))
		return;
	unsigned src = (unsigned)((ich_lr & VGIC_V2_LR_SRC_MASK) >> VGIC_V2_LR_SRC_SHIFT);

	s->src = (uint8_t)src;
	if ((ich_lr & ICH_LR_STATE_PENDING) && !drop)
		s->pend |= (uint8_t)(1u << src);
}

struct vgic_v2_vtr vgic_v2_vtr_decode(uint32_t vtr)
{
	/* ListRegs [5:0], PREbits [28:26] and PRIbits [31:29], each the count minus one. */
	return (struct vgic_v2_vtr){
	    .nr_lr = (vtr & 0x3fu) + 1,
	    .pre_bits = ((vtr >> 26) & 7u) + 1,
	    .pri_bits = ((vtr >> 29) & 7u) + 1,
	};
}

uint32_t vgic_v2_sgir_targets(uint32_t sgir, uint32_t present, unsigned self)
{
	uint32_t mask;

	switch ((sgir >> GICD_SGIR_FILTER_SHIFT) & 3u) {
	case 0:
		mask = (sgir >> GICD_SGIR_TARGETS_SHIFT) & 0xffu;
		break;
	case 1:
		mask = self < 32 ? ~(1u << self) : ~0u;
		break;
	case 2:
		mask = self < 32 ? 1u << self : 0;
		break;
	default:
		return 0; /* reserved: no SGI is sent */
	}
	return mask & present & 0xffu; /* a v2 guest has at most 8 CPU interfaces */
}
