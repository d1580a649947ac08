/* Host exceptions at EL2: interrupts are dispatched; anything else is a hypervisor bug, so the
 * registers are printed and the system stops. */
#include <arch/exception.h>
#include <kernel/irq.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched.h>

static const char *const vector_names[16] = {
    "EL2t sync",    "EL2t IRQ",	   "EL2t FIQ",	  "EL2t SError",    "EL2h sync", "EL2h IRQ",
    "EL2h FIQ",	    "EL2h SError", "EL1 sync",	  "EL1 IRQ",	    "EL1 FIQ",	 "EL1 SError",
    "AArch32 sync", "AArch32 IRQ", "AArch32 FIQ", "AArch32 SError",
};

void exception_dump(const struct trap_frame *f, const char *what)
{
	printk("\n*** unexpected exception: %s\n", what);
	printk("ESR_EL2 0x%016llx (EC 0x%02x ISS 0x%07x)\n", (unsigned long long)f->esr,
	       (unsigned)ESR_EC(f->esr), (unsigned)ESR_ISS(f->esr));
	printk("ELR_EL2 0x%016llx  FAR_EL2 0x%016llx\n", (unsigned long long)f->elr,
	       (unsigned long long)f->far);
	printk("SPSR_EL2 0x%016llx  SP 0x%016llx\n", (unsigned long long)f->spsr,
	       (unsigned long long)f->sp);
	for (int i = 0; i < 31; i += 2) {
		if (i == 30)
			printk("x30 0x%016llx\n", (unsigned long long)f->x[30]);
		else
			printk("x%-2d 0x%016llx  x%-2d 0x%016llx\n", i, (unsigned long long)f->x[i],
			       i + 1, (unsigned long long)f->x[i + 1]);
	}
}

void host_sync_exception(struct trap_frame *f)
{
	exception_dump(f, "synchronous exception in the hypervisor");
	panic("synchronous exception at EL2 (ELR 0x%llx)", (unsigned long long)f->elr);
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
