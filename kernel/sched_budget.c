/* CPU budgets in the scheduler (include/kernel/budget.h). Everything here runs with
 * z_sched_lock held. A budgeted group is charged, all its running threads at once, at every
 * switch of one of them and when a CPU's budget timer fires; the timer is armed, at each
 * switch-in, for the time the group has left shared by those of its threads running at that
 * moment. A thread switched in later does not re-arm the others' timers, so the group can
 * overrun by what it has left divided among the threads running before it came. */
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

/* `starting`: the thread being switched in, not counted as running yet. */
static void arm_end(struct sched_cpu *sc, struct k_budget *b, uint64_t now, unsigned starting)
{
	unsigned n = running_threads(b) + starting;
	uint64_t left = budget_left(&b->acct);

	z_timeout_add(&sc->budget_end, now + (n > 1 ? left / n : left) + 1);
}

/* Charges t's group for the time every running thread of it (t among them) has run since its
 * CPU's last charge, so whichever CPU charges sees the whole group's use: one vCPU's timer
 * cannot let another run on past the budget unnoticed. */
static void charge(struct k_thread *t, uint64_t now)
{
	struct k_budget *b = t->budget;
	uint64_t ran = 0;

	if (!b || !b->active)
		return;
	for (unsigned i = 0; i < b->nthreads; i++) {
		struct k_thread *o = b->threads[i];
		struct sched_cpu *osc;

		if (!z_is_running(o))
			continue;
		osc = &cpus[o->cpu].sched;
		ran += now - osc->budget_mark;
		osc->budget_mark = now;
	}
	if (budget_charge(&b->acct, ran) && !b->held)
		throttle(b);
}

void z_budget_switch(struct sched_cpu *sc, struct k_thread *prev, struct k_thread *next,
		     uint64_t now)
{
	if (prev->budget)
		charge(prev, now);
	sc->budget_mark = now;
	if (next->budget && next->budget->active && !next->budget->acct.throttled)
		arm_end(sc, next->budget, now, 1);
	else if (z_timeout_armed(&sc->budget_end))
		z_timeout_abort(&sc->budget_end);
}

void z_budget_end_expired(struct timeout *tmo)
{
	struct sched_cpu *sc = z_container_of(tmo, struct sched_cpu, budget_end);
	struct k_thread *t = sc->current;
	uint64_t now = arch_timer_now();

	charge(t, now);
	sc->budget_mark = now;
	if (!t->budget || !t->budget->active)
		return;
	if (!t->budget->acct.throttled)
		arm_end(sc, t->budget, now, 0);
	else if (!t->budget->held)
		sc->need_resched = true; /* picked just before its group ran out: off it goes */
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
	b->held = false;
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

void k_budget_hold(struct k_budget *b, bool hold)
{
	k_spinlock_key_t key = z_sched_lock_take();

	if (b->active && b->held != hold) {
		b->held = hold;
		if (!hold && b->acct.throttled)
			throttle(b);
		for (unsigned i = 0; hold && i < b->nthreads; i++)
			z_ready(b->threads[i], false);
	}
	z_sched_lock_give(key);
}

void k_budget_read(struct k_budget *b, struct budget_acct *out)
{
	k_spinlock_key_t key = z_sched_lock_take();

	*out = b->acct;
	z_sched_lock_give(key);
}
