/* The handler table and the dispatch loop. The loop is on every interrupt's latency path (for
 * guests too, later), so it does one table lookup and one counter increment per interrupt. */
#include <arch/gicv3_regs.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/config.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

struct irq_desc {
	irq_handler_t handler; /* published last (release), so arg is valid once it is seen */
	void *arg;
	/* Forwarded to a guest (passthrough): only the priority is dropped here, the guest's
	 * deactivation ends it. Set before the handler is published, never cleared. */
	bool forwarded;
};

static struct irq_desc irq_table[IRQ_NR_INTIDS];
static struct k_spinlock table_lock;
/* One row per CPU: each CPU only writes its own row, so no locked increments are needed. */
/* Rows of 1024 (a power of two) so that finding a counter costs a shift, not a multiply. */
static uint64_t counts[CONFIG_MAX_CPUS][1024];
_Static_assert(IRQ_NR_INTIDS <= 1024, "a row of counts holds every INTID");
static uint64_t unhandled;

static int connect(unsigned intid, irq_handler_t handler, void *arg, bool forwarded)
{
	int err = 0;

	if (intid >= IRQ_NR_INTIDS || !handler)
		return -EINVAL;
	k_spinlock_key_t key = k_spin_lock(&table_lock);
	struct irq_desc *d = &irq_table[intid];

	if (!d->handler) {
		d->arg = arg;
		d->forwarded = forwarded;
		__atomic_store_n(&d->handler, handler, __ATOMIC_RELEASE);
	} else if (d->handler != handler || d->arg != arg || d->forwarded != forwarded) {
		err = -EBUSY;
	}
	k_spin_unlock(&table_lock, key);
	return err;
}

int irq_connect(unsigned intid, irq_handler_t handler, void *arg)
{
	return connect(intid, handler, arg, false);
}

int irq_connect_forwarded(unsigned intid, irq_handler_t handler, void *arg)
{
	return connect(intid, handler, arg, true);
}

bool irq_connected(unsigned intid)
{
	return intid < IRQ_NR_INTIDS &&
	       __atomic_load_n(&irq_table[intid].handler, __ATOMIC_ACQUIRE) != NULL;
}

/* Cold path: count and report, at exponentially spaced occurrences so a stuck source cannot
 * flood the console. */
static __attribute__((noinline, cold)) void irq_unhandled(unsigned intid, unsigned cpu)
{
	uint64_t n = __atomic_add_fetch(&unhandled, 1, __ATOMIC_RELAXED);

	if ((n & (n - 1)) == 0)
		pr_warn("irq: no handler for INTID %u on CPU %u (%llu unhandled so far)\n", intid,
			cpu, (unsigned long long)n);
}

static inline void count(unsigned intid, unsigned cpu)
{
	uint64_t *c = counts[cpu] + intid;

	/* Single writer; the atomic store only keeps remote readers tear-free. */
	__atomic_store_n(c, __atomic_load_n(c, __ATOMIC_RELAXED) + 1, __ATOMIC_RELAXED);
}

void irq_handle(unsigned intid)
{
	unsigned cpu = cpu_id();
	bool forwarded = false;

	if (intid >= GIC_INTID_SPECIAL && intid <= GIC_INTID_SPURIOUS)
		return; /* nothing was pending for us */
	/* The acknowledge completes before the handler reads what the interrupt announces. */
	dsb(sy);
	if (intid < IRQ_NR_INTIDS) {
		struct irq_desc *d = &irq_table[intid];
		irq_handler_t h = __atomic_load_n(&d->handler, __ATOMIC_ACQUIRE);

		count(intid, cpu);
		forwarded = d->forwarded;
		if (h)
			h(intid, d->arg);
		else
			irq_unhandled(intid, cpu);
	} else {
		irq_unhandled(intid, cpu); /* an LPI: none is configured */
	}
	/* EOImode is split (gicv3.c; gicv2.c where GICC_DIR exists): a forwarded interrupt only
	 * has its priority dropped, its guest deactivates it; gic_eoi drops and deactivates what
	 * is ours. */
	if (forwarded)
		gic_priority_drop(intid);
	else
		gic_eoi(intid);
}

void irq_finish(unsigned intid)
{
	count(intid, cpu_id());
	gic_eoi_relaxed(intid);
}

void irq_dispatch(void)
{
	for (;;) {
		unsigned intid = gic_ack();

		if (intid >= GIC_INTID_SPECIAL && intid <= GIC_INTID_SPURIOUS)
			break; /* nothing (more) pending for us */
		irq_handle(intid);
	}
}

uint64_t irq_count(unsigned intid, unsigned cpu)
{
	if (intid >= IRQ_NR_INTIDS || cpu >= CONFIG_MAX_CPUS)
		return 0;
	return __atomic_load_n(&counts[cpu][intid], __ATOMIC_RELAXED);
}

uint64_t irq_unhandled_count(void)
{
	return __atomic_load_n(&unhandled, __ATOMIC_RELAXED);
}
