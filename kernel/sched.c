/* The scheduler core: placing ready threads, picking the next one, the context switch and the
 * scheduling points (interrupt exit, idle loop, blocking, waking). The protocol is described in
 * include/kernel/sched.h. */
#include <arch/context.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/budget.h>
#include <kernel/lock_stats.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/sched.h>
#include <kernel/sched_policy.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <string.h>

/* Counted while `kernel sched on` (docs/scheduling.md); off, its lock and unlock pay one
 * branch each, and no other lock pays anything. */
static struct lock_stats sched_lock_counts;
struct k_spinlock z_sched_lock;
struct lock_stats *volatile z_sched_lock_stats;

static struct k_thread idle_threads[CONFIG_MAX_CPUS];
static char idle_names[CONFIG_MAX_CPUS][sizeof("idle/") + 3];
static uint64_t slice_ticks;

static struct sched_cpu *sched_of(unsigned cpu)
{
	return &cpus[cpu].sched;
}

/* Only with IRQs masked: otherwise the caller may move to another CPU right after. */
static struct sched_cpu *this_sched(void)
{
	return &this_cpu()->sched;
}

/* A throttled group (out of CPU budget) waits for its refill like a blocked thread. */
static bool runnable(const struct k_thread *t)
{
	return !(t->flags & Z_T_BLOCKED) && !z_budget_throttled(t->budget);
}

static struct k_thread *thread_of(struct rq_node *n)
{
	return z_container_of(n, struct k_thread, qnode);
}

bool z_is_running(const struct k_thread *t)
{
	return t->cpu >= 0 && sched_of((unsigned)t->cpu)->current == t;
}

struct k_thread *z_current_locked(void)
{
	return this_sched()->current;
}

void z_resched_cpu(unsigned cpu)
{
	if (cpu == this_cpu()->id)
		this_sched()->need_resched = true;
	else
		smp_send_resched(cpu);
}

void z_ready(struct k_thread *t, bool at_head)
{
	struct sched_cpu_view views[CONFIG_MAX_CPUS];

	if (!runnable(t) || (t->flags & Z_T_QUEUED) || z_is_running(t))
		return;
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		const struct sched_cpu *sc = sched_of(i);

		views[i].online = sc->started;
		views[i].cur_prio = sc->current ? sc->current->prio : K_PRIO_IDLE;
		views[i].best_queued = runq_best_prio(&sc->rq);
		views[i].nr_queued = runq_count(&sc->rq);
	}
	int cpu = sched_policy_place(views, CONFIG_MAX_CPUS, t->cpu_mask, t->cpu);

	BUG_ON(cpu < 0); /* k_thread_create accepts only masks with a possible CPU */
	t->qnode.prio = t->prio;
	if (at_head)
		runq_add_head(&sched_of(cpu)->rq, &t->qnode);
	else
		runq_add(&sched_of(cpu)->rq, &t->qnode);
	t->flags |= Z_T_QUEUED;
	t->cpu = cpu;
	if (views[cpu].online && sched_policy_preempts(t->prio, views[cpu].cur_prio))
		z_resched_cpu(cpu);
	/* Queued before the flag is read; sched_native_wait_begin sets it before looking at the
	 * queue: one of the two sees the other. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	/* A vCPU sleeping in its guest's own WFI there must trap it from its next entry on. Here
	 * (a wake by its own exit's handler: the flag is only up in guest mode) the flag is enough:
	 * every way back into the guest looks at it first, and the re-entry then traps WFI. A
	 * self-SGI would cost each disk completion a second interrupt. */
	if (views[cpu].online && t->prio == views[cpu].cur_prio && sched_of(cpu)->wake_on_equal)
		z_resched_cpu(cpu);
}

void z_unready(struct k_thread *t)
{
	if (!(t->flags & Z_T_QUEUED))
		return;
	runq_remove(&sched_of(t->cpu)->rq, &t->qnode);
	t->flags &= ~Z_T_QUEUED;
}

/* The most urgent thread queued on another CPU that may run on CPU self, taken off its queue.
 * Threads pinned elsewhere are skipped. */
static struct k_thread *steal(unsigned self)
{
	struct rq_node *best = NULL;
	struct runq *from = NULL;

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		struct runq *q = &sched_of(i)->rq;

		if (i == self)
			continue;
		for (struct rq_node *n = runq_best(q); n && (!best || n->prio < best->prio);
		     n = runq_next(q, n)) {
			if (thread_of(n)->cpu_mask & (1ULL << self)) {
				best = n;
				from = q;
				break;
			}
		}
	}
	if (!best)
		return NULL;
	runq_remove(from, best);
	return thread_of(best);
}

