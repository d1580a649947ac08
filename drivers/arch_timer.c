/* The generic timer for the host: CNTPCT_EL0 is the clock and the EL2 physical timer (CNTHP_*)
 * the one-shot event source. The EL1 virtual timer is left to guests; the EL1 physical timer
 * traps, so a guest cannot program the hardware timer the host shares with it. */
#include <arch/sysreg.h>
#include <drivers/arch_timer.h>
#include <drivers/gicv3.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <stddef.h>

/* Defined by kernel/sched.c (include/kernel/sched.h): runs expired timeouts and re-arms the
 * deadline. Declared here until that header is in the tree. */
void timeout_announce(void);

#define CNTHP_CTL_ENABLE (1u << 0)
#define CNTHP_CTL_IMASK	 (1u << 1)
#define CNTHCTL_EL1PCTEN (1u << 0) /* E2H=0: EL1/EL0 may read CNTPCT_EL0 */
#define CNTHCTL_EL1PCEN	 (1u << 1) /* E2H=0: EL1/EL0 may use the CNTP_* timer */

#define TIMER_PRIO GICV3_PRIO_HIGH /* timeouts drive the scheduler: ahead of devices */

uint64_t arch_timer_now(void)
{
	/* Without the isb the counter read may be performed early, out of program order. */
	isb();
	return read_sysreg(cntpct_el0);
}

uint64_t arch_timer_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_timer_set_deadline(uint64_t ticks)
{
	if (ticks == UINT64_MAX) {
		write_sysreg(cnthp_ctl_el2, 0);
		return;
	}
	write_sysreg(cnthp_cval_el2, ticks);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
}

static void hyp_timer_irq(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	/* The line is level: it stays asserted while CVAL <= count, so turn the timer off before
	 * the EOI. timeout_announce() re-arms it for the next deadline. */
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_IMASK);
	timeout_announce();
}

/* Per CPU, with IRQs masked, after gicv3_cpu_init(). hyp_intid: the DTB timer node's fourth
 * interrupt (the EL2 physical timer PPI; 26 on QEMU virt). */
void arch_timer_init_cpu(unsigned hyp_intid)
{
	write_sysreg(cnthp_ctl_el2, 0);
	/* Guests read the physical count freely but trap on the physical timer; their virtual
	 * count equals the physical one (no offset) until a vCPU sets its own CNTVOFF. */
	write_sysreg(cnthctl_el2, CNTHCTL_EL1PCTEN);
	write_sysreg(cntvoff_el2, 0);
	isb();

	int err = irq_connect(hyp_intid, hyp_timer_irq, NULL);

	if (err) {
		pr_err("arch_timer: cannot connect INTID %u: %d\n", hyp_intid, err);
		return;
	}
	gicv3_irq_set_priority(hyp_intid, TIMER_PRIO);
	gicv3_irq_enable(hyp_intid);
}
