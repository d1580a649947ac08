/* Per-CPU set-up at EL2 (the hypervisor host): vectors, the per-CPU pointer, where physical
 * interrupts go, and what the EL1 timers may do. */
#include <arch/el.h>
#include <arch/sysreg.h>
#include <kernel/percpu.h>

#define HCR_RW	(1ULL << 31) /* lower ELs are AArch64 */
#define HCR_IMO (1ULL << 4)  /* physical IRQs are taken to EL2, also while at EL2 */
#define HCR_FMO (1ULL << 3)
#define HCR_AMO (1ULL << 5)

#define CNTHCTL_EL1PCTEN (1u << 0) /* E2H=0: EL1/EL0 may read CNTPCT_EL0 */

extern char el2_vectors[];

void el_cpu_setup(unsigned cpu)
{
	write_sysreg(vbar_el2, el2_vectors);
	write_sysreg(hcr_el2, HCR_RW | HCR_IMO | HCR_FMO | HCR_AMO);
	write_sysreg(tpidr_el2, &cpus[cpu]);
	/* Guests read the physical count freely but trap on the physical timer, which is
	 * emulated per vCPU (zvm/vdev/vptimer.c); their virtual count equals the physical one
	 * (no offset) until a vCPU sets its own CNTVOFF. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN);
	write_sysreg(cntvoff_el2, 0);
	isb();
}
