/* The vGICv2's hardware side (GICH, the memory-mapped virtual interface control). The list
 * register logic is the vGICv3's (vgic_logic.c, in ICH_LR<n>_EL2 format); these helpers turn
 * its values into GICH_LR<n> values and back, so the same logic drives either interface. */
#ifndef ZVM_VDEV_VGIC_V2_H
#define ZVM_VDEV_VGIC_V2_H

#include <drivers/gicv2.h>
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

/* The GICH_LR value for an ICH_LR value the shared logic built. The v2 guest runs its
 * interrupts as group 0 (its GICC_CTLR.EnableGrp0, signalled as IRQ), so the group is dropped;
 * src_cpu is the source vCPU of an SGI (ignored for other INTIDs and with HW). INTIDs past the
 * v2 range (LPIs, >= 1020 bits) cannot be listed: 0 (an empty LR) comes back for them. */
uint32_t vgic_v2_lr_from_v3(uint64_t ich_lr, unsigned src_cpu);
/* The ICH_LR value the shared fold reads back: state, INTID, priority, EOI and HW as the guest
 * left them, group 1 as the logic wrote it. */
uint64_t vgic_v2_lr_to_v3(uint32_t gich_lr);

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
