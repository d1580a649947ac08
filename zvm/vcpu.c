/* vCPU life: creation, the run loop on its own host thread, waiting, kicks and requests. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/stack.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <stddef.h>
#include <string.h>
#include <zvm/placement.h>
#include <zvm/setway.h>
#include <zvm/vcpu_asm.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>
#include <zvm/vm.h>

_Static_assert(offsetof(struct vcpu, regs.pc) == VCPU_PC, "VCPU_PC");
_Static_assert(offsetof(struct vcpu, regs.pstate) == VCPU_PSTATE, "VCPU_PSTATE");
_Static_assert(offsetof(struct vcpu, host_sp) == VCPU_HOST_SP, "VCPU_HOST_SP");
_Static_assert(offsetof(struct vcpu, esr) == VCPU_ESR, "VCPU_ESR");
_Static_assert(offsetof(struct vcpu, far) == VCPU_FAR, "VCPU_FAR");
_Static_assert(offsetof(struct vcpu, hpfar) == VCPU_HPFAR, "VCPU_HPFAR");
_Static_assert(offsetof(struct cpu, vcpu) == 0, "the exit vector loads cpu->vcpu at 0");

#define VCPU_STACK_SIZE K_STACK_SIZE
#define MPIDR_RES1	(1ULL << 31)

struct vcpu *vcpu_current(void)
{
	return this_cpu()->loaded_vcpu;
}

static void vcpu_switch_out(struct k_thread *t)
{
	struct vcpu *v = (struct vcpu *)((char *)t - offsetof(struct vcpu, thread));

	/* Still runnable (queued again under the scheduler lock held here) and giving way to a
	 * thread no more urgent (its worker, another vCPU), with its timer line low: it keeps its
	 * timer live. A more urgent thread is not to take the guest's expiry. */
	if (this_cpu()->loaded_vcpu == v)
		vcpu_put(v, !(t->flags & Z_T_QUEUED) || z_current_locked()->prio < t->prio ||
				v->vtimer_line != VTIMER_LINE_LOW);
}

static void vcpu_switch_in(struct k_thread *t)
{
	struct vcpu *v = (struct vcpu *)((char *)t - offsetof(struct vcpu, thread));

	vcpu_load(v);
}

void vcpu_reset_regs(struct vcpu *v, uint64_t pc, uint64_t x0)
{
	memset(&v->regs, 0, sizeof(v->regs));
	v->regs.pc = pc;
	v->regs.x[0] = x0;
	v->regs.pstate = PSTATE_EL1H_MASKED;
	vcpu_sysregs_reset(v);
}

struct vcpu *vcpu_create(struct vm *vm, unsigned id)
{
	struct vcpu *v = k_aligned_alloc(16, sizeof(*v));

	if (!v)
		return NULL;
	memset(v, 0, sizeof(*v));
	v->stack = k_stack_alloc();
	if (!v->stack) {
		k_free(v);
		return NULL;
	}
	v->vm = vm;
	v->id = id;
	/* Aff0 = id: the guest DT lists the same values. */
	v->mpidr = MPIDR_RES1 | id;
	v->running_on = -1;
	v->tlb_cpu = -1;
	v->power = VCPU_OFF;
	v->prio = VCPU_PRIO;
	k_sem_init(&v->wake, 0, 1);
	vptimer_vcpu_init(v);
	vcpu_reset_regs(v, 0, 0);
	if (vgic_vcpu_init(v) || vtimer_vcpu_init(v)) {
		vcpu_destroy(v);
		return NULL;
	}
	return v;
}

void vcpu_destroy(struct vcpu *v)
{
	vptimer_vcpu_destroy(v);
	vtimer_vcpu_destroy(v);
	/* Freed memory must not stay in the timeout queue: a host bug, not the guest's. */
	if (k_timer_is_running(&v->ptimer.expiry))
		panic("vcpu %s freed with its physical timer armed", v->name);
	k_stack_free(v->stack);
	k_free(v);
}

void vcpu_request(struct vcpu *v, unsigned req)
{
	__atomic_or_fetch(&v->requests, req, __ATOMIC_SEQ_CST);
	vcpu_kick(v);
}

