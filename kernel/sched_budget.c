/* CPU budgets in the scheduler (include/kernel/budget.h). Everything here runs with
 * z_sched_lock held. A running thread of a budgeted group is charged at every switch and when
 * its CPU's budget timer fires; the timer is armed, at each switch-in, for the time the group
 * has left shared by those of its threads running at that moment, so a group running on
 * several CPUs overruns its budget by at most a fraction of it. */
#include <drivers/arch_timer.h>
#include <errno.h>
#include <kernel/budget.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

static unsigned running_threads(const struct k_budget *b)
{
	unsigned n = 0;

	for (unsigned i = 0; i < b->nthreads; i++)
		n += z_is_running(b->threads[i]);
	return n;
}

/* The group is out of budget: no thread of it runs or waits in a run queue until the refill;
 * each running one is switched out at its CPU's next scheduling point. */
static void throttle(struct k_budget *b)
{
	for (unsigned i = 0; i < b->nthreads; i++) {
		struct k_thread *t = b->threads[i];

		z_unready(t);
		if (z_is_running(t))
			z_resched_cpu((unsigned)t->cpu);
	}
}

static void arm_end(struct sched_cpu *sc, struct k_budget *b, uint64_t now)
{
	unsigned n = running_threads(b);
	uint64_t left = budget_left(&b->acct);

	z_timeout_add(&sc->budget_end, now + (n > 1 ? left / n : left) + 1);
}

/* Charges the running thread t of sc for the time since the last charge. */
static void charge(struct sched_cpu *sc, struct k_thread *t, uint64_t now)
{
	struct k_budget *b = t->budget;

	if (b && b->active && budget_charge(&b->acct, now - sc->budget_mark))
		throttle(b);
}

void z_budget_switch(struct sched_cpu *sc, struct k_thread *prev, struct k_thread *next,
		     uint64_t now)
{
	if (prev->budget)
		charge(sc, prev, now);
	sc->budget_mark = now;
	if (next->budget && next->budget->active)
		arm_end(sc, next->budget, now);
	else if (z_timeout_armed(&sc->budget_end))
		z_timeout_abort(&sc->budget_end);
}

void z_budget_end_expired(struct timeout *tmo)
{
	struct sched_cpu *sc = z_container_of(tmo, struct sched_cpu, budget_end);
	struct k_thread *t = sc->current;
	uint64_t now = arch_timer_now();

	charge(sc, t, now);
	sc->budget_mark = now;
	if (!t->budget || !t->budget->active)
		return;
	if (t->budget->acct.throttled)
		sc->need_resched = true; /* picked just before its group ran out: off it goes */
	else
		arm_end(sc, t->budget, now);
}

static void refill_due(struct timeout *tmo)
{
	struct k_budget *b = z_container_of(tmo, struct k_budget, refill);

	if (budget_refill(&b->acct, arch_timer_now())) {
		for (unsigned i = 0; i < b->nthreads; i++)
			z_ready(b->threads[i], false);
	}
	z_timeout_add(&b->refill, b->acct.period_end);
}

void k_budget_start(struct k_budget *b, uint64_t budget_ticks, uint64_t period_ticks)
{
	k_spinlock_key_t key = z_sched_lock_take();

	budget_acct_init(&b->acct, budget_ticks, period_ticks, arch_timer_now());
	b->nthreads = 0;
	b->active = true;
	z_timeout_init(&b->refill, refill_due, true);
	z_timeout_add(&b->refill, b->acct.period_end);
	z_sched_lock_give(key);
}

int k_budget_attach(struct k_budget *b, struct k_thread *t)
{
	k_spinlock_key_t key = z_sched_lock_take();
	int err = -ENOSPC;

	if (b->nthreads < K_BUDGET_THREADS) {
		b->threads[b->nthreads++] = t;
		t->budget = b;
		err = 0;
	}
	z_sched_lock_give(key);
	return err;
}

void k_budget_stop(struct k_budget *b)
{
	k_spinlock_key_t key = z_sched_lock_take();

	if (b->active) {
		b->active = false;
		z_timeout_abort(&b->refill);
		for (unsigned i = 0; i < b->nthreads; i++) {
			b->threads[i]->budget = NULL;
			if (b->acct.throttled)
				z_ready(b->threads[i], false);
		}
		b->acct.throttled = false;
		b->nthreads = 0;
	}
	z_sched_lock_give(key);
}

void k_budget_read(struct k_budget *b, struct budget_acct *out)
{
	k_spinlock_key_t key = z_sched_lock_take();

	*out = b->acct;
	z_sched_lock_give(key);
}
