/* Virtual GICv3: an emulated distributor and one emulated redistributor per vCPU; interrupts
 * reach the guest through the list registers (ICH_LR<n>_EL2), which stay live in the CPU while
 * the vCPU thread runs.
 *
 * Contract with the vCPU core (zvm/vcpu.c):
 *  - vgic_vm_init() when the VM is created (registers the MMIO regions; on failure still call
 *    vgic_vm_destroy()), vgic_vcpu_init() for each vCPU (after v->vm, v->id, v->mpidr are set;
 *    v->id indexes vm->vcpus[]), vgic_vm_destroy() frees everything.
 *  - vgic_flush() right before every guest entry, IRQs masked, on the vCPU's thread: moves
 *    pending interrupts into free list registers. It must be cheap when nothing changed.
 *    A kick that lands after vgic_flush() must still force the vCPU out of the guest (the
 *    fast path reads the queue without the lock).
 *  - vgic_sync() right after every guest exit, IRQs still masked, on the vCPU's thread: folds
 *    the guest's acknowledges/EOIs out of the list registers so the emulated registers and
 *    vgic_has_pending() see them. Cheap when the LRs are empty. (Without it the fold happens at
 *    the next maintenance interrupt, or at the next vgic_flush() after the list changed:
 *    correct, just staler.)
 *  - vgic_save()/vgic_restore() when the vCPU thread is switched out/in (ICH_* state), also
 *    when the thread leaves the run loop for good; both with IRQs masked, no locks taken.
 *  - vgic_has_pending() tells a vCPU that executed WFI whether it should keep running.
 *  - Injection may come from any CPU and any context; the vGIC kicks the target vCPU
 *    (vcpu_kick) when it must look at its list registers again. */
#ifndef ZVM_VDEV_VGIC_H
#define ZVM_VDEV_VGIC_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/vcpu.h>

struct vm;
struct vcpu;

/* The guest's GIC layout, written into its device tree by the VM's DT builder. */
#define VGIC_DIST_BASE	 0x08000000ULL
#define VGIC_DIST_SIZE	 0x10000ULL
#define VGIC_REDIST_BASE 0x080a0000ULL
#define VGIC_REDIST_SIZE 0x20000ULL /* per vCPU: RD frame + SGI frame */
/* The emulated region: room for VM_MAX_VCPUS redistributors, the absent ones RAZ/WI. The DT may
 * say nr_vcpus * VGIC_REDIST_SIZE; keep other devices out of the whole region. */
#define VGIC_REDIST_REGION_SIZE (VGIC_REDIST_SIZE * 8)
/* On a GICv2 host: a 4 KiB GICv2 distributor at VGIC_DIST_BASE and the CPU interface (the
 * host's GICV, mapped, not emulated) right after it, as on QEMU's virt board. */
#define VGIC_V2_DIST_SIZE 0x1000ULL
#define VGIC_V2_CPU_BASE  0x08010000ULL
#define VGIC_V2_CPU_SIZE  0x2000ULL
#define VGIC_NR_SPIS	  96 /* INTIDs 32..127 */
#define VGIC_MAINT_INTID  25

/* Boot, before any VM: guests get the GICv2 register front end (a GICv2 host). The interrupt
 * state behind it is the same; the default is the GICv3 one. */
void vgic_select_v2(void);
/* True once vgic_select_v2() ran: the guest gets a GICv2 (DT, front end, mapped GICV). */
bool vgic_is_v2(void);
/* GICv2 hosts: maps the host's GICV into vm's stage 2 as the guest's GICC (vgic_v2_map.c).
 * 0, or -ENODEV when the host DT gives no usable GICV, or stage2_map()'s error. */
int vgic_v2_map_cpu_if(struct vm *vm);
int vgic_vm_init(struct vm *vm);
int vgic_vcpu_init(struct vcpu *v);
/* Optional, once v's thread is gone: frees v's part early. */
void vgic_vcpu_destroy(struct vcpu *v);
/* Frees the distributor and every vCPU's part still allocated. Never dereferences the vCPUs, so
 * it may run after they were freed; the VM must not run any more. */
void vgic_vm_destroy(struct vm *vm);