/* The caller has published what v must see (seq_cst) before this load. In guest mode on
 * another CPU, v is interrupted; in guest mode or its exit path here, it flushes before it
 * re-enters; out of guest mode it may be waiting, so it is woken. */
void vcpu_kick(struct vcpu *v)
{
	int cpu = __atomic_load_n(&v->running_on, __ATOMIC_SEQ_CST);

	if (cpu < 0)
		k_sem_give(&v->wake);
	else if ((unsigned)cpu != cpu_id())
		smp_send_kick((unsigned)cpu);
}

/* Blocks the thread until something needs the vCPU: an interrupt, its timer, a request. */
void vcpu_wait_for_interrupt(struct vcpu *v)
{
	uint64_t deadline;

	vgic_sync(v);
	if (vgic_has_pending(v) || v->requests)
		return;
	if (vtimer_pending(v)) {
		vtimer_inject_if_expired(v);
		return;
	}
	deadline = vtimer_deadline(v);
	k_sem_take(&v->wake, deadline == UINT64_MAX ? K_FOREVER : K_ABS_TICKS(deadline));
	vtimer_inject_if_expired(v);
}

/* A reset of v (at pc, with x0) by its own thread: registers and EL1 state into the CPU and,
 * for a VM reset, an empty vGIC CPU interface. IRQs masked throughout: a thread switch in
 * between would save the live, old EL1 state over the fresh copy in v->sys. */
static void reset_cpu(struct vcpu *v, uint64_t pc, uint64_t x0, bool vm_reset)
{
	uint64_t flags = arch_irq_save();

	vcpu_reset_regs(v, pc, x0);
	vcpu_write_sysregs(v);
	vptimer_reset(v);
	if (vm_reset)
		vgic_vcpu_reset(v);
	arch_irq_restore(flags);
}

/* Power states change under vm->lock, where PSCI CPU_ON on another vCPU reads them. */
static void vcpu_set_power(struct vcpu *v, enum vcpu_power p)
{
	k_spinlock_key_t key = k_spin_lock(&v->vm->lock);

	v->power = p;
	k_spin_unlock(&v->vm->lock, key);
}

/* A pending CPU_ON completes: true when it still stands (a VM reset may have cancelled it). */
static bool vcpu_power_on(struct vcpu *v)
{
	k_spinlock_key_t key = k_spin_lock(&v->vm->lock);
	bool on = v->power == VCPU_ON_PENDING;

	if (on)
		v->power = VCPU_ON;
	k_spin_unlock(&v->vm->lock, key);
	return on;
}

/* Requests from other threads and from the vCPU's own exits. Returns false when the thread
 * must end. */
static bool vcpu_take_requests(struct vcpu *v)
{
	for (;;) {
		unsigned req = __atomic_exchange_n(&v->requests, 0, __ATOMIC_SEQ_CST);

		if (req & VCPU_REQ_STOP)
			return false;
		if (req & VCPU_REQ_RESET) {
			/* The reset worker has set the power state already (zvm/vm_life.c). */
			bool boot = v->id == 0;

			reset_cpu(v, boot ? v->vm->entry : 0, boot ? v->vm->dtb_ipa : 0, true);
			/* A stopped flush is kept and restarts from 0: the old guest's dirty lines
			 * must not land later on what the new boot writes with caches off, and
			 * other vCPUs may have dirtied lines below the cursor before the reset. */
			v->flush_cursor = 0;
		}
		if ((req & VCPU_REQ_POWERON) && vcpu_power_on(v))
			reset_cpu(v, v->psci_entry, v->psci_ctx, false);
		if (req & VCPU_REQ_OFF) {
			uint64_t flags = arch_irq_save();

			vcpu_set_power(v, VCPU_OFF);
			/* What is in its LRs goes back to the lists, where register writes and
			 * routing can still reach it while the vCPU is off. */
			vgic_sync(v);
			arch_irq_restore(flags);
		}
		/* VCPU_REQ_CACHE_FLUSH only brings us here. IRQs enabled: long, preemptible, and
		 * stopped by any other request or a pause, then resumed (setway.c). */
		if (v->flush_pending && v->power == VCPU_ON && v->vm->state == VM_RUNNING &&
		    !v->requests)
			setway_flush_vm(v);
		if (req & VCPU_REQ_WFI)
			vcpu_wait_for_interrupt(v);
		if (v->power == VCPU_ON && v->vm->state == VM_RUNNING && !v->requests &&
		    !v->flush_pending)
			return true;
		if (v->requests)
			continue;
		/* Off, paused or halted: sleep until a request or a state change wakes us. */
		v->parked = true;
		k_sem_take(&v->wake, K_FOREVER);
		v->parked = false;
	}
}