static struct k_thread *pick_next(struct sched_cpu *sc, unsigned self)
{
	struct rq_node *n = runq_best(&sc->rq);
	struct k_thread *t;

	if (n) {
		runq_remove(&sc->rq, n);
		t = thread_of(n);
	} else {
		t = steal(self);
		if (!t)
			return sc->idle;
	}
	t->flags &= ~Z_T_QUEUED;
	return t;
}

/* Slice timeout, on its own CPU with the lock held. */
static void slice_expired(struct timeout *tmo)
{
	struct sched_cpu *sc = z_container_of(tmo, struct sched_cpu, slice);

	sc->rotate = true;
	sc->need_resched = true;
}

/* Every non-idle thread gets a slice, even alone on its CPU: an equal thread may be queued there
 * later, and the CPU could not arm the slice then without an IPI. The cost is one timer interrupt
 * per slice on a busy CPU. */
static void slice_start(struct sched_cpu *sc, struct k_thread *t)
{
	if (t->flags & Z_T_IDLE)
		z_timeout_abort(&sc->slice);
	else
		z_timeout_add(&sc->slice, arch_timer_now() + slice_ticks);
}

bool z_swap(k_spinlock_key_t key)
{
	struct sched_cpu *sc = this_sched();
	unsigned self = this_cpu()->id;
	struct k_thread *prev = sc->current, *next;
	bool at_head = !sc->rotate, requeued = false;

	sc->rotate = false;
	if (prev->flags & Z_T_ABORTING)
		z_thread_finalize(prev);
	if (runnable(prev) && !(prev->flags & Z_T_IDLE)) {
		prev->qnode.prio = prev->prio;
		if (at_head)
			runq_add_head(&sc->rq, &prev->qnode);
		else
			runq_add(&sc->rq, &prev->qnode);
		prev->flags |= Z_T_QUEUED;
		requeued = true;
	}
	/* Whoever waits for prev to stop (k_thread_suspend) may run once the switch is done. Woken
	 * before the pick, so a waiter placed here competes for this CPU too. */
	if (!requeued && !rq_list_empty(&prev->halt_q.waiters))
		z_wake_all_locked(&prev->halt_q, 0);

	next = pick_next(sc, self);
	/* The pick saw every thread made ready so far, including those woken just above. */
	sc->need_resched = false;
	if (next == prev) {
		if (!z_timeout_armed(&sc->slice))
			slice_start(sc, next);
		z_sched_lock_give(key);
		return false;
	}
	uint64_t now = arch_timer_now();

	prev->runtime += now - sc->switched_at;
	z_budget_switch(sc, prev, next, now);
	sc->switched_at = now;
	sc->current = next;
	next->cpu = (int)self;
	slice_start(sc, next);
	if (requeued && (prev->flags & Z_T_QUEUED)) {
		/* prev lost this CPU but is still ready: another CPU may be idle for it. */
		z_unready(prev);
		z_ready(prev, at_head);
	}
	if (prev->switch_out)
		prev->switch_out(prev);
	arch_switch(&prev->ctx, &next->ctx);
	if (prev->switch_in)
		prev->switch_in(prev);
	/* prev runs again, on whichever CPU picked it, holding the lock that CPU's switch handed
	 * over (the local variables above except key are stale now). */
	z_sched_lock_give(key);
	return true;
}

bool z_can_block(void)
{
	if (arch_irqs_masked())
		return false;
	struct k_thread *t = k_current();

	return t && !(t->flags & Z_T_IDLE);
}

struct k_thread *k_current(void)
{
	uint64_t flags = arch_irq_save();
	struct k_thread *t = this_sched()->current;

	arch_irq_restore(flags);
	return t;
}

/* From an interrupt handler this rotates the interrupted thread at the interrupt exit. */
void k_yield(void)
{
	bool thread_ctx = !arch_irqs_masked();
	k_spinlock_key_t key = z_sched_lock_take();
	struct sched_cpu *sc = this_sched();

	sc->rotate = true;
	if (thread_ctx) {
		z_swap(key);
	} else {
		sc->need_resched = true;
		z_sched_lock_give(key);
	}
}

bool k_yield_to(struct k_thread *t)
{
	k_spinlock_key_t key;
	struct sched_cpu *sc = this_sched();
	bool yield;

	BUG_ON(!arch_irqs_masked()); /* the exception's exit does the switch */
	key = z_sched_lock_take();
	/* t must be the one the switch picks: first in line here, as urgent as the current one
	 * (another VM's vCPU queued at that level first would get the CPU instead). */
	yield = (t->flags & Z_T_QUEUED) && t->cpu == (int)this_cpu()->id && sc->current &&
		t->prio == sc->current->prio && runq_best(&sc->rq) == &t->qnode;

	if (yield) {
		sc->rotate = true;
		sc->need_resched = true;
	}
	z_sched_lock_give(key);
	return yield;
}

