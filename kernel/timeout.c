/* Tickless timeouts: per-CPU deadline queues, each CPU's CNTHP one-shot armed to its earliest
 * deadline, and the interrupt hook that runs expired timeouts (see include/kernel/timeout.h). */
#include <arch/sysreg.h>
#include <drivers/arch_timer.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/time.h>
#include <kernel/timeout.h>

void z_timeout_init(struct timeout *t, void (*fn)(struct timeout *t), bool locked)
{
	t->node.next = NULL;
	t->node.prev = NULL;
	t->node.deadline = 0;
	t->fn = fn;
	t->locked = locked;
}

static void program(struct sched_cpu *sc, uint64_t deadline)
{
	sc->armed = deadline;
	arch_timer_set_deadline(deadline);
}

void z_timeout_add(struct timeout *t, uint64_t deadline)
{
	struct sched_cpu *sc = &this_cpu()->sched;

	timeout_q_remove(&t->node);
	if (deadline == UINT64_MAX)
		return;
	timeout_q_add(&sc->timeouts, &t->node, deadline);
	/* A later deadline needs no reprogramming: the pending interrupt reprograms. A cancelled
	 * earliest deadline is left armed too; its interrupt then finds nothing due. */
	if (deadline < sc->armed)
		program(sc, deadline);
}

bool z_timeout_abort(struct timeout *t)
{
	return timeout_q_remove(&t->node);
}

bool z_timeout_running_elsewhere(const struct timeout *t)
{
	unsigned self = this_cpu()->id;

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		if (i != self && cpus[i].sched.tmo_running == t)
			return true;
	return false;
}

void timeout_announce(void)
{
	k_spinlock_key_t key = z_sched_lock_take();
	struct sched_cpu *sc = &this_cpu()->sched;
	/* One `now` for the whole pass: a callback that re-arms itself in the past (a short
	 * periodic timer that fell behind) runs again on the next interrupt instead of looping
	 * here. */
	uint64_t now = arch_timer_now();
	struct timeout_node *n;

	while ((n = timeout_q_pop_expired(&sc->timeouts, now))) {
		struct timeout *t = z_container_of(n, struct timeout, node);

		if (t->locked) {
			t->fn(t);
			continue;
		}
		sc->tmo_running = t;
		z_sched_lock_give(key);
		t->fn(t); /* t may be freed from here on: do not touch it again */
		key = z_sched_lock_take();
		sc->tmo_running = NULL;
	}
	program(sc, timeout_q_next_deadline(&sc->timeouts));
	z_sched_lock_give(key);
}

void k_busy_wait_us(uint32_t us)
{
	uint64_t end = k_uptime_ticks() + k_us_to_ticks(us);

	while (k_uptime_ticks() < end)
		cpu_relax();
}
