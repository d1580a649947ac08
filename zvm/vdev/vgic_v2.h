/* The vGICv2's hardware side (GICH, the memory-mapped virtual interface control). The list
 * register logic is the vGICv3's (vgic_logic.c, in ICH_LR<n>_EL2 format); these helpers turn
 * its values into GICH_LR<n> values and back, so the same logic drives either interface. */
#ifndef ZVM_VDEV_VGIC_V2_H
#define ZVM_VDEV_VGIC_V2_H

#include <drivers/gicv2.h>
#include <stdbool.h>
#include <stdint.h>

/* GICH_LR<n> (GICv2 virtualization extensions). */
#define GICH_LR_VIRTUALID_MASK 0x3ffu
#define GICH_LR_PHYSID_SHIFT   10
#define GICH_LR_PHYSID_MASK    (0x3ffu << GICH_LR_PHYSID_SHIFT)
#define GICH_LR_CPUID_SHIFT    10 /* HW=0, SGIs: the source CPU the guest's GICV_IAR reports */
#define GICH_LR_CPUID_MASK     (0x7u << GICH_LR_CPUID_SHIFT)
#define GICH_LR_EOI	       (1u << 19) /* HW=0: maintenance interrupt on the guest's EOI */
#define GICH_LR_PRIORITY_SHIFT 23	  /* the top 5 bits of an 8-bit priority */
#define GICH_LR_PRIORITY_MASK  (0x1fu << GICH_LR_PRIORITY_SHIFT)
#define GICH_LR_STATE_SHIFT    28
#define GICH_LR_STATE_PENDING  (1u << GICH_LR_STATE_SHIFT)
#define GICH_LR_STATE_ACTIVE   (2u << GICH_LR_STATE_SHIFT)
#define GICH_LR_GRP1	       (1u << 30)
#define GICH_LR_HW	       (1u << 31)

/* An SGI's source CPU inside an ICH_LR-format value, v2 only: bits [44:42], RES0 in ICH_LR when
 * HW is 0 and never written to a GICv3. So the source survives vgic_save/vgic_restore and the
 * fold, which move LR values in ICH format. */
#define VGIC_V2_LR_SRC_SHIFT 42
#define VGIC_V2_LR_SRC_MASK  (0x7ull << VGIC_V2_LR_SRC_SHIFT)

/* The GICH_LR value for an ICH_LR value the shared logic built. The v2 guest runs its
 * interrupts as group 0 (its GICC_CTLR.EnableGrp0, signalled as IRQ), so the group is dropped;
 * an SGI's source (VGIC_V2_LR_SRC_*) becomes CPUID (other INTIDs and HW ones carry none).
 * INTIDs past the v2 range (LPIs, >= 1020 bits) cannot be listed: 0 (an empty LR) comes back. */
uint32_t vgic_v2_lr_from_v3(uint64_t ich_lr);
/* The ICH_LR value the shared fold reads back: state, INTID, priority, EOI and HW as the guest
 * left them, group 1 as the logic wrote it, an SGI's CPUID as VGIC_V2_LR_SRC_*. */
uint64_t vgic_v2_lr_to_v3(uint32_t gich_lr);

/* Per-source state of one SGI of one vCPU, v2 only (GICv3 has no SGI source). A v2 SGI is
 * pending per (target, source): the shared state's latch stands for "some source pending". An
 * LR carries one source; further sources wait here and are listed one at a time, each after the
 * guest deactivated the one before (the EOI maintenance interrupt brings us back). */
struct vgic_v2_sgi {
	uint8_t pend; /* sources (bit = vCPU id) pending and not in an LR */
	uint8_t src;  /* the source of the instance in the LR, or the active one */
};

/* The LR value for SGI state s, from the value the shared logic built (ich_lr: its state says
 * active and/or pending). Takes the source the LR carries out of s->pend: the active source if
 * active (pending too only when that same source is pending again: an LR cannot hold another
 * source's pending state, so that waits), else the lowest pending source (source 0 when none is
 * recorded: a latch set without a source). Asks for the EOI maintenance while sources wait. */
