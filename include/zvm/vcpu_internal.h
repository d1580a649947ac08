/* Interfaces between the pieces of the vCPU core (zvm/vcpu*.c, zvm/exit.c, zvm/hypercall.c). */
#ifndef ZVM_VCPU_INTERNAL_H
#define ZVM_VCPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>

#define PSTATE_EL1H_MASKED 0x3c5ULL	/* EL1h, D, A, I, F masked */
#define VCPU_PRIO	   10		/* below the shell (1), above background work */
#define PSTATE_SS	   (1ULL << 21) /* software step: the stepped instruction is pending */

struct vcpu *vcpu_create(struct vm *vm, unsigned id);
void vcpu_destroy(struct vcpu *v);
/* Starts the thread (it parks until the vCPU is powered on and the VM runs). */
int vcpu_start_thread(struct vcpu *v, uint64_t cpu_mask);
/* Registers as on reset: pc, x0 and PSTATE EL1h with exceptions masked, MMU off. */
void vcpu_reset_regs(struct vcpu *v, uint64_t pc, uint64_t x0);

/* Past a trapped A64 instruction that the hypervisor completed: like the CPU, end a software
 * step there, or a stepping guest would run one more instruction before its debug trap. */
static inline void vcpu_skip_a64(struct vcpu *v)
{
	v->regs.pc += 4;
	v->regs.pstate &= ~PSTATE_SS;
}

/* The EL2 trap controls of this CPU (el2_traps.c), IRQs masked at boot: HCR_EL2 for guests
 * (kept while the host runs too), CPTR_EL2, fine-grained traps and HCRX_EL2 where the CPU has
 * them. */
void el2_traps_init_cpu(void);
/* Guests use pointer authentication untrapped: its keys are vCPU state (vcpu_sr.c). */
bool el2_guests_have_pauth(void);
/* Before a guest entry from the vCPU thread, IRQs masked: HCR_EL2.TWI and TWE for this vCPU's
 * cpu_use, TVM while its set/way maintenance is tracked (setway.c). Not on the fast path: a
 * change takes effect at the next slow exit (setway.c sends every change of TVM through the
 * thread). */
void el2_traps_set_vcpu(unsigned cpu_use, bool tvm, bool local_tlbi);
/* The board's zvm,local-tlbi (set once at boot). With it a VM of one vCPU runs with
 * HCR_EL2.TTLB: each TLB invalidation it makes traps and is done on its CPU alone
 * (sysreg_trap.c), which is enough because no other CPU uses its VMID until vcpu_load has
 * flushed the entries it left there (where the vCPU comes back to after running elsewhere). */
void el2_traps_local_tlbi(bool on);
bool el2_vm_local_tlbi(const struct vm *vm);

/* EL1 state save/restore (vcpu_sr.c). */
void vcpu_load(struct vcpu *v);
/* stop_timer: the thread blocks (in WFI its wait has a timeout of its own for the timer's
 * deadline; parked, throttled or stopped it needs none), or a more urgent thread takes the
 * CPU: the guest's timer is stopped; else it stays live (see vcpu_sr.c). */
void vcpu_put(struct vcpu *v, bool stop_timer);
void vcpu_sysregs_reset(struct vcpu *v);
/* Writes v->sys into the CPU (after a reset of a loaded vCPU). */
void vcpu_write_sysregs(struct vcpu *v);

/* Blocks the vCPU thread until an interrupt, its timer or a request needs it (WFI). */
void vcpu_wait_for_interrupt(struct vcpu *v);

/* Right before every guest entry, IRQs masked: the timer line, then the list registers. */
static inline void vcpu_prepare_entry(struct vcpu *v)
{
	vtimer_sync(v);
	vgic_flush(v);
}

/* Exit handling (exit.c): fast path in exception context, slow path on the thread. */
bool vcpu_handle_fast_exit(struct vcpu *v);
/* The lighter paths of guest_switch.S (only x0-x18, x30 saved): hypercalls and
 * data aborts that name none of x19-x29. */
bool vcpu_handle_hypercall(struct vcpu *v);
bool vcpu_handle_mmio_exit(struct vcpu *v);
void vcpu_handle_slow_exit(struct vcpu *v);
/* A physical interrupt arrived in guest mode: handles it; false when the thread must run. */
bool vcpu_handle_irq_exit(struct vcpu *v);

/* SMCCC / PSCI (hypercall.c, vpsci.c): handles the call in x0..x3, writes results. */
void hypercall_handle(struct vcpu *v);
void vpsci_handle(struct vcpu *v, uint32_t fid);
struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr);

/* System register traps (sysreg_trap.c; SYSREG() and the decoder: sysreg_decode.h). */
#include <zvm/sysreg_decode.h>
void sysreg_trap_handle(struct vcpu *v, uint64_t esr);
/* Debug registers (vdebug.c): a trapped access (reg: the ISS's Op0..CRm..Op2 bits; false: an
 * undefined register), the per-CPU setup (MDCR_EL2, breakpoints and watchpoints off), and the
 * vCPU's breakpoints and watchpoints into / out of the hardware with its EL1 state (IRQs
 * masked; a vCPU that never enabled one costs a test). */
bool vdebug_access(struct vcpu *v, uint32_t reg, bool read, unsigned rt);
void vdebug_init_cpu(void);
/* ID_AA64DFR0_EL1 as guests see it, with the breakpoint counts common to all CPUs. */
uint64_t vdebug_guest_dfr0(uint64_t dfr0);
void vdebug_sync(struct vcpu *v);
void vdebug_off(struct vcpu *v);
/* At load nothing is live: vdebug_put ran at the last put (or the reset). */
static inline void vdebug_load(struct vcpu *v)
{
	if (__builtin_expect(v->dbg.enabled != 0, 0))
		vdebug_sync(v);
}
static inline void vdebug_put(struct vcpu *v)
{
	if (__builtin_expect(v->dbg_live, 0))
		vdebug_off(v);
}

uint64_t guest_enter(struct vcpu *v);
/* x0 = vcpu, x1 = exit code: leaves exception context for guest_enter()'s caller. */
void guest_exit_to_host(void);

/* EL2 faults while handling a guest (vcpu_fault.c): the slow path runs under v->recover
 * (kernel/recover.h), whose fault callback this is. */
void vcpu_recover_fault(struct k_recover *r);
/* Debug trigger: faults (a bad pointer) if `zvm fault` armed v for this path. */
void vcpu_fault_injected(struct vcpu *v, unsigned path);
static inline void vcpu_fault_check(struct vcpu *v, unsigned path)
{
	if (__builtin_expect(v->fault_inject == path, 0))
		vcpu_fault_injected(v, path);
}

#define VCPU_REQ_WFI   (1u << 4) /* PSCI CPU_SUSPEND: wait for an interrupt */
#define VCPU_REQ_OFF   (1u << 5) /* PSCI CPU_OFF */
#define VCPU_REQ_RESET (1u << 6) /* VM reset: back to the boot state */
/* Set/way maintenance or a cache toggle under TVM: flush the VM's RAM (setway.c) */
#define VCPU_REQ_CACHE_FLUSH (1u << 7)

#endif
