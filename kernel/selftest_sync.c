/* `selftest` subcommands: semaphores, mutexes, timeouts and timers across CPUs. */
#include "selftest_internal.h"

/* --- sync ------------------------------------------------------------------------------------- */

#define PP_ROUNDS     1000
#define MUTEX_THREADS 4
#define MUTEX_ITERS   10000
#define SEM_WAIT_MS   50
#define TIMER_PERIOD  10
#define TIMER_RUN_MS  200

struct pp_arg {
	struct k_sem ping, pong;
	volatile unsigned seq; /* odd while B's turn: proves strict alternation */
	unsigned done[2];
	unsigned bad_turns[2];
	int err[2];
	uint64_t cpus[2];
	uint64_t given;	     /* counter value at the last give, for the wake-up latency */
	uint64_t max_wake;   /* longest give-to-wake-up, ticks */
	unsigned slow_wakes; /* wake-ups later than 1 ms: informative only */
};

/* After a take: how long since the give that woke us. */
static void pp_note_wake(struct pp_arg *p)
{
	uint64_t d = k_uptime_ticks() - p->given;

	if (d > p->max_wake)
		p->max_wake = d;
	if (d > k_ms_to_ticks(1))
		p->slow_wakes++;
}

static void pp_a(void *a, void *b)
{
	struct pp_arg *p = a;

	(void)b;
	for (unsigned i = 0; i < PP_ROUNDS; i++) {
		p->seq = 2 * i + 1;
		p->given = k_uptime_ticks();
		k_sem_give(&p->ping);
		int err = k_sem_take(&p->pong, K_SECONDS(5));

		if (err) {
			p->err[0] = err;
			return;
		}
		pp_note_wake(p);
		if (p->seq != 2 * i + 2)
			p->bad_turns[0]++;
		p->cpus[0] |= 1ULL << cpu_id();
		p->done[0]++;
	}
}

static void pp_b(void *a, void *b)
{
	struct pp_arg *p = a;

	(void)b;
	for (unsigned i = 0; i < PP_ROUNDS; i++) {
		int err = k_sem_take(&p->ping, K_SECONDS(5));

		if (err) {
			p->err[1] = err;
			return;
		}
		pp_note_wake(p);
		if (p->seq != 2 * i + 1)
			p->bad_turns[1]++;
		p->seq = 2 * i + 2;
		p->cpus[1] |= 1ULL << cpu_id();
		p->done[1]++;
		p->given = k_uptime_ticks();
		k_sem_give(&p->pong);
	}
}

static void sync_pingpong(struct st_verdict *v)
{
	struct pp_arg p = {0};
	struct st_thread *ts[2] = {0};
	unsigned n = st_online_count();
	unsigned cpu[2] = {st_nth_cpu(n > 2 ? 1 : 0), st_nth_cpu(n > 2 ? 2 : n - 1)};

	k_sem_init(&p.ping, 0, 1);
	k_sem_init(&p.pong, 0, 1);
	uint64_t t0 = k_uptime_ticks();

	st_spawn_into(&ts[1], v, "st-pong", cpu[1], pp_b, &p, ST_PRIO, 1ULL << cpu[1]);
	st_spawn_into(&ts[0], v, "st-ping", cpu[0], pp_a, &p, ST_PRIO, 1ULL << cpu[0]);
	st_join_all(ts, 2, v);
	uint64_t us = k_ticks_to_us(k_uptime_ticks() - t0);

	shell_print("sync: pingpong %u/%u rounds on cpus %u,%u in %llu us", p.done[0], p.done[1],
		    cpu[0], cpu[1], (unsigned long long)us);
	shell_print("sync: pingpong wake-up latency max %llu us, %u over 1 ms",
		    (unsigned long long)k_ticks_to_us(p.max_wake), p.slow_wakes);
	for (unsigned i = 0; i < 2; i++) {
		if (p.err[i])
			st_fail(v, "pingpong thread %u: k_sem_take returned %d", i, p.err[i]);
		if (p.done[i] != PP_ROUNDS)
			st_fail(v, "pingpong thread %u did %u rounds", i, p.done[i]);
		if (p.bad_turns[i])
			st_fail(v, "pingpong thread %u saw %u turns out of order", i,
				p.bad_turns[i]);
		if (p.cpus[i] != 1ULL << cpu[i])
			st_fail(v, "pingpong thread %u ran on cpus 0x%llx", i,
				(unsigned long long)p.cpus[i]);
	}
	if (k_sem_count_get(&p.ping) || k_sem_count_get(&p.pong))
		st_fail(v, "semaphores left with counts %u,%u", k_sem_count_get(&p.ping),
			k_sem_count_get(&p.pong));
}

