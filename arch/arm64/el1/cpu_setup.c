/* Per-CPU set-up at EL1 (the RTOS image): the vectors and the per-CPU pointer. The timer and
 * the GIC CPU interface need nothing more at this level: the EL1 virtual timer and ICC_*_EL1
 * are ours (or, under a hypervisor, virtual ones). */
#include <arch/el.h>
#include <arch/sysreg.h>
#include <kernel/percpu.h>

extern char el1_vectors[];

void el_cpu_setup(unsigned cpu)
{
	write_sysreg(VBAR_ELx, el1_vectors);
	write_sysreg(TPIDR_ELx, &cpus[cpu]);
	isb();
}