/* The head of the per-vCPU vGIC state: what every guest entry reads. */
struct vgic_cpu_head {
	/* Nonzero when the LRs may not show the vCPU's list as it is: something was queued,
	 * dequeued or changed since the last refill, the LRs were emptied, they could not hold
	 * the whole list, or the vCPU was switched out. Set and cleared under the dist lock. */
	unsigned stale;
};

void vgic_flush_slow(struct vcpu *v);

/* Inline because it runs on every entry. While the LRs hold the whole list and nothing
 * changed, the guest's progress in them (acknowledges, EOIs) may stay there: it is folded when
 * something needs it (vgic_sync, the maintenance interrupt, the next refill). The caller has
 * published running_on (seq_cst) before; the seq_cst load keeps this read after it, so an
 * injector either sees running_on and kicks v out of the guest, or its stale mark is seen
 * here. */
static inline void vgic_flush(struct vcpu *v)
{
	const struct vgic_cpu_head *h = (const struct vgic_cpu_head *)v->vgic;

	if (h && __atomic_load_n(&h->stale, __ATOMIC_SEQ_CST))
		vgic_flush_slow(v);
}
/* VM reset, all vCPUs parked: every interrupt back to its reset state (the input lines stay:
 * they belong to the devices). Then each vCPU, on its own thread with IRQs masked before it
 * runs again, empties its CPU interface with vgic_vcpu_reset(). */
void vgic_reset(struct vm *vm);
void vgic_vcpu_reset(struct vcpu *v);
void vgic_sync(struct vcpu *v);
void vgic_save(struct vcpu *v);
void vgic_restore(struct vcpu *v);
bool vgic_has_pending(struct vcpu *v);

/* Sets the input line of an interrupt. SGIs/PPIs need the target vCPU; SPIs take NULL and
 * follow their IROUTER. Edge interrupts latch pending on a rising level; level interrupts
 * stay pending while the level is high. Returns 0 or -EINVAL. */
int vgic_set_irq(struct vm *vm, struct vcpu *target, unsigned intid, bool level);
/* The short path for the virtual timer's expiry: raises level PPI intid (< 32) of v straight
 * into a free LR when the rest of v's interrupts allow it. v must be the vCPU whose CPU
 * interface is live on this CPU (vgic_restore'd here; vcpu_current() is), IRQs masked, and on
 * its way back into guest mode: nothing is kicked, so a thread about to block in WFI would not
 * wake. False when it did nothing: then use vgic_set_irq(). */
bool vgic_ppi_raise_live(struct vcpu *v, unsigned intid);
/* Edge-style injection (a rising then falling line). */
int vgic_inject(struct vm *vm, struct vcpu *target, unsigned intid);

/* Passthrough: SPI intid of vm is linked to physical INTID pintid (an SPI; negative unlinks).
 * The owner injects each physical firing with vgic_inject() after a priority drop only; the
 * LR carries the HW bit, so the guest's deactivation deactivates the physical interrupt (as
 * do its ICACTIVER and ICPENDR writes). 0 or -EINVAL. */
int vgic_spi_link_hw(struct vm *vm, unsigned intid, int pintid);
/* Clears the pending latch of SPI intid, as a guest's ICPENDR would (a HW-linked one is
 * deactivated physically too): for a reset that must not hand the new boot a stale firing.
 * 0 or -EINVAL. */
int vgic_spi_unpend(struct vm *vm, unsigned intid);
/* The vCPU index SPI intid is routed to now (its IROUTER), or -1. A hint: no lock. */
int vgic_spi_target(struct vm *vm, unsigned intid);

/* The guest wrote ICC_SGI1R_EL1 (trapped): send SGIs per target list or IRM. */
void vgic_write_sgi1r(struct vcpu *v, uint64_t val);

/* Boot CPU, once, before any vgic_init_cpu(): reads ICH_VTR_EL2 and connects the handler of the
 * GIC maintenance interrupt (a PPI; from the host DTB, 25 on QEMU virt; negative when the DTB
 * gives none: then every guest entry folds and refills the list registers). */
void vgic_init_global(int maint_intid);
/* Every CPU that may run vCPUs (the boot CPU too), IRQs masked: clears its ICH_* state and
 * enables the maintenance PPI in its redistributor. */
void vgic_init_cpu(void);

#endif
