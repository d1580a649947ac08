/* The panic path: say what happened, on which CPU, and stop every CPU. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <drivers/console.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <stdarg.h>

static volatile int panicking;

_Noreturn static void halt(void)
{
	arch_irq_disable();
	for (;;)
		wfi();
}

_Noreturn void panic(const char *fmt, ...)
{
	va_list ap;

	arch_irq_disable();
	if (__atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL))
		halt(); /* another CPU is already reporting */
	smp_stop_others();
	console_panic();
	printk("\n*** ZVM PANIC on CPU with MPIDR 0x%llx: ",
	       (unsigned long long)(read_sysreg(mpidr_el1) & 0xff00ffffffULL));
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n*** system halted\n");
	halt();
}
