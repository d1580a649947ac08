/* Virtual timer: the guest owns the EL1 virtual timer (CNTV_*, not trapped, CNTVOFF_EL2 = 0).
 * Its hardware PPI reaches EL2 (HCR_EL2.IMO) while a vCPU's timer state is loaded on this CPU;
 * the handler raises the guest's level-triggered virtual timer PPI and disables the physical
 * PPI on this CPU while that line is high. Before each entry the line is checked: once the
 * guest has reprogrammed, disabled or masked (IMASK) its timer, it drops and the physical PPI
 * is enabled again. CNTV_CTL stays the guest's alone.
 *
 * There is no per-vCPU state: the timer registers themselves are the state. The core saves
 * them in v->sys.cntv_ctl/cntv_cval when it switches the vCPU out (leaving the timer live
 * when the vCPU stays runnable, so a switch to a host thread and back writes nothing; an
 * expiry in between is silenced by the handler) and restores them when it switches it in; an
 * expired restored timer fires the PPI again at once.
 *
 * Contract with the vCPU core:
 *  - vtimer_init_global() once on the boot CPU, before any vtimer_init_cpu().
 *  - vtimer_init_cpu() on every CPU, IRQs masked, after gic_cpu_init().
 *  - vtimer_vcpu_init()/vtimer_vcpu_destroy() with each vCPU.
 *  - vcpu_current() must return the vCPU whose EL1 state (timer included) is loaded on this
 *    CPU, also while its thread runs at EL2 with IRQs unmasked; when it returns NULL the
 *    handler only masks the timer and the expiry is not delivered.
 *  - vtimer_pending(), vtimer_deadline() and vtimer_inject_if_expired() read the live
 *    registers: call them on the vCPU's own thread while its state is loaded, never on a
 *    switched-out vCPU (its copies in v->sys are then what counts). */
#ifndef ZVM_VDEV_VTIMER_H
#define ZVM_VDEV_VTIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/vcpu.h>

struct vcpu;

/* The guest's timer PPIs in the order of its device tree's timer node. The virtual timer is
 * the guest's own (this file), the EL1 physical timer is emulated (vptimer.h); the other two
 * are advertised because the binding wants all four. */
#define VTIMER_GUEST_SEC_INTID	29 /* secure physical timer */
#define VTIMER_GUEST_PHYS_INTID 30 /* EL1 physical timer: vptimer.h */
#define VTIMER_GUEST_INTID	27 /* EL1 virtual timer: PPI 11 */
#define VTIMER_GUEST_HYP_INTID	26 /* EL2 physical timer: the guest has no EL2 */

/* virt_intid: the host DTB's virtual timer INTID (board.timer.intid[BOARD_TIMER_VIRT]). */
void vtimer_init_global(unsigned virt_intid);
void vtimer_init_cpu(void);

/* An exit of v by interrupt intid, acknowledged: when it is the virtual timer's PPI, delivers
 * the expiry to v, ends the interrupt and returns true. IRQs masked, v loaded here. */
bool vtimer_guest_irq(struct vcpu *v, unsigned intid);

int vtimer_vcpu_init(struct vcpu *v);
void vtimer_vcpu_destroy(struct vcpu *v);

/* With the vCPU's EL1 state: the physical PPI masked on load while its line is high, enabled
 * again on put (IRQs masked, on the vCPU's CPU; vcpu_sr.c). */
void vtimer_load(struct vcpu *v);
void vtimer_put(struct vcpu *v);
/* Loaded vCPU only: the timer is enabled, not masked, its compare value reached, and its
 * line not raised yet. */
bool vtimer_pending(struct vcpu *v);
/* Loaded vCPU only: the physical counter value at which it fires (possibly in the past), or
 * UINT64_MAX when disabled or masked. The WFI wait's absolute timeout (K_ABS_TICKS). */
uint64_t vtimer_deadline(struct vcpu *v);
/* Loaded vCPU only, after a WFI wait: if the timer has expired, raises the guest's timer
 * line. */
void vtimer_inject_if_expired(struct vcpu *v);
/* Before each guest entry (IRQs masked, v loaded): lowers the virtual line once the guest has
 * reprogrammed or stopped a timer that fired. Cheap when the line is low. */
#define VTIMER_LINE_LOW	   0
#define VTIMER_LINE_HIGH   1
#define VTIMER_LINE_RAISED 2 /* high, and raised since the guest last ran */

void vtimer_sync_line(struct vcpu *v);
static inline void vtimer_sync(struct vcpu *v)
{
	/* Raised during this exit: the guest has not run since, nothing to re-check yet. */
	if (v->vtimer_line == VTIMER_LINE_RAISED)
		v->vtimer_line = VTIMER_LINE_HIGH;
	else if (v->vtimer_line)
		vtimer_sync_line(v);
}

#endif
