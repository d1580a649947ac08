/* The kernel's own exceptions: interrupts are dispatched; anything else is a kernel bug, so the
 * registers are printed and the system stops, unless it is a fault only a VM must pay for
 * (host_fault_recover). */
#include <arch/el.h>
#include <arch/exception.h>
#include <kernel/irq.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <stddef.h>

_Static_assert(offsetof(struct cpu, id) == CPU_ID_OFFSET, "vector_macros.inc reads cpu->id");

/* Where host_sync goes on when the SP it finds is in a stack guard (vector_macros.inc). */
uint8_t k_overflow_stacks[CONFIG_MAX_CPUS][1u << K_OVERFLOW_STACK_SHIFT]
    __attribute__((aligned(16)));

static const char *const vector_names[16] = {
    EL_NAME "t sync",	   EL_NAME "t IRQ",	 EL_NAME "t FIQ",      EL_NAME "t SError",
    EL_NAME "h sync",	   EL_NAME "h IRQ",	 EL_NAME "h FIQ",      EL_NAME "h SError",
    EL_LOWER_NAME " sync", EL_LOWER_NAME " IRQ", EL_LOWER_NAME " FIQ", EL_LOWER_NAME " SError",
    "AArch32 sync",	   "AArch32 IRQ",	 "AArch32 FIQ",	       "AArch32 SError",
};

void exception_dump(const struct trap_frame *f, const char *what)
{
	printk("\n*** unexpected exception: %s\n", what);
	printk("ESR_" EL_NAME " 0x%016llx (EC 0x%02x ISS 0x%07x)\n", (unsigned long long)f->esr,
	       (unsigned)ESR_EC(f->esr), (unsigned)ESR_ISS(f->esr));
	printk("ELR_" EL_NAME " 0x%016llx  FAR_" EL_NAME " 0x%016llx\n", (unsigned long long)f->elr,
	       (unsigned long long)f->far);
	printk("SPSR_" EL_NAME " 0x%016llx  SP 0x%016llx\n", (unsigned long long)f->spsr,
	       (unsigned long long)f->sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			printk("x30 0x%016llx\n", (unsigned long long)f->x[30]);
		else
			printk("x%-2d 0x%016llx  x%-2d 0x%016llx\n", i, (unsigned long long)f->x[i],
			       i + 1, (unsigned long long)f->x[i + 1]);
	}
}

/* The hypervisor overrides this (zvm/vcpu_fault.c): true when the fault was one a guest's
 * exit handler took that costs only that VM, and f now returns to a recovery point. */
__attribute__((weak)) bool host_fault_recover(struct trap_frame *f)
{
	(void)f;
	return false;
}

void host_sync_exception(struct trap_frame *f)
{
	struct cpu *c = this_cpu();
	/* A fault in here (say, in the recovery) is nested: the host's state is unknown. */
	bool nested = !c || c->in_fault;

	if (c)
		c->in_fault = true;
	/* It dumps the registers too. */
	if (!nested && host_fault_recover(f)) {
		c->in_fault = false;
		return;
	}
	exception_dump(f, "synchronous exception in the " EL_ROLE);
	panic("synchronous exception at " EL_NAME " (ELR 0x%llx)", (unsigned long long)f->elr);
}

void host_irq_exception(struct trap_frame *f)
{
	(void)f;
	irq_dispatch();
	sched_irq_exit();
}

void unexpected_exception(struct trap_frame *f, unsigned kind)
{
	const char *name = kind < 16 ? vector_names[kind] : "?";

	exception_dump(f, name);
	panic("unexpected %s exception", name);
}

/* A thread ran off the bottom of its stack into the guard (kernel/stack.c). The frame was saved
 * on this CPU's emergency stack; x0 was given up to get there. */
void stack_overflow_exception(struct trap_frame *f)
{
	struct k_thread *t = this_cpu()->sched.current;
	const char *name = t ? t->name : "?";

	printk("\n*** stack overflow in thread %s on cpu %u: SP ran into the guard page below its "
	       "stack (FAR 0x%llx, stack 0x%llx-0x%llx); x0 below is not the thread's\n",
	       name, cpu_id(), (unsigned long long)f->far,
	       (unsigned long long)(t ? (uintptr_t)t->stack : 0),
	       (unsigned long long)(t ? (uintptr_t)t->stack + t->stack_size : 0));
	exception_dump(f, "stack overflow");
	panic("stack overflow in thread %s", name);
}