struct mutex_arg {
	struct k_mutex m;
	volatile uint64_t counter; /* protected by m only: plain read-modify-write */
	unsigned inside;	   /* threads between lock and unlock; more than 1 is a bug */
	unsigned overlaps;
	unsigned errors;
	unsigned miscounted; /* k_thread.mutexes_held not 1 inside, 0 outside */
	int last_err;
};

static void mutex_worker(void *a, void *b)
{
	struct mutex_arg *arg = a;

	(void)b;
	for (unsigned i = 0; i < MUTEX_ITERS; i++) {
		int err = k_mutex_lock(&arg->m, K_SECONDS(10));

		if (err) {
			__atomic_fetch_add(&arg->errors, 1, __ATOMIC_RELAXED);
			arg->last_err = err;
			return;
		}
		if (__atomic_fetch_add(&arg->inside, 1, __ATOMIC_RELAXED))
			__atomic_fetch_add(&arg->overlaps, 1, __ATOMIC_RELAXED);
		/* Whether it got the mutex at once or was handed it by an unlock. */
		if (k_current()->mutexes_held != 1)
			__atomic_fetch_add(&arg->miscounted, 1, __ATOMIC_RELAXED);
		uint64_t c = arg->counter;

		/* Widen the window a lost update would need. */
		if (!(i & 15))
			cpu_relax();
		arg->counter = c + 1;
		__atomic_fetch_sub(&arg->inside, 1, __ATOMIC_RELAXED);
		err = k_mutex_unlock(&arg->m);
		if (err) {
			__atomic_fetch_add(&arg->errors, 1, __ATOMIC_RELAXED);
			arg->last_err = err;
			return;
		}
		if (k_current()->mutexes_held)
			__atomic_fetch_add(&arg->miscounted, 1, __ATOMIC_RELAXED);
	}
}

static void sync_mutex(struct st_verdict *v)
{
	struct mutex_arg arg = {0};
	struct st_thread *ts[MUTEX_THREADS] = {0};
	unsigned n = st_online_count();

	k_mutex_init(&arg.m);
	uint64_t t0 = k_uptime_ticks();

	for (unsigned i = 0; i < MUTEX_THREADS; i++) {
		unsigned cpu = st_nth_cpu(i % n);

		st_spawn_into(&ts[i], v, "st-mutex", i, mutex_worker, &arg, ST_PRIO, 1ULL << cpu);
	}
	st_join_all(ts, MUTEX_THREADS, v);
	uint64_t us = k_ticks_to_us(k_uptime_ticks() - t0);

	shell_print("sync: mutex counter %llu (expected %u) in %llu us",
		    (unsigned long long)arg.counter, MUTEX_THREADS * MUTEX_ITERS,
		    (unsigned long long)us);
	if (arg.errors)
		st_fail(v, "mutex: %u errors, last %d", arg.errors, arg.last_err);
	if (arg.overlaps)
		st_fail(v, "mutex: %u times two owners at once", arg.overlaps);
	if (arg.miscounted)
		st_fail(v, "mutex: %u times a thread's count of mutexes held was wrong",
			arg.miscounted);
	if (arg.counter != MUTEX_THREADS * MUTEX_ITERS)
		st_fail(v, "mutex counter %llu, expected %u", (unsigned long long)arg.counter,
			MUTEX_THREADS * MUTEX_ITERS);
	if (arg.m.owner || arg.m.lock_count)
		st_fail(v, "mutex still owned after every thread ended");
}

/* Holds a mutex until told to let go, so that the shell thread's lock times out, and watches its
 * own priority meanwhile: the waiter lends it its own (priority inheritance). */
struct holder_arg {
	struct k_mutex m;
	struct k_sem locked;
	volatile bool release;
	int min_prio; /* most urgent priority it had while holding the mutex */
	int unlock_err;
};

static void mutex_holder(void *a, void *b)
{
	struct holder_arg *h = a;

	(void)b;
	k_mutex_lock(&h->m, K_FOREVER);
	h->min_prio = k_thread_priority(k_current());
	k_sem_give(&h->locked);
	while (!h->release) {
		int prio = k_thread_priority(k_current());

		if (prio < h->min_prio)
			h->min_prio = prio;
		k_sleep_ms(1);
	}
	h->unlock_err = k_mutex_unlock(&h->m);
}