void z_reschedule_unlock(struct k_spinlock *lock, k_spinlock_key_t key)
{
	k_spin_unlock(lock, key);
	if (arch_irqs_masked())
		return; /* interrupt context or an outer lock: the next scheduling point switches */

	uint64_t flags = arch_irq_save();
	bool need = this_sched()->need_resched;

	arch_irq_restore(flags);
	if (!need)
		return;
	key = z_sched_lock_take();
	if (this_sched()->need_resched)
		z_swap(key);
	else
		z_sched_lock_give(key); /* an interrupt exit did it meanwhile */
}

/* --- Blocking and waking ---------------------------------------------------------------------- */

/* A thread's pend or sleep timeout, on the CPU it was armed on, with the lock held. */
static void thread_timeout(struct timeout *tmo)
{
	struct k_thread *t = z_container_of(tmo, struct k_thread, tmo);

	if (t->flags & Z_T_PENDING)
		z_unpend(t, -EAGAIN);
}

void z_thread_sched_init(struct k_thread *t, int prio, uint64_t cpu_mask)
{
	t->qnode.next = NULL;
	t->qnode.prev = NULL;
	t->qnode.prio = prio;
	z_timeout_init(&t->tmo, thread_timeout, true);
	t->wait_q = NULL;
	t->swap_retval = 0;
	t->flags = 0;
	t->prio = prio;
	t->base_prio = prio;
	t->cpu_mask = cpu_mask;
	t->cpu = -1;
	t->runtime = 0;
	t->budget = NULL;
	t->next_all = NULL;
	k_wait_q_init(&t->join_q);
	k_wait_q_init(&t->halt_q);
}

void k_wait_q_init(struct k_wait_q *wq)
{
	rq_list_init(&wq->waiters);
}

void z_pend_locked(struct k_wait_q *wq, k_timeout_t timeout)
{
	struct k_thread *t = this_sched()->current;

	BUG_ON(t->flags & Z_T_IDLE);
	if (t->flags & Z_T_ABORTING)
		return; /* it dies in z_swap instead of waiting */
	t->flags |= Z_T_PENDING;
	t->wait_q = wq;
	t->swap_retval = -EAGAIN;
	if (wq) {
		t->qnode.prio = t->prio;
		rq_list_add(&wq->waiters, &t->qnode);
	}
	if (!k_timeout_is_forever(timeout))
		z_timeout_add(&t->tmo,
			      z_timeout_deadline(timeout, arch_timer_now(), arch_timer_freq()));
}

int z_pend_curr(struct k_spinlock *lock, k_spinlock_key_t key, struct k_wait_q *wq,
		k_timeout_t timeout)
{
	if (lock != &z_sched_lock) {
		/* IRQs are masked by lock already: that state is the key to drop lock with. */
		k_spinlock_key_t masked = z_sched_lock_take();

		k_spin_unlock(lock, masked);
	}
	if (k_timeout_is_no_wait(timeout)) {
		z_sched_lock_give(key);
		return -EAGAIN;
	}
	struct k_thread *t = this_sched()->current;

	z_pend_locked(wq, timeout);
	z_swap(key);
	/* Set by the waker or the timeout before this thread was made ready. */
	return t->swap_retval;
}

void z_unpend(struct k_thread *t, int retval)
{
	if (t->wait_q) {
		rq_list_remove(&t->qnode);
		t->wait_q = NULL;
	}
	z_timeout_abort(&t->tmo);
	t->flags &= ~Z_T_PENDING;
	t->swap_retval = retval;
	z_ready(t, false);
}

struct k_thread *z_wake_one(struct k_wait_q *wq, int retval)
{
	k_spinlock_key_t key = z_sched_lock_take();
	struct rq_node *n = rq_list_first(&wq->waiters);
	struct k_thread *t = n ? thread_of(n) : NULL;

	if (t)
		z_unpend(t, retval);
	z_sched_lock_give(key);
	return t;
}

unsigned z_wake_all_locked(struct k_wait_q *wq, int retval)
{
	unsigned woken = 0;
	struct rq_node *n;

	while ((n = rq_list_first(&wq->waiters))) {
		z_unpend(thread_of(n), retval);
		woken++;
	}
	return woken;
}

unsigned z_wake_all(struct k_wait_q *wq, int retval)
{
	k_spinlock_key_t key = z_sched_lock_take();
	unsigned woken = z_wake_all_locked(wq, retval);

	z_sched_lock_give(key);
	return woken;
}

