/* The GICv2 virtual interface control (GICH) registers: probing, per-CPU reset, and the accessors
 * the shared vGIC logic uses on a GICv2 host in place of the ICH_* system registers (vgic_sr.c
 * dispatches here). GICH is banked per CPU at one address, so, like the system registers, each
 * access reaches the calling CPU's interface; callers run with IRQs masked on that CPU. LR values
 * cross in ICH_LR format (vgic_v2_logic.c converts); VMCR in GICH_VMCR format. */
#include <arch/gicv3_regs.h>
#include <arch/mmio.h>
#include <errno.h>
#include <kernel/printk.h>

#include "vgic_v2.h"

static uintptr_t gich;
static struct vgic_v2_vtr vtr;

int vgic_v2_hw_probe(uintptr_t gich_base)
{
	if (!gich_base)
		return -ENODEV;
	gich = gich_base;
	vtr = vgic_v2_vtr_decode(readl(gich + GICH_VTR));
	return 0;
}

void vgic_v2_hw_init_cpu(void)
{
	if (!gich)
		return;
	/* The GICH registers reset to UNKNOWN values: an empty, disabled interface. */
	writel(0, gich + GICH_HCR);
	writel(0, gich + GICH_VMCR);
	writel(0, gich + GICH_APR);
	for (unsigned i = 0; i < vtr.nr_lr; i++)
		writel(0, gich + GICH_LR(i));
}

unsigned vgic_v2_hw_nr_lr(void)
{
	return gich ? vtr.nr_lr : 0;
}

uint64_t vgic_v2_hw_read_lr(unsigned n)
{
	return vgic_v2_lr_to_v3(readl(gich + GICH_LR(n)));
}

void vgic_v2_hw_write_lr(unsigned n, uint64_t val)
{
	writel(vgic_v2_lr_from_v3(val), gich + GICH_LR(n));
}

void vgic_v2_hw_write_hcr(uint64_t val)
{
	/* En, UIE, LRENPIE and NPIE sit at the same bits in GICH_HCR. */
	writel((uint32_t)val & (ICH_HCR_EN | ICH_HCR_UIE | ICH_HCR_LRENPIE | ICH_HCR_NPIE),
	       gich + GICH_HCR);
}

uint32_t vgic_v2_hw_read_vmcr(void)
{
	return readl(gich + GICH_VMCR);
}

void vgic_v2_hw_write_vmcr(uint32_t val)
{
	writel(val, gich + GICH_VMCR);
}

uint32_t vgic_v2_hw_read_apr(void)
{
	return readl(gich + GICH_APR);
}

void vgic_v2_hw_write_apr(uint32_t val)
{
	writel(val, gich + GICH_APR);
}