static void sync_timeouts(struct st_verdict *v)
{
	struct k_sem s;
	struct holder_arg h = {0};
	struct st_thread *t = NULL;

	k_sem_init(&s, 0, 1);
	int busy = k_sem_take(&s, K_NO_WAIT);
	uint64_t t0 = k_uptime_ticks();
	int ret = k_sem_take(&s, K_MSEC(SEM_WAIT_MS));
	uint64_t us = k_ticks_to_us(k_uptime_ticks() - t0);

	shell_print("sync: sem no-wait returned %d", busy);
	shell_print("sync: sem timeout returned %d after %llu us (timeout %u ms)", ret,
		    (unsigned long long)us, SEM_WAIT_MS);
	if (busy != -EBUSY)
		st_fail(v, "k_sem_take(K_NO_WAIT) on an empty semaphore returned %d", busy);
	if (ret != -EAGAIN)
		st_fail(v, "k_sem_take timeout returned %d, expected %d", ret, -EAGAIN);
	if (us < SEM_WAIT_MS * 1000u)
		st_fail(v, "k_sem_take timed out early, after %llu us", (unsigned long long)us);
	else if (us >= SEM_WAIT_MS * 1000u + SLEEP_MAX_LATE_US)
		st_fail_timing(v, "k_sem_take timed out after %llu us", (unsigned long long)us);

	k_mutex_init(&h.m);
	k_sem_init(&h.locked, 0, 1);
	if (!st_spawn_into(&t, v, "st-holder", 0, mutex_holder, &h, ST_PRIO, 0))
		return;
	if (k_sem_take(&h.locked, K_SECONDS(5))) {
		st_fail(v, "mutex holder did not lock");
	} else {
		t0 = k_uptime_ticks();
		ret = k_mutex_lock(&h.m, K_MSEC(SEM_WAIT_MS));
		us = k_ticks_to_us(k_uptime_ticks() - t0);
		shell_print("sync: mutex timeout returned %d after %llu us (timeout %u ms)", ret,
			    (unsigned long long)us, SEM_WAIT_MS);
		if (ret != -EAGAIN)
			st_fail(v, "k_mutex_lock timeout returned %d, expected %d", ret, -EAGAIN);
		if (us < SEM_WAIT_MS * 1000u)
			st_fail(v, "k_mutex_lock timed out early, after %llu us",
				(unsigned long long)us);
		else if (us >= SEM_WAIT_MS * 1000u + SLEEP_MAX_LATE_US)
			st_fail_timing(v, "k_mutex_lock timed out after %llu us",
				       (unsigned long long)us);
		if (ret == 0)
			k_mutex_unlock(&h.m);
		/* The holder ran at this thread's priority while it waited, and no longer. */
		int prio = k_thread_priority(&t->thread), mine = k_thread_priority(k_current());

		shell_print("sync: holder priority %d while waited on by priority %d, %d after the "
			    "timeout (base %d)",
			    h.min_prio, mine, prio, ST_PRIO);
		if (mine < ST_PRIO && h.min_prio != mine)
			st_fail(v,
				"mutex holder ran at priority %d while a priority %d thread waited",
				h.min_prio, mine);
		if (prio != ST_PRIO)
			st_fail(v, "mutex holder kept priority %d after the waiter gave up", prio);
	}
	h.release = true;
	st_join(t, v);
	if (h.unlock_err)
		st_fail(v, "holder's k_mutex_unlock returned %d", h.unlock_err);
	if (h.m.owner)
		st_fail(v, "mutex still owned after the holder unlocked");
}

struct timer_arg {
	struct k_timer timer;
	unsigned count;
	uint64_t first, last;
	uint64_t cpus; /* where the callback ran */
	unsigned start_cpu;
	uint64_t elapsed;
};

static void timer_expiry(struct k_timer *timer)
{
	struct timer_arg *arg = timer->user_data;
	uint64_t now = k_uptime_ticks();

	if (!arg->count)
		arg->first = now;
	arg->last = now;
	arg->count++;
	arg->cpus |= 1ULL << cpu_id();
}

/* In a pinned thread: the callback runs on the CPU that started the timer, which is then known. */
static void timer_worker(void *a, void *b)
{
	struct timer_arg *arg = a;

	(void)b;
	arg->start_cpu = cpu_id();
	uint64_t t0 = k_uptime_ticks();

	k_timer_start(&arg->timer, K_MSEC(TIMER_PERIOD), K_MSEC(TIMER_PERIOD));
	k_sleep_ms(TIMER_RUN_MS);
	k_timer_stop(&arg->timer);
	arg->elapsed = k_uptime_ticks() - t0;
}

