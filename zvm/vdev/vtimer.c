/* Virtual timer: delivers the guest's EL1 virtual timer, whose registers it programs itself,
 * as a virtual PPI. See include/zvm/vdev/vtimer.h for who calls what, and when. */
#include <arch/gicv3_regs.h>
#include <arch/irq.h>
#include <arch/mmio.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <kernel/config.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
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
/* What an acknowledge returns for it: never an acknowledge's value when unusable. */
static unsigned vtimer_ack_value = ~0u;
/* Each CPU's GICR_ISENABLER0/ICENABLER0, found once, and the PPI's bit in them: masking is on
 * the timer path. */
static struct {
	uintptr_t set, clear;
	uint32_t bit;
} ppi_enable[CONFIG_MAX_CPUS];

/* The live timer is asserting its interrupt: enabled, not masked by the guest, due. */
static bool timer_firing(void)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);

	if ((ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE)
		return false;
	/* Without the isb the counter may be read ahead of the control register. */
	isb();
	return read_sysreg(cntv_cval_el0) <= read_sysreg(cntvct_el0);
}

/* While a vCPU's virtual line is high, its physical PPI is disabled on the CPU holding its
 * timer, so the still-asserted level does not fire again. The mask is ours alone: CNTV_CTL is
 * the guest's, IMASK included. */
static void ppi_mask(void)
{
	unsigned cpu = cpu_id();

	/* Not waited for (GICR_CTLR.RWP): a late delivery finds the line high and is ignored. */
	if (ppi_enable[cpu].clear)
		writel(ppi_enable[cpu].bit, ppi_enable[cpu].clear);
}

static void ppi_unmask(void)
{
	unsigned cpu = cpu_id();

	if (ppi_enable[cpu].set)
		writel(ppi_enable[cpu].bit, ppi_enable[cpu].set);
}

/* in_guest: from the exit of v's guest, which goes back into it: the LR write alone delivers.
 * Otherwise v's thread may be about to block in WFI and must be woken: vgic_set_irq kicks. */
static inline __attribute__((always_inline)) void raise_line(struct vcpu *v, bool in_guest)
{
	ppi_mask();
	v->vtimer_line = VTIMER_LINE_RAISED;
	if (!in_guest || !vgic_ppi_raise_live(v, VTIMER_GUEST_INTID))
		vgic_set_irq(v->vm, v, VTIMER_GUEST_INTID, true);
}

static void vtimer_irq(unsigned intid, void *arg)
{
	struct vcpu *v = vcpu_current();

	(void)intid;
	(void)arg;
	if (!v) {
		/* The timer of a vCPU switched out for a host thread (vcpu_put leaves it live)
		 * or a stale expiry: silenced; the vCPU's saved registers are what counts, and
		 * its load restores them (firing again at once if due). */
		write_sysreg(cntv_ctl_el0, 0);
		isb();
		return;
	}
	/* A late one after the mask, or a line raised by vtimer_inject_if_expired, or the guest
	 * moved CVAL meanwhile: nothing to do. */
	if (v->vtimer_line == VTIMER_LINE_LOW && timer_firing())
		raise_line(v, false);
}

bool vtimer_guest_irq(struct vcpu *v, unsigned intid)
{
	if (intid != vtimer_ack_value)
		return false;
	/* As vtimer_irq(), for the vCPU already at hand. */
	if (v->vtimer_line == VTIMER_LINE_LOW && timer_firing())
		raise_line(v, true);
	irq_finish(intid);
	return true;
}

void vtimer_sync_line(struct vcpu *v)
{
	if (timer_firing())
		return; /* still due, enabled and unmasked: the line stays high */
	/* The guest reprogrammed, disabled or masked its timer: the level drops. */
	v->vtimer_line = VTIMER_LINE_LOW;
	ppi_unmask();
	vgic_set_irq(v->vm, v, VTIMER_GUEST_INTID, false);
}

void vtimer_load(struct vcpu *v)
{
	if (v->vtimer_line != VTIMER_LINE_LOW)
		ppi_mask();
}

void vtimer_put(struct vcpu *v)
{
	if (v->vtimer_line != VTIMER_LINE_LOW)
		ppi_unmask(); /* the next thread's timer starts unmasked */
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
	vtimer_ack_value = virt_intid;
}

void vtimer_init_cpu(void)
{
	/* Whatever firmware left in the timer must not fire before a vCPU is loaded. */
	write_sysreg(cntv_ctl_el0, 0);
	isb();
	if (!vtimer_intid)
		return;
	gic_irq_set_priority(vtimer_intid, GIC_PRIO_DEFAULT);
	gic_irq_enable(vtimer_intid);
	uintptr_t frame = gic_private_frame();

	if (frame) {
		ppi_enable[cpu_id()].set = frame + GICD_ISENABLER(0);
		ppi_enable[cpu_id()].clear = frame + GICD_ICENABLER(0);
		ppi_enable[cpu_id()].bit = 1u << vtimer_intid;
	}
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
	return v->vtimer_line == VTIMER_LINE_LOW && timer_firing();
}

uint64_t vtimer_deadline(struct vcpu *v)
{
	uint64_t ctl = read_sysreg(cntv_ctl_el0);
	uint64_t cval, off;

	if (v->vtimer_line != VTIMER_LINE_LOW ||
	    (ctl & (CNTV_CTL_ENABLE | CNTV_CTL_IMASK)) != CNTV_CTL_ENABLE)
		return UINT64_MAX; /* delivered already, or nothing to wait for */
	/* CNTVCT = CNTPCT - CNTVOFF: the virtual compare value is reached at CVAL + CNTVOFF. */
	cval = read_sysreg(cntv_cval_el0);
	off = read_sysreg(cntvoff_el2);
	return cval > UINT64_MAX - off ? UINT64_MAX : cval + off;
}

void vtimer_inject_if_expired(struct vcpu *v)
{
	/* IRQs off so the PPI handler cannot deliver the same expiry a second time. */
	uint64_t flags = arch_irq_save();

	if (vtimer_pending(v))
		raise_line(v, false);
	arch_irq_restore(flags);
}
