/* The guest's GICv2 CPU interface: the host's GICV frame (the 4th reg entry of its GIC node)
 * mapped into the VM's stage 2 at VGIC_V2_CPU_BASE. The guest's GICC accesses (IAR, EOIR, PMR,
 * CTLR, DIR) go straight to the hardware, which works on this CPU's GICH list registers: no
 * exits. */
#include <errno.h>
#include <kernel/board.h>
#include <kernel/init.h>
#include <zvm/stage2.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vm.h>

int vgic_v2_map_cpu_if(struct vm *vm)
{
	const struct board *b = host_board();

	/* GICC_DIR sits at 0x1000: the frame must be both pages, aligned. */
	if (b->gic.vcpu.size < VGIC_V2_CPU_SIZE || b->gic.vcpu.base % S2_PAGE_SIZE)
		return -ENODEV;
	return stage2_map(&vm->s2, VGIC_V2_CPU_BASE, b->gic.vcpu.base, VGIC_V2_CPU_SIZE, S2_DEVICE);
}