uint64_t vgic_v2_sgi_lr(struct vgic_v2_sgi *s, uint64_t ich_lr);
/* Takes an SGI's LR (ich_lr, read back) into s: a source still pending goes back to s->pend,
 * unless drop (its pending state was cleared meanwhile). */
void vgic_v2_sgi_fold(struct vgic_v2_sgi *s, uint64_t ich_lr, bool drop);
/* The sources pending for s, as GICD_SPENDSGIR/CPENDSGIR read: waiting ones, plus the LR's when
 * it holds a pending state (lr_pending). */
static inline uint8_t vgic_v2_sgi_pending(const struct vgic_v2_sgi *s, bool lr_pending)
{
	return (uint8_t)(s->pend | (lr_pending ? 1u << (s->src & 7u) : 0));
}

/* GICH: the virtual interface control frame, banked per CPU at one address. */
#define GICH_HCR     0x000
#define GICH_VTR     0x004
#define GICH_VMCR    0x008
#define GICH_MISR    0x010
#define GICH_ELRSR0  0x030
#define GICH_APR     0x0f0
#define GICH_LR(n)   (0x100 + 4 * (n))
#define GICH_MAX_LRS 64

/* What GICH_VTR says about this CPU's interface. */
struct vgic_v2_vtr {
	unsigned nr_lr;	   /* list registers, 1..64 */
	unsigned pre_bits; /* preemption bits, 1..8 */
	unsigned pri_bits; /* priority bits, 1..8 */
};
struct vgic_v2_vtr vgic_v2_vtr_decode(uint32_t vtr);

/* Boot CPU, once, on a GICv2 host whose GIC node gives GICH (mapped at EL2): reads GICH_VTR.
 * Returns 0, or -ENODEV without a GICH. */
int vgic_v2_hw_probe(uintptr_t gich_base);
/* Every CPU after the probe, IRQs masked: its banked GICH starts empty and disabled. */
void vgic_v2_hw_init_cpu(void);
/* List registers the probe found; 0 before it or without a GICH. */
unsigned vgic_v2_hw_nr_lr(void);

/* The ICH-like accessors on a probed GICH (this CPU's bank, IRQs masked). LR values in ICH_LR
 * format; GICH_HCR takes the ICH_HCR bits En, UIE, LRENPIE, NPIE. */
uint64_t vgic_v2_hw_read_lr(unsigned n);
void vgic_v2_hw_write_lr(unsigned n, uint64_t val);
void vgic_v2_hw_write_hcr(uint64_t val);
uint32_t vgic_v2_hw_read_vmcr(void);
void vgic_v2_hw_write_vmcr(uint32_t val);
uint32_t vgic_v2_hw_read_apr(void);
void vgic_v2_hw_write_apr(uint32_t val);

/* A GICH_VMCR value as the shared logic reads ICH_VMCR_EL2: the priority mask (5 bits at
 * [31:27]) is the top of VPMR [31:24] already; the v2 guest's interrupts are group 0, so its
 * VMGrp0En stands for VENG1. */
static inline uint64_t vgic_v2_vmcr_to_v3(uint32_t vmcr)
{
	return (vmcr & 0xf8000000u) | ((vmcr & 1u) << 1);
}

/* GICD_SGIR as a v2 guest writes it. */
#define GICD_SGIR_FILTER_SHIFT 24
#define GICD_SGIR_INTID(v)     ((v)&0xfu)

/* vCPUs (bit = vCPU id, which is the guest's CPU interface number) a GICD_SGIR write by vCPU
 * self sends its SGI to: the target list, every other present vCPU, or self alone, by
 * TargetListFilter; none for the reserved filter. Only present vCPUs, at most 8. */
uint32_t vgic_v2_sgir_targets(uint32_t sgir, uint32_t present, unsigned self);

#endif
