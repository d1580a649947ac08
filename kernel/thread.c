/* Thread life cycle: creation, sleeping, suspend/resume, abort/join, priorities and the listing.
 * The scheduling itself is in kernel/sched.c. */
#include <arch/irq.h>
#include <errno.h>
#include <kernel/panic.h>
#include <kernel/percpu.h>
#include <kernel/budget.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <string.h>

#define ALL_CPUS ((CONFIG_MAX_CPUS >= 64) ? ~0ULL : (1ULL << CONFIG_MAX_CPUS) - 1)

/* Live threads, oldest first (new ones are appended, so a listing in progress sees them last). */
static struct k_thread *all_threads;

void z_thread_register(struct k_thread *t)
{
	struct k_thread **p = &all_threads;

	while (*p)
		p = &(*p)->next_all;
	t->next_all = NULL;
	*p = t;
}

static void unregister(struct k_thread *t)
{
	for (struct k_thread **p = &all_threads; *p; p = &(*p)->next_all) {
		if (*p == t) {
			*p = t->next_all;
			break;
		}
	}
	t->next_all = NULL;
}

void z_thread_finalize(struct k_thread *t)
{
	z_unready(t);
	if (t->wait_q) {
		rq_list_remove(&t->qnode);
		t->wait_q = NULL;
	}
	z_timeout_abort(&t->tmo);
	t->flags = Z_T_DEAD;
	unregister(t);
	z_wake_all_locked(&t->join_q, 0);
	z_wake_all_locked(&t->halt_q, 0);
}

static bool is_live(const struct k_thread *t)
{
	for (const struct k_thread *p = all_threads; p; p = p->next_all)
		if (p == t)
			return true;
	return false;
}

/* First code of every thread, entered by the switch that picked it (see the protocol in sched.h):
 * it finishes that switch by releasing the scheduler lock, then enables IRQs. */
static void thread_start(void *arg)
{
	struct k_thread *t = arg;

	z_sched_lock_give(arch_irq_save()); /* the key keeps IRQs masked */
	arch_irq_enable();
	t->entry(t->a, t->b);
	arch_irq_enable(); /* an entry that returned with IRQs masked must still be able to die */
	k_thread_abort(t);
}

int k_thread_create(struct k_thread *t, void *stack, size_t stack_size,
		    void (*entry)(void *a, void *b), void *a, void *b, int prio, uint64_t cpu_mask,
		    const char *name)
{
	if (!cpu_mask)
		cpu_mask = ALL_CPUS;
	if (!t || !stack || stack_size < K_THREAD_STACK_MIN || !entry || prio < 0 ||
	    prio > K_PRIO_LOWEST || !(cpu_mask & ALL_CPUS))
		return -EINVAL;

	k_spinlock_key_t key = z_sched_lock_take();
	bool live = is_live(t);

	z_sched_lock_give(key);
	if (live)
		return -EBUSY; /* reuse a struct k_thread only once its thread is dead */
	void (*switch_out)(struct k_thread *) = t->switch_out;
	void (*switch_in)(struct k_thread *) = t->switch_in;
	struct k_recover *recover = t->recover;

	memset(t, 0, sizeof(*t));
	t->switch_out = switch_out;
	t->switch_in = switch_in;
	t->recover = recover;
	z_thread_sched_init(t, prio, cpu_mask & ALL_CPUS);
	t->entry = entry;
	t->a = a;
	t->b = b;
	t->stack = stack;
	t->stack_size = stack_size;
	t->name = name ? name : "?";
	arch_context_init(&t->ctx, (char *)stack + stack_size, thread_start, t);
	key = z_sched_lock_take();

	z_thread_register(t);
	z_ready(t, false);
	z_reschedule_unlock(&z_sched_lock, key);
	return 0;
}

void k_sleep(k_timeout_t timeout)
{
	if (!z_can_block())
		panic("k_sleep from an interrupt, with IRQs masked or in an idle thread");
	if (k_timeout_is_no_wait(timeout)) {
		k_yield();
		return;
	}
	z_pend_curr(&z_sched_lock, z_sched_lock_take(), NULL, timeout);
}

void k_sleep_ms(uint32_t ms)
{
	k_sleep(K_MSEC(ms));
}

void k_sleep_until(uint64_t ticks)
{
	k_sleep(K_ABS_TICKS(ticks));
}

/* Suspending or aborting the current thread switches away at once from thread context; from an
 * interrupt handler (or with IRQs masked) the switch waits for the interrupt exit or the next
 * scheduling point, since switching inside a handler would delay its end of interrupt. */
int k_thread_suspend(struct k_thread *t)
{
	bool thread_ctx = !arch_irqs_masked(), can_wait = z_can_block();
	k_spinlock_key_t key = z_sched_lock_take();
	bool self = t == z_current_locked();

	if (t->flags & (Z_T_DEAD | Z_T_IDLE)) {
		z_sched_lock_give(key);
		return -EINVAL;
	}
	t->flags |= Z_T_SUSPENDED;
	z_unready(t);
	if (self && thread_ctx) {
		z_swap(key); /* returns after k_thread_resume */
		return 0;
	}
	if (z_is_running(t)) {
		z_resched_cpu(t->cpu);
		/* halt_q is woken when t is switched out (or dies). */
		if (can_wait && !self)
			return z_pend_curr(&z_sched_lock, key, &t->halt_q, K_FOREVER);
	}
	z_sched_lock_give(key);
	return 0;
}

