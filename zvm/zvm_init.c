/* Bringing the hypervisor up on top of the host kernel. */
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/printk.h>
#include <zvm/images.h>
#include <zvm/stage2.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>
#include <zvm/zvm.h>

#include "vdev/vgic_v2.h"

void vm_manager_init(void);

void zvm_init(void)
{
	const struct board *b = host_board();

	stage2_init_global();
	el2_traps_local_tlbi(b->local_tlbi);
	/* The vGIC drives the GICv3 virtual interface (ICH_* registers, UNDEFINED without one) or,
	 * on a GICv2 with a GICH, the memory-mapped one; without either no VM may be created
	 * (vm_create), and nothing here touches them. */
	if (gic_version() == 3) {
		vgic_init_global(b->gic.maint_intid);
	} else if (!vgic_v2_hw_probe(b->gic.hyp.size ? b->gic.hyp.base : 0)) {
		pr_info("vgic: GICv2 virtual interface at 0x%llx, %u list registers\n",
			(unsigned long long)b->gic.hyp.base, vgic_v2_hw_nr_lr());
		/* Guests get a virtual GICv2: the same logic, the v2 front end and GICH. */
		vgic_select_v2();
		vgic_init_global(b->gic.maint_intid);
	} else {
		pr_warn("vgic: the GICv2 has no virtual interface (GICH): no VM can run\n");
	}
	vtimer_init_global(b->timer.intid[BOARD_TIMER_VIRT]);
	/* The guests it could read are kept; the others must not vanish without a word. */
	if (guest_types_init(host_dtb()))
		pr_err("zvm: guest images: %s\n", guest_types_error());
	vm_manager_init();
	pr_info("zvm: %u-bit guest physical addresses, %u guest type(s)\n", stage2_ipa_bits(),
		guest_type_count());
}

void zvm_init_cpu(void)
{
	el2_traps_init_cpu();
	write_sysreg(vtcr_el2, stage2_vtcr());
	vdebug_init_cpu();
	isb();
	if (gic_version() == 3 || vgic_is_v2())
		vgic_init_cpu();
	else
		vgic_v2_hw_init_cpu();
	vtimer_init_cpu();
}

INIT_HOOK(INIT_HOOK_BOOT, zvm_init);
INIT_HOOK(INIT_HOOK_CPU, zvm_init_cpu);
