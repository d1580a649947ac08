/* The GICv2 virtual interface control (GICH) registers. Only probing and per-CPU reset so far:
 * no vCPU runs on a GICv2 host until the vGICv2 front end exists (vm_create refuses). */
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