static void slow_exit(void *v)
{
	vcpu_handle_slow_exit(v);
}

/* How this entry treats WFI. A dedicated vCPU sleeps in the guest's own WFI, unless a thread as
 * urgent as it waits for this CPU (its VM's device worker, a host thread): then WFI traps so the
 * vCPU yields when the guest idles, instead of the thread waiting for the end of the slice. A
 * thread made ready here while the guest runs interrupts it (sched_native_wait_begin). */
static unsigned entry_cpu_use(struct vcpu *v)
{
	if (v->cpu_use != CPU_DEDICATED)
		return v->cpu_use;
	return sched_native_wait_begin() ? CPU_DEDICATED : CPU_SHARED;
}

static void vcpu_run(void *a, void *b)
{
	struct vcpu *v = a;

	(void)b;
	/* Load and put with IRQs masked, as the scheduler's hooks do: a switch in the middle
	 * would save or restore half of the state. */
	uint64_t flags = arch_irq_save();

	vcpu_load(v);
	arch_irq_restore(flags);
	while (vcpu_take_requests(v)) {
		flags = arch_irq_save();

		/* Publish that we are in guest mode before looking at interrupts and requests; an
		 * injector publishes the interrupt before looking at running_on (vcpu_kick). */
		__atomic_store_n(&v->running_on, (int)cpu_id(), __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&v->requests, __ATOMIC_SEQ_CST)) {
			v->running_on = -1;
			arch_irq_restore(flags);
			continue;
		}
		el2_traps_set_vcpu(entry_cpu_use(v), v->sys.setway_tvm, v->local_tlbi);
		vcpu_prepare_entry(v);
		uint64_t why = guest_enter(v);

		sched_native_wait_end(); /* one store; cpu_use may have changed meanwhile */
		__atomic_store_n(&v->running_on, -1, __ATOMIC_SEQ_CST);
		/* An interrupt exit comes back here only when the scheduler wants the CPU (the
		 * interrupt itself was handled in the exit vector), other exits also when their
		 * handler woke a thread that is to run first: switch as at an IRQ exit. */
		sched_irq_exit();
		arch_irq_restore(flags);
		/* After an EL2 fault in its exit handler the VM is crashed for good: the thread
		 * ends here as on a stop (zvm/vcpu_fault.c). Only the slow path needs a recovery
		 * frame; a fault on the fast path comes back through guest_enter()'s. */
		if (why == EXIT_FAULT)
			break;
		if (why == EXIT_SYNC) {
			if (k_call_recoverable(&v->recover, slow_exit, v))
				break;
		} else if (why == EXIT_SERROR)
			vm_crash(v->vm, "SError from the guest");
	}
	flags = arch_irq_save();
	vcpu_put(v, true);
	v->thread.switch_in = NULL;
	v->thread.switch_out = NULL;
	arch_irq_restore(flags);
}

int vcpu_start_thread(struct vcpu *v, uint64_t cpu_mask)
{
	v->thread.switch_out = vcpu_switch_out;
	v->thread.switch_in = vcpu_switch_in;
	v->recover.fault = vcpu_recover_fault;
	v->recover.what = "synchronous exception in the hypervisor, handling a guest's exit";
	v->thread.recover = &v->recover;
	return k_thread_create(&v->thread, v->stack, VCPU_STACK_SIZE, vcpu_run, v, NULL,
			       (int)v->prio, cpu_mask, v->name);
}