int z_wait_q_best_prio(struct k_wait_q *wq)
{
	k_spinlock_key_t key = z_sched_lock_take();
	struct rq_node *n = rq_list_first(&wq->waiters);
	int prio = n ? n->prio : CONFIG_NUM_PRIORITIES;

	z_sched_lock_give(key);
	return prio;
}

void z_set_prio_locked(struct k_thread *t, int prio)
{
	if (t->prio == prio)
		return;
	if (t->flags & Z_T_QUEUED) {
		z_unready(t);
		t->prio = prio;
		z_ready(t, false);
		return;
	}
	t->prio = prio;
	if (t->wait_q) {
		rq_list_remove(&t->qnode);
		t->qnode.prio = prio;
		rq_list_add(&t->wait_q->waiters, &t->qnode);
	} else if (z_is_running(t) && runq_best_prio(&sched_of(t->cpu)->rq) < prio) {
		z_resched_cpu(t->cpu);
	}
}

void z_thread_set_prio(struct k_thread *t, int prio)
{
	k_spinlock_key_t key = z_sched_lock_take();

	z_set_prio_locked(t, prio);
	z_sched_lock_give(key);
}

/* --- Arch hooks ------------------------------------------------------------------------------- */

void sched_init(void)
{
	slice_ticks = k_ms_to_ticks(CONFIG_TIMESLICE_MS);
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		struct sched_cpu *sc = sched_of(i);

		runq_init(&sc->rq);
		timeout_q_init(&sc->timeouts);
		z_timeout_init(&sc->slice, slice_expired, true);
		z_timeout_init(&sc->budget_end, z_budget_end_expired, true);
		sc->armed = UINT64_MAX;
	}
}

static void name_idle(unsigned id)
{
	char *s = idle_names[id];
	char digits[3];
	unsigned n = 0;

	memcpy(s, "idle/", 5);
	s += 5;
	do {
		digits[n++] = (char)('0' + id % 10);
		id /= 10;
	} while (id && n < sizeof(digits));
	while (n)
		*s++ = digits[--n];
	*s = '\0';
}

/* IRQs stay masked here except for a moment after each WFI, to take the interrupt that ended it:
 * one arriving between the check for work and the WFI stays pending, so the WFI returns at once. */
_Noreturn static void idle_loop(void)
{
	for (;;) {
		if (!z_swap(z_sched_lock_take()))
			wfi();
		arch_irq_enable();
		isb(); /* take the pending interrupt here; its exit may switch away from idle */
		arch_irq_disable();
	}
}

_Noreturn void sched_start_cpu(void)
{
	struct cpu *c = this_cpu();
	struct sched_cpu *sc = &c->sched;
	struct k_thread *idle = &idle_threads[c->id];

	arch_irq_disable();
	memset(idle, 0, sizeof(*idle));
	z_thread_sched_init(idle, K_PRIO_IDLE, 1ULL << c->id);
	name_idle(c->id);
	idle->name = idle_names[c->id];
	idle->flags = Z_T_IDLE;
	idle->cpu = (int)c->id;

	k_spinlock_key_t key = z_sched_lock_take();

	sc->idle = idle;
	sc->current = idle;
	sc->switched_at = arch_timer_now();
	sc->budget_mark = sc->switched_at;
	sc->started = true;
	z_thread_register(idle);
	z_sched_lock_give(key);
	idle_loop();
}

void sched_irq_exit(void)
{
	struct sched_cpu *sc = this_sched();

	if (sc->need_resched && sc->current)
		z_swap(z_sched_lock_take());
}

bool sched_native_wait_begin(void)
{
	struct sched_cpu *sc = this_sched();

	sc->wake_on_equal = true;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (runq_best_prio(&sc->rq) <= sc->current->prio) {
		sc->wake_on_equal = false;
		return false;
	}
	return true;
}

void sched_native_wait_end(void)
{
	this_sched()->wake_on_equal = false;
}

void sched_resched_ipi(void)
{
	this_sched()->need_resched = true;
}

void sched_lock_stats(struct lock_stats *out, int count)
{
	k_spinlock_key_t key = z_sched_lock_take();
	bool was = z_sched_lock_stats != NULL;

	*out = sched_lock_counts;
	if (count >= 0) {
		/* The unlock below must not count a hold it did not see begin: switching on, the
		 * hold starts now; switching off, the pointer goes after the unlock's last use. */
		sched_lock_counts = (struct lock_stats){.held_since = arch_timer_now()};
		if (count && !was)
			z_sched_lock_stats = &sched_lock_counts;
		else if (!count && was)
			z_sched_lock_stats = NULL;
	}
	z_sched_lock_give(key);
}
