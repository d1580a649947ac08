/* The guest's EL1 physical timer, emulated per vCPU as KVM does. Its registers trap
 * (CNTHCTL_EL2.EL1PCEN = 0) and live in struct vptimer; the line it drives is the guest's PPI
 * VTIMER_GUEST_PHYS_INTID (level). A kernel timer at CVAL raises the line while the vCPU runs,
 * waits in WFI or sits switched out; every register write re-evaluates the level, so masking,
 * disabling or moving CVAL lowers it.
 *
 * Locking: the vCPU's own thread writes the registers (in its trap handler, IRQs masked) while
 * the expiry callback may run on another CPU; both hold vptimer.lock, and call vgic_set_irq()
 * under it, so the line changes in the order the state did. Lock order: vptimer.lock, then
 * the vGIC's locks. */
#ifndef ZVM_VDEV_VPTIMER_H
#define ZVM_VDEV_VPTIMER_H

#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <stdbool.h>
#include <zvm/vdev/vptimer_regs.h>

struct vcpu;

struct vptimer {
	struct k_spinlock lock;
	struct vptimer_regs regs;
	bool line;	       /* the level last given to the vGIC */
	struct k_timer expiry; /* armed at regs.cval while the line may rise */
	uint64_t armed_at;     /* expiry's deadline while it is pending, else UINT64_MAX */
};

void vptimer_vcpu_init(struct vcpu *v);
/* Stops the expiry timer: once it returns no callback runs or will run for v. */
void vptimer_vcpu_destroy(struct vcpu *v);
/* A vCPU reset (VM reset, PSCI CPU_ON): disabled, line low. v's own thread. */
void vptimer_reset(struct vcpu *v);
/* A trapped guest access of reg; read: into guest register rt, else from it. */
void vptimer_access(struct vcpu *v, enum vptimer_reg reg, bool read, unsigned rt);

#endif