static void sync_timer(struct st_verdict *v)
{
	struct timer_arg arg = {0};
	struct st_thread *t = NULL;
	unsigned cpu = st_spare_cpu();

	k_timer_init(&arg.timer, timer_expiry, &arg);
	if (!st_spawn_into(&t, v, "st-timer", cpu, timer_worker, &arg, ST_PRIO, 1ULL << cpu))
		return;
	st_join(t, v);

	uint64_t period = k_ms_to_ticks(TIMER_PERIOD);
	/* Expiries at start + k * period up to the stop, which came after at most elapsed. */
	uint64_t expected = arg.elapsed / period;
	uint64_t avg_us =
	    arg.count > 1 ? k_ticks_to_us((arg.last - arg.first) / (arg.count - 1)) : 0;

	shell_print("sync: timer %u expiries in %llu us (period %u ms, expected %llu) on cpus "
		    "0x%llx",
		    arg.count, (unsigned long long)k_ticks_to_us(arg.elapsed), TIMER_PERIOD,
		    (unsigned long long)expected, (unsigned long long)arg.cpus);
	shell_print("sync: timer average period %llu us", (unsigned long long)avg_us);
	/* More than fits in the time is a bug; fewer means late expiries, which restart the grid.
	 */
	if (arg.count > expected)
		st_fail(v, "timer fired %u times, at most %llu fit", arg.count,
			(unsigned long long)expected);
	else if (arg.count + 2 < expected)
		st_fail_timing(v, "timer fired %u times, expected %llu", arg.count,
			       (unsigned long long)expected);
	if (arg.cpus != 1ULL << arg.start_cpu)
		st_fail(v, "timer callback ran on cpus 0x%llx, started on %u",
			(unsigned long long)arg.cpus, arg.start_cpu);
	if (avg_us + TIMER_PERIOD * 100 < TIMER_PERIOD * 1000 ||
	    avg_us > TIMER_PERIOD * 1000 + TIMER_PERIOD * 100)
		st_fail_timing(v, "timer period averaged %llu us", (unsigned long long)avg_us);
	if (k_timer_is_running(&arg.timer))
		st_fail(v, "timer still armed after k_timer_stop");
}

/* k_thread_raise, as a waiter lends its urgency: a loan never lowers a thread (a boost it holds
 * stays) nor changes its base; the boost's end gives back what it saved (the loan goes, as
 * documented), a second loan raises it again, a less urgent one does nothing, and setting the
 * base takes the loan back. */
#define RAISE_CEILING 3
#define RAISE_LOAN    6
#define RAISE_WAIT_MS 10000

struct raise_arg {
	struct k_sem boosted, unboosted, go;
};

static void raise_worker(void *a, void *b)
{
	struct raise_arg *r = a;
	int saved = k_thread_boost(RAISE_CEILING);

	(void)b;
	k_sem_give(&r->boosted);
	k_sem_take(&r->go, K_FOREVER);
	k_thread_unboost(saved);
	k_sem_give(&r->unboosted);
	k_sem_take(&r->go, K_FOREVER); /* alive for the last checks */
}

static bool raise_expect(struct st_verdict *v, struct k_thread *t, int want, const char *when)
{
	int prio = k_thread_priority(t);

	if (prio != want || t->base_prio != ST_PRIO)
		st_fail(v, "raise: %s: priority %d, base %d (expected %d, base %d)", when, prio,
			t->base_prio, want, ST_PRIO);
	return prio == want;
}

static void sync_raise(struct st_verdict *v)
{
	struct raise_arg r;
	struct st_thread *st = NULL;

	k_sem_init(&r.boosted, 0, 1);
	k_sem_init(&r.unboosted, 0, 1);
	k_sem_init(&r.go, 0, 2);
	if (!st_spawn_into(&st, v, "st-raise", 0, raise_worker, &r, ST_PRIO,
			   1ULL << st_spare_cpu()))
		return;
	struct k_thread *t = &st->thread;

	if (k_sem_take(&r.boosted, K_MSEC(RAISE_WAIT_MS))) {
		st_fail(v, "raise: the worker never took its ceiling");
		goto out;
	}
	if (k_thread_raise(t, RAISE_LOAN) ||
	    !raise_expect(v, t, RAISE_CEILING, "lent to while boosted"))
		goto out;
	k_sem_give(&r.go);
	if (k_sem_take(&r.unboosted, K_MSEC(RAISE_WAIT_MS))) {
		st_fail(v, "raise: the worker never left its ceiling");
		goto out;
	}
	raise_expect(v, t, ST_PRIO, "after the boost's end");
	k_thread_raise(t, RAISE_LOAN);
	raise_expect(v, t, RAISE_LOAN, "lent to again");
	k_thread_raise(t, ST_PRIO + 1);
	raise_expect(v, t, RAISE_LOAN, "a less urgent loan");
	if (k_thread_raise(t, K_PRIO_LOWEST + 1) != -EINVAL)
		st_fail(v, "raise: a priority past K_PRIO_LOWEST was taken");
	k_thread_set_priority(t, t->base_prio);
	raise_expect(v, t, ST_PRIO, "the base set again");
out:
	k_sem_give(&r.go);
	k_sem_give(&r.go);
	st_join(st, v);
}

int selftest_sync(int argc, char **argv)
{
	struct st_verdict v = {0};
	struct st_mem mem;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	st_mem_get(&mem);
	sync_pingpong(&v);
	sync_mutex(&v);
	sync_raise(&v);
	sync_timeouts(&v);
	sync_timer(&v);
	st_mem_check("sync", &mem, &v);
	return st_result("sync", &v);
}
