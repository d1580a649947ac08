/* Bringing the other CPUs up, and the two IPIs the kernel uses: reschedule and call-function.
 * Both are SGIs. */
#include <arch/boot.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <drivers/psci.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/smp.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>

#define SGI_RESCHED   0
#define SGI_CALL_FUNC 1
#define SGI_KICK      2 /* only makes a CPU leave guest mode */
#define SGI_STOP      3 /* panic: park the CPU for good */

struct cpu cpus[CONFIG_MAX_CPUS];
static unsigned nr_cpus = 1;

/* One outstanding cross-CPU call per target; callers take turns through `busy`. */
struct call_slot {
	bool busy;
	void (*fn)(void *);
	void *arg;
	volatile bool done;
};
static struct call_slot call_slots[CONFIG_MAX_CPUS];

unsigned cpu_count(void)
{
	return nr_cpus;
}

void smp_send_resched(unsigned cpu)
{
	if (cpu == cpu_id())
		return;
	gic_send_sgi(SGI_RESCHED, cpu);
}

void smp_call_function(unsigned cpu, void (*fn)(void *), void *arg)
{
	struct call_slot *slot = &call_slots[cpu];
	uint64_t flags = arch_irq_save();

	if (cpu == cpu_id()) {
		fn(arg);
		arch_irq_restore(flags);
		return;
	}
	arch_irq_restore(flags);
	/* Waiting with IRQs enabled: two CPUs calling each other both get their call served. */
	while (__atomic_exchange_n(&slot->busy, true, __ATOMIC_ACQUIRE))
		cpu_relax();
	arch_lock_mark(); /* a lock: a fault while it is held must not be survived */
	slot->fn = fn;
	slot->arg = arg;
	slot->done = false;
	dsb(ish);
	gic_send_sgi(SGI_CALL_FUNC, cpu);
	while (!__atomic_load_n(&slot->done, __ATOMIC_ACQUIRE))
		cpu_relax();
	__atomic_store_n(&slot->busy, false, __ATOMIC_RELEASE);
	arch_lock_unmark();
}

void smp_send_kick(unsigned cpu)
{
	gic_send_sgi(SGI_KICK, cpu);
}

/* Stops every other CPU (the panic path): they park with interrupts masked. */
void smp_stop_others(void)
{
	if (!this_cpu())
		return; /* a panic before the per-CPU pointer is set: no other CPU is up yet */
	for (unsigned i = 0; i < nr_cpus; i++)
		if (i != cpu_id() && cpus[i].online)
			gic_send_sgi(SGI_STOP, i);
}

static void stop_ipi(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	cpus[cpu_id()].online = false;
	for (;;)
		wfi();
}

static void kick_ipi(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
}

static void resched_ipi(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	sched_resched_ipi();
}

static void call_func_ipi(unsigned intid, void *arg)
{
	struct call_slot *slot = &call_slots[cpu_id()];

	(void)intid;
	(void)arg;
	slot->fn(slot->arg);
	__atomic_store_n(&slot->done, true, __ATOMIC_RELEASE);
}

/* Per CPU: the SGIs are banked, so each CPU enables its own. */
void smp_init_cpu_ipis(void)
{
	gic_irq_enable(SGI_RESCHED);
	gic_irq_enable(SGI_CALL_FUNC);
	gic_irq_enable(SGI_KICK);
	gic_irq_enable(SGI_STOP);
}

void smp_init_ipis(void)
{
	irq_connect(SGI_RESCHED, resched_ipi, NULL);
	irq_connect(SGI_CALL_FUNC, call_func_ipi, NULL);
	irq_connect(SGI_KICK, kick_ipi, NULL);
	irq_connect(SGI_STOP, stop_ipi, NULL);
}

/* Starts every other CPU in `mpidrs` with PSCI CPU_ON and waits until each is online. */
void smp_boot_secondaries(const uint64_t *mpidrs, unsigned count)
{
	for (unsigned i = 1; i < count; i++) {
		cpus[i].id = i;
		cpus[i].mpidr = mpidrs[i];
		int err = psci_cpu_on(mpidrs[i], (uintptr_t)secondary_entry, i);

		if (err) {
			pr_err("CPU %u (MPIDR 0x%llx) did not start: %d\n", i,
			       (unsigned long long)mpidrs[i], err);
			continue;
		}
		/* Generous: an emulated CPU on a loaded host may be slow to start. */
		uint64_t deadline = k_uptime_ticks() + k_ms_to_ticks(5000);

		while (!__atomic_load_n(&cpus[i].online, __ATOMIC_ACQUIRE) &&
		       k_uptime_ticks() < deadline)
			cpu_relax();
		if (!cpus[i].online)
			pr_err("CPU %u (MPIDR 0x%llx) did not come online\n", i,
			       (unsigned long long)mpidrs[i]);
		else
			nr_cpus = i + 1;
	}
}
