/* A virtual CPU: a host thread whose body is "enter the guest, handle the exit, repeat". */
#ifndef ZVM_VCPU_H
#define ZVM_VCPU_H

#include <kernel/sem.h>
#include <kernel/recover.h>
#include <kernel/thread.h>
#include <kernel/timer.h>
#include <stdbool.h>
#include <stdint.h>
#include <zvm/s2_fault.h>
#include <zvm/vdev/vptimer.h>

struct vm;
struct vgic_cpu;

/* Saved by the exit vectors; offsets are used by guest_switch.S (VCPU_* in vcpu_asm.h). */
struct vcpu_gprs {
	uint64_t x[31];
	uint64_t pc;	 /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
};

/* Breakpoints and watchpoints as the guest wrote them (RES0 bits cleared; zvm/vdebug.c). Only
 * the first BRPs+1 / WRPs+1 of ID_AA64DFR0_EL1 are used. */
struct vcpu_debug {
	uint64_t bcr[16], bvr[16], wcr[16], wvr[16];
	uint32_t enabled; /* E bits: breakpoint n at bit n, watchpoint n at bit 16 + n */
};

/* EL1 state that belongs to the guest. It stays in the CPU while the vCPU thread runs and is
 * saved/restored only when the thread is switched out/in (vcpu_put/vcpu_load). */
struct vcpu_sysregs {
	uint64_t sctlr, actlr, cpacr, ttbr0, ttbr1, tcr, mair, amair, vbar, contextidr;
	uint64_t esr, far, afsr0, afsr1, par, sp_el0, sp_el1, elr_el1, spsr_el1;
	uint64_t tpidr_el0, tpidrro_el0, tpidr_el1, csselr, cntkctl, mdscr;
	uint64_t cntv_ctl, cntv_cval;
	uint64_t pauth_keys[10]; /* APIA, APIB, APDA, APDB, APGA: Lo, Hi each */
	bool oslk;		 /* OS lock (OSLAR_EL1), emulated */
	bool setway_tvm;	 /* HCR_EL2.TVM for this vCPU: set/way ops seen (setway.c) */
};

/* Where `zvm fault` makes a WFI exit fault: its exception-context or its thread handler. */
/* LOCKED: on the fast path with the VM's lock held, which must panic the host. */
enum { VCPU_FAULT_NONE, VCPU_FAULT_FAST, VCPU_FAULT_SLOW, VCPU_FAULT_LOCKED };

/* Changed under vm->lock: PSCI CPU_ON on one vCPU decides on another's power state. */
enum vcpu_power { VCPU_OFF, VCPU_ON, VCPU_ON_PENDING };

struct vcpu {
	struct vcpu_gprs regs; /* first: the exit vector reaches it through TPIDR_EL2 */
	uint64_t host_sp;      /* where guest_enter() left the host stack */

	/* Exit syndrome, filled by the exit vector. */
	uint64_t esr, far, hpfar;
	/* Armed while the thread runs a slow-path exit handler: an EL2 fault there returns to
	 * it (kernel/recover.h, zvm/vcpu_fault.c). */
	struct k_recover recover;
	/* Debug: the next WFI/WFE exit faults at EL2 (VCPU_FAULT_*; `zvm fault`). */
	volatile uint8_t fault_inject;

	struct vcpu_sysregs sys;
	struct vm *vm;
	unsigned id;
	uint64_t mpidr; /* VMPIDR_EL2 */

	struct vgic_cpu *vgic;
	/* The hardware breakpoints and watchpoints hold this vCPU's (sanitised) values; only
	 * while it is loaded, and only if the guest enabled one (zvm/vdebug.c). */
	bool dbg_live;
	/* The virtual timer's line as the vGIC sees it. While it is high the physical PPI is
	 * disabled at the GIC on the vCPU's CPU, so it stays quiet (zvm/vdev/vtimer.c). */
	uint8_t vtimer_line; /* VTIMER_LINE_* */

	struct k_thread thread;
	void *stack;
	char name[16]; /* thread name: "vm<id>/vcpu<n>" */
	unsigned prio; /* its thread's base priority (docs/scheduling.md) */

	/* Power and waiting. */
	volatile enum vcpu_power power;
	struct k_sem wake;	    /* given to wake the vCPU from WFI or power-off */
	volatile unsigned requests; /* VCPU_REQ_* bits, taken on the next loop */
	volatile int running_on;    /* physical CPU while in guest mode, else -1 */
	volatile bool parked;	    /* off, paused or halted: its thread sleeps */
	volatile uint8_t cpu_use;   /* enum cpu_use (zvm/placement.h): which of WFI/WFE trap */
	bool local_tlbi;	    /* its TLB invalidations trap, done on its CPU (el2_traps.c) */
	int tlb_cpu;		    /* the CPU it was loaded on last (vcpu_load), -1 before */
	uint64_t psci_entry, psci_ctx; /* CPU_ON arguments */

	/* Statistics for `zvm info` and tests. */
	uint64_t exits, wfi_exits, mmio_exits, hvc_exits, irq_exits;
	uint64_t tlbi_exits; /* TLB invalidations done locally for it (local_tlbi) */

	/* Reset with sys (vcpu_sysregs_reset); last, so the fields above keep short offsets. */
	struct vcpu_debug dbg;
	struct vptimer ptimer; /* the EL1 physical timer, emulated (zvm/vdev/vptimer.c) */

	/* Off the fast path, so after the fields it reaches. Set/way flush (setway.c), on the
	 * vCPU's own CPU and thread: pending until complete; flush_cursor is where a stopped
	 * flush resumes: the byte offset in the VM's RAM (the page index in a dynamic VM's). */
	bool flush_pending;
	uint64_t flush_cursor;
	/* Consecutive TLB conflict aborts at one IPA (s2_fault_exit.c). */
	struct s2f_tlbc tlbc;
	/* Set by a fast-path exit handler whose work may take long or block (it then returns
	 * false): the thread runs exit_deferred_run() before anything else of the exit. The one
	 * deferral mechanism (zvm/exit_deferred.c). */
	bool exit_deferred;
};

#define VCPU_REQ_STOP	 (1u << 0) /* leave the run loop and end the thread */
#define VCPU_REQ_POWERON (1u << 2) /* PSCI CPU_ON: reset registers to psci_entry/ctx */
#define VCPU_REQ_KICK	 (1u << 3) /* just re-check interrupts */

/* Forces v out of guest mode (IPI) or out of WFI, so it sees new interrupts or requests. */
void vcpu_kick(struct vcpu *v);
void vcpu_request(struct vcpu *v, unsigned req);
/* The vCPU whose EL1 state is loaded on this physical CPU (its thread runs here, in guest mode
 * or not), or NULL. Interrupt handlers use it to find the guest a per-CPU source belongs to. */
struct vcpu *vcpu_current(void);

/* Guest-visible exceptions, injected at the next entry. */
void vcpu_inject_undef(struct vcpu *v);
void vcpu_inject_dabt(struct vcpu *v, uint64_t far);
void vcpu_inject_iabt(struct vcpu *v, uint64_t far);

/* Guest register n as an instruction names it: 31 reads as zero and ignores writes. */
static inline uint64_t vcpu_get_reg(const struct vcpu *v, unsigned n)
{
	return n < 31 ? v->regs.x[n] : 0;
}

static inline void vcpu_set_reg(struct vcpu *v, unsigned n, uint64_t val)
{
	if (n < 31)
		v->regs.x[n] = val;
}

#endif
