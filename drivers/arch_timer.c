/* The generic timer as the kernel's clock and one-shot event source. At EL2: CNTPCT_EL0 and the
 * EL2 physical timer (CNTHP_*); the EL1 virtual timer is left to guests and the EL1 physical
 * timer traps, so a guest cannot program the hardware timer the host shares with it. At EL1:
 * CNTVCT_EL0 and the EL1 virtual timer (include/arch/el.h). */
#include <arch/el.h>
#include <arch/sysreg.h>
#include <drivers/arch_timer.h>
#include <drivers/gic.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <stddef.h>

/* Defined by kernel/sched.c (include/kernel/sched.h): runs expired timeouts and re-arms the
 * deadline. Declared here until that header is in the tree. */
void timeout_announce(void);

#define TIMER_CTL_ENABLE (1u << 0)
#define TIMER_CTL_IMASK	 (1u << 1)

#define TIMER_PRIO GIC_PRIO_HIGH /* timeouts drive the scheduler: ahead of devices */

uint64_t arch_timer_now(void)
{
	/* Without the isb the counter read may be performed early, out of program order. */
	isb();
	return read_sysreg(EL_COUNTER);
}

uint64_t arch_timer_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_timer_set_deadline(uint64_t ticks)
{
	if (ticks == UINT64_MAX) {
		write_sysreg(EL_TIMER_CTL, 0);
		return;
	}
	write_sysreg(EL_TIMER_CVAL, ticks);
	write_sysreg(EL_TIMER_CTL, TIMER_CTL_ENABLE);
}

static void timer_irq(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	/* The line is level: it stays asserted while CVAL <= count, so turn the timer off before
	 * the EOI. timeout_announce() re-arms it for the next deadline. */
	write_sysreg(EL_TIMER_CTL, TIMER_CTL_IMASK);
	timeout_announce();
}

/* Per CPU, with IRQs masked, after gic_cpu_init(). intid: the DTB timer node's interrupt for
 * this level's timer (EL2 physical, PPI 26 on QEMU virt; EL1 virtual, PPI 27). */
void arch_timer_init_cpu(unsigned intid)
{
	write_sysreg(EL_TIMER_CTL, 0);
	isb();

	int err = irq_connect(intid, timer_irq, NULL);

	if (err) {
		pr_err("arch_timer: cannot connect INTID %u: %d\n", intid, err);
		return;
	}
	gic_irq_set_priority(intid, TIMER_PRIO);
	gic_irq_enable(intid);
}