int k_thread_resume(struct k_thread *t)
{
	k_spinlock_key_t key = z_sched_lock_take();

	if (t->flags & Z_T_DEAD) {
		z_sched_lock_give(key);
		return -EINVAL;
	}
	if (t->flags & Z_T_SUSPENDED) {
		t->flags &= ~Z_T_SUSPENDED;
		z_ready(
		    t, false); /* no-op if it still waits, or still runs (suspend not landed yet) */
		/* A suspender still waiting for t to be switched out would wait for ever now. */
		z_wake_all_locked(&t->halt_q, 0);
	}
	z_reschedule_unlock(&z_sched_lock, key);
	return 0;
}

int k_thread_abort(struct k_thread *t)
{
	bool thread_ctx = !arch_irqs_masked(), can_wait = z_can_block();
	k_spinlock_key_t key = z_sched_lock_take();
	bool self = t == z_current_locked();

	if (t->flags & Z_T_IDLE) {
		z_sched_lock_give(key);
		return -EINVAL;
	}
	if (t->flags & Z_T_DEAD) {
		z_sched_lock_give(key);
		return 0;
	}
	if (self && thread_ctx) {
		z_thread_finalize(t);
		z_swap(key);
		panic("dead thread %s was scheduled", t->name);
	}
	if (z_is_running(t)) {
		/* Only its own CPU can stop it: it dies in z_swap there, which wakes join_q. */
		t->flags |= Z_T_ABORTING;
		z_resched_cpu(t->cpu);
		if (can_wait && !self)
			z_pend_curr(&z_sched_lock, key, &t->join_q, K_FOREVER);
		else
			z_sched_lock_give(key);
		return 0;
	}
	z_thread_finalize(t);
	z_reschedule_unlock(&z_sched_lock, key);
	return 0;
}

int k_thread_join(struct k_thread *t, k_timeout_t timeout)
{
	bool can_wait = z_can_block();
	k_spinlock_key_t key = z_sched_lock_take();

	if (t == z_current_locked()) {
		z_sched_lock_give(key);
		return -EDEADLK;
	}
	if (t->flags & Z_T_DEAD) {
		z_sched_lock_give(key);
		return 0;
	}
	if (!can_wait || k_timeout_is_no_wait(timeout)) {
		z_sched_lock_give(key);
		return -EBUSY;
	}
	/* join_q is woken only by z_thread_finalize: a 0 return means t is dead. */
	return z_pend_curr(&z_sched_lock, key, &t->join_q, timeout);
}

/* Sets t's priority (and its base with set_base), or only raises it (never lowers, base
 * untouched) without. */
static int change_prio(struct k_thread *t, int prio, bool set_base)
{
	if (prio < 0 || prio > K_PRIO_LOWEST)
		return -EINVAL;

	k_spinlock_key_t key = z_sched_lock_take();

	if (t->flags & (Z_T_DEAD | Z_T_IDLE)) {
		z_sched_lock_give(key);
		return -EINVAL;
	}
	if (set_base)
		t->base_prio = prio;
	if (set_base || prio < t->prio)
		z_set_prio_locked(t, prio);
	z_reschedule_unlock(&z_sched_lock, key);
	return 0;
}

int k_thread_set_priority(struct k_thread *t, int prio)
{
	return change_prio(t, prio, true);
}

int k_thread_raise(struct k_thread *t, int prio)
{
	return change_prio(t, prio, false);
}

int k_thread_priority(const struct k_thread *t)
{
	return t->prio;
}

int k_thread_boost(int prio)
{
	k_spinlock_key_t key = z_sched_lock_take();
	struct k_thread *cur = z_current_locked();
	int old = cur->prio;

	if (prio < old) /* more urgent: nothing else needs to run first */
		z_set_prio_locked(cur, prio);
	z_sched_lock_give(key);
	return old;
}

void k_thread_unboost(int prio)
{
	k_spinlock_key_t key = z_sched_lock_take();

	z_set_prio_locked(z_current_locked(), prio);
	z_reschedule_unlock(&z_sched_lock, key); /* a thread we kept waiting may run now */
}

const char *k_thread_state_str(const struct k_thread *t)
{
	if (t->flags & Z_T_DEAD)
		return "dead";
	if (z_is_running(t))
		return "running";
	if (t->flags & Z_T_SUSPENDED)
		return "suspended";
	if (t->flags & Z_T_PENDING)
		return t->wait_q ? "pending" : "sleeping";
	if (z_budget_throttled(t->budget))
		return "throttled"; /* its group's CPU budget is used up until the next period */
	return "ready";
}

int k_thread_get_info(const struct k_thread *t, struct k_thread_info *info)
{
	k_spinlock_key_t key = z_sched_lock_take();

	if (!is_live(t)) {
		z_sched_lock_give(key);
		return -ESRCH;
	}
	size_t n = strlen(t->name);

	if (n >= sizeof(info->name))
		n = sizeof(info->name) - 1;
	memcpy(info->name, t->name, n);
	info->name[n] = '\0';
	info->state = k_thread_state_str(t);
	info->prio = t->prio;
	info->cpu = t->cpu;
	info->cpu_mask = t->cpu_mask;
	info->runtime_ticks = t->runtime;
	if (z_is_running(t))
		info->runtime_ticks += arch_timer_now() - cpus[t->cpu].sched.switched_at;
	z_sched_lock_give(key);
	return 0;
}

/* The lock is held only to find the i-th thread (the walk restarts from the head each time), so a
 * slow callback delays nobody. */
void k_thread_foreach(void (*cb)(struct k_thread *t, void *arg), void *arg)
{
	for (unsigned i = 0;; i++) {
		k_spinlock_key_t key = z_sched_lock_take();
		struct k_thread *t = all_threads;

		for (unsigned j = 0; t && j < i; j++)
			t = t->next_all;
		z_sched_lock_give(key);
		if (!t)
			return;
		cb(t, arg);
	}
}
