/* An EL2 fault taken while working for a guest costs that VM, not the host, when the host's own
 * state is known to be intact: the fault is in the vCPU thread that owns the exit, on the
 * exit's fast path (exception context, guest_enter()'s frame below), or in work a thread runs
 * under k_call_recoverable() (a vCPU's slow-path handler, a device worker's pass:
 * kernel/recover.h); this CPU holds no spinlock (none is left locked: DAIF.F clear in the
 * faulting context, see include/arch/irq.h), the thread owns no k_mutex, this CPU handles no
 * interrupt (none is left active at the GIC); and it is not a fault inside the fault handler.
 * Anything else is a host bug and panics (arch/arm64/exception.c). */
#include <arch/exception.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/recover.h>
#include <kernel/thread.h>
#include <stddef.h>
#include <zvm/vcpu_asm.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

#define SPSR_IF (3u << 6)
#define SPSR_F	(1u << 6)
#define SPSR_I	(1u << 7)

/* Called with f from the faulting context; true when f now returns to a recovery point. */
bool host_fault_recover(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	struct vcpu *v = c ? c->loaded_vcpu : NULL;
	struct k_thread *t = k_current();
	struct k_recover *r = t ? t->recover : NULL;

	/* DAIF.F clear: no spinlock held (include/arch/irq.h). */
	if (!t || (f->spsr & SPSR_F) || t->mutexes_held)
		return false;
	if (gic_running_priority() != GIC_PRIO_IDLE)
		return false; /* an interrupt handler, possibly on an exit's path */
	if (v && c->vcpu == v && t == &v->thread) {
		/* The fast path: back out of guest_enter() as from an exit, IRQs still masked. */
		exception_dump(f, v->recover.what);
		f->elr = (uint64_t)guest_exit_to_host;
		f->x[0] = (uint64_t)v;
		f->x[1] = EXIT_FAULT;
		f->spsr |= SPSR_IF;
		vcpu_recover_fault(&v->recover);
		return true;
	}
	/* Recoverable work runs with IRQs on: masked, it was inside a section that must not be
	 * cut short (a vCPU load or put, a VTTBR switched for a TLBI). Anything else (a run loop
	 * itself, request processing) is not work for a guest. */
	if (!r || !r->sp || (f->spsr & SPSR_I))
		return false;
	exception_dump(f, r->what);
	f->elr = (uint64_t)k_recover_resume;
	f->x[0] = (uint64_t)r;
	f->spsr |= SPSR_IF;
	r->fault(r);
	return true;
}

void vcpu_recover_fault(struct k_recover *r)
{
	struct vcpu *v = (struct vcpu *)((char *)r - offsetof(struct vcpu, recover));

	printk("\nvm %u (%s): EL2 fault while handling its vCPU %u: VM stopped\n", v->vm->id,
	       v->vm->name, v->id);
	vm_crash_faulted(v->vm, "EL2 fault in an exit handler");
}

static uint64_t *volatile bad_ptr = (uint64_t *)0x0000dead00000040ULL;

void vcpu_fault_injected(struct vcpu *v, unsigned path)
{
	v->fault_inject = VCPU_FAULT_NONE;
	printk("\nzvm: vm%u vCPU %u: injected EL2 fault on the %s path\n", v->vm->id, v->id,
	       path == VCPU_FAULT_FAST	 ? "fast"
	       : path == VCPU_FAULT_SLOW ? "slow"
					 : "locked");
	if (path == VCPU_FAULT_LOCKED)
		(void)k_spin_lock(&v->vm->lock); /* never released: the fault must panic */
	/* A bad pointer, as a bug in an exit handler would use: never in the identity map. */
	*bad_ptr = 0;
}

int vcpu_fault_arm(struct vm *vm, unsigned path)
{
	if (path != VCPU_FAULT_FAST && path != VCPU_FAULT_SLOW && path != VCPU_FAULT_LOCKED)
		return -1;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i]->fault_inject = (uint8_t)path;
	return 0;
}
