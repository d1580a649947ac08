/* Virtual timer: delivers the guest's EL1 virtual timer, whose registers it programs itself,
 * as a virtual PPI. See include/zvm/vdev/vtimer.h for who calls what, and when. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <drivers/gicv3.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <stddef.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>

#define CNTV_CTL_ENABLE (1u << 0)
#define CNTV_CTL_IMASK	(1u << 1)

#define PPI_FIRST 16
#define PPI_LAST  31

static unsigned vtimer_intid; /* host INTID of the virtual timer PPI; 0 when unusable */

/* The live timer is asserting its interrupt (or would, if it were not masked by us). */
static bool timer_firing(void)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);

	if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE)
		return false;
	/* Without the isb the counter may be read ahead of the control register. */
	isb();
	return read_sysreg(cntv_cval_el0) <= read_sysreg(cntvct_el0);
}

/* Drops the level line while keeping the guest's ENABLE and compare value. The isb makes the
 * line fall before the handler's EOI, so the PPI is not taken again for nothing. */
static void timer_mask(void)
{
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | CNTV_CTL_IMASK);
	isb();
}

/* The timer is a level interrupt: the virtual line goes high when it fires, and the physical
 * one is silenced with IMASK until the guest reprograms or stops the timer (vtimer_sync). */
static void raise_line(struct vcpu *v)
{
	timer_mask();
	v->vtimer_line = VTIMER_LINE_RAISED;
	vgic_set_irq(v->vm, v, VTIMER_GUEST_INTID, true);
}

static void vtimer_irq(unsigned intid, void *arg)
{
	struct vcpu *v = vcpu_current();

	(void)intid;
	(void)arg;
	/* A line that already dropped (raised by vtimer_inject_if_expired, or the guest moved
	 * CVAL) was delivered or is no longer due: nothing to do. */
	if (!timer_firing())
		return;
	if (v)
		raise_line(v);
	else
		timer_mask();
}

void vtimer_sync_line(struct vcpu *v)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);

	if (ctl & CNTV_CTL_IMASK) {
		isb();
		if ((ctl & CNTV_CTL_ENABLE) &&
		    read_sysreg(cntv_cval_el0) <= read_sysreg(cntvct_el0))
			return; /* still due and untouched: the line stays high */
		/* The guest moved CVAL or disabled the timer: the mask was ours, give it back. */
		write_sysreg(cntv_ctl_el0, ctl & ~(uint64_t)CNTV_CTL_IMASK);
	}
	/* Otherwise the guest rewrote CNTV_CTL: if its timer is still due the PPI fires again. */
	v->vtimer_line = VTIMER_LINE_LOW;
	vgic_set_irq(v->vm, v, VTIMER_GUEST_INTID, false);
}

void vtimer_init_global(unsigned virt_intid)
{
	int err;

	if (virt_intid < PPI_FIRST || virt_intid > PPI_LAST) {
		pr_err("vtimer: INTID %u is not a PPI; guests get no timer interrupt\n",
		       virt_intid);
		return;
	}
	err = irq_connect(virt_intid, vtimer_irq, NULL);
	if (err) {
		pr_err("vtimer: cannot connect INTID %u: %d\n", virt_intid, err);
		return;
	}
	vtimer_intid = virt_intid;
}

void vtimer_init_cpu(void)
{
	/* Whatever firmware left in the timer must not fire before a vCPU is loaded. */
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	if (!vtimer_intid)
		return;
	gicv3_irq_set_priority(vtimer_intid, GICV3_PRIO_DEFAULT);
	gicv3_irq_enable(vtimer_intid);
}

/* Nothing to allocate: the registers are the state (v->sys while switched out), and a vCPU in
 * WFI waits with vtimer_deadline() as its timeout rather than on a k_timer of ours. */
int vtimer_vcpu_init(struct vcpu *v)
{
	v->vtimer_line = VTIMER_LINE_LOW;
	return 0;
}

void vtimer_vcpu_destroy(struct vcpu *v)
{
	(void)v;
}

bool vtimer_pending(struct vcpu *v)
{
	(void)v;
	return timer_firing();
}

uint64_t vtimer_deadline(struct vcpu *v)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t cval, off;

	(void)v;
	if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE)
		return UINT64_MAX;
	/* CNTVCT = CNTPCT - CNTVOFF: the virtual compare value is reached at CVAL + CNTVOFF. */
	cval = read_sysreg(cntv_cval_el0);
	off = read_sysreg(cntvoff_el2);
	return cval > UINT64_MAX - off ? UINT64_MAX : cval + off;
}

void vtimer_inject_if_expired(struct vcpu *v)
{
	/* IRQs off so the PPI handler cannot deliver the same expiry a second time. */
	uint64_t flags = arch_irq_save();

	if (timer_firing())
		raise_line(v);
	arch_irq_restore(flags);
}
