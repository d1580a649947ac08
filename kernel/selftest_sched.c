/* `selftest` subcommands: threads on every CPU, sleeping, time slices and preemption. */
#include "selftest_internal.h"

/* --- smp -------------------------------------------------------------------------------------- */

#define SMP_RUN_MS 300

struct smp_arg {
	uint64_t end;		     /* counter value at which to stop */
	const volatile bool *listed; /* and not before the threads were listed */
	uint64_t mask;
};

/* Spins until end and the listing, noting every CPU it was seen on. cpu_id() is exact at the
 * moment TPIDR_EL2 is read even if the thread moves right after. (Until end only, a loaded host
 * that delayed the listing past end saw some of them gone.) */
static void smp_worker(void *a, void *b)
{
	struct smp_arg *arg = a;
	uint64_t mask = 0;

	(void)b;
	while (k_uptime_ticks() < arg->end || !*arg->listed)
		mask |= 1ULL << cpu_id();
	arg->mask = mask;
}

/* Runs through smp_call_function() on the target CPU; sets that CPU's bit. */
static void note_cpu(void *arg)
{
	__atomic_fetch_or((uint64_t *)arg, 1ULL << cpu_id(), __ATOMIC_RELAXED);
}

/* Two CPUs calling each other at the same time, over and over for a while: each must serve
 * the other's call while it waits for its own. */
#define CROSS_CALL_MS 300

struct cross_arg {
	unsigned target;
	uint64_t end;
	uint64_t made, hits;
};

static void count_call(void *arg)
{
	__atomic_fetch_add((uint64_t *)arg, 1, __ATOMIC_RELAXED);
}

static void cross_caller(void *a, void *b)
{
	struct cross_arg *arg = a;

	(void)b;
	while (k_uptime_ticks() < arg->end) {
		smp_call_function(arg->target, count_call, &arg->hits);
		arg->made++;
	}
}

static void check_cross_calls(uint64_t online, struct st_verdict *v)
{
	unsigned a = 1, b = 2;

	if (!(online >> a & 1) || !(online >> b & 1))
		return; /* needs CPUs 1 and 2 */
	uint64_t end = k_uptime_ticks() + k_ms_to_ticks(CROSS_CALL_MS);
	struct cross_arg args[2] = {{.target = b, .end = end}, {.target = a, .end = end}};
	struct st_thread *t[2] = {
	    st_spawn("st-xcall", a, cross_caller, &args[0], ST_PRIO, 1ULL << a),
	    st_spawn("st-xcall", b, cross_caller, &args[1], ST_PRIO, 1ULL << b),
	};

	st_join_all(t, 2, v);
	for (unsigned i = 0; i < 2; i++)
		if (!args[i].made || args[i].hits != args[i].made)
			st_fail(v, "cross calls to cpu %u: %llu of %llu ran", args[i].target,
				(unsigned long long)args[i].hits, (unsigned long long)args[i].made);
	shell_print("smp: cpus %u and %u called each other for %u ms: %llu and %llu calls", a, b,
		    CROSS_CALL_MS, (unsigned long long)args[0].made,
		    (unsigned long long)args[1].made);
}

int selftest_smp(int argc, char **argv)
{
	struct smp_arg unpinned[CONFIG_MAX_CPUS] = {0}, pinned[CONFIG_MAX_CPUS] = {0};
	struct st_thread *ut[CONFIG_MAX_CPUS] = {0}, *pt[CONFIG_MAX_CPUS] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	uint64_t online = st_online_mask(), all = 0, spread = 0;
	unsigned n = st_online_count();
	char line[] = "kernel threads";
	volatile bool listed = false;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	st_mem_get(&mem);
	uint64_t end = k_uptime_ticks() + k_ms_to_ticks(SMP_RUN_MS);

	/* Unpinned first, while CPUs are idle, so the placement policy has a choice to make. */
	for (unsigned i = 0; i < n; i++) {
		unpinned[i].end = end;
		unpinned[i].listed = &listed;
		st_spawn_into(&ut[i], &v, "st-smp", i, smp_worker, &unpinned[i], ST_PRIO, 0);
	}
	for (unsigned i = 0; i < n; i++) {
		unsigned cpu = st_nth_cpu(i);

		pinned[i].end = end;
		pinned[i].listed = &listed;
		st_spawn_into(&pt[i], &v, "st-pin", cpu, smp_worker, &pinned[i], ST_PRIO,
			      1ULL << cpu);
	}
	/* Halfway through, list the threads with the real shell command while they run. */
	k_sleep_ms(SMP_RUN_MS / 2);
	shell_print("smp: threads while running:");
	shell_execute(line);
	listed = true;
	st_join_all(ut, n, &v);
	st_join_all(pt, n, &v);

	for (unsigned i = 0; i < n; i++) {
		unsigned cpu = st_nth_cpu(i);

		shell_print("pinned %u ran on cpus 0x%llx", cpu,
			    (unsigned long long)pinned[i].mask);
		if (pinned[i].mask != 1ULL << cpu)
			st_fail(&v, "pinned thread %u ran on cpus 0x%llx", cpu,
				(unsigned long long)pinned[i].mask);
		all |= pinned[i].mask;
	}
	for (unsigned i = 0; i < n; i++) {
		shell_print("unpinned %u ran on cpus 0x%llx", i,
			    (unsigned long long)unpinned[i].mask);
		if (!unpinned[i].mask)
			st_fail(&v, "unpinned thread %u never ran", i);
		spread |= unpinned[i].mask;
	}
	all |= spread;
	shell_print("smp: online cpus 0x%llx", (unsigned long long)online);
	shell_print("smp: unpinned cpus used 0x%llx", (unsigned long long)spread);
	shell_print("smp: cpus used 0x%llx", (unsigned long long)all);
	if (all != online)
		st_fail(&v, "cpus used 0x%llx, online 0x%llx", (unsigned long long)all,
			(unsigned long long)online);
	/* n busy unpinned threads on n CPUs: the balancing must have used every CPU for them. */
	if (spread != online)
		st_fail(&v, "unpinned threads used cpus 0x%llx, online 0x%llx",
			(unsigned long long)spread, (unsigned long long)online);
	/* The call-function IPI: each CPU runs the function itself, in interrupt context. */
	uint64_t called = 0;

	for (unsigned cpu = 0; cpu < cpu_count(); cpu++)
		if (cpus[cpu].online)
			smp_call_function(cpu, note_cpu, &called);
	shell_print("smp: call-function ran on cpus 0x%llx", (unsigned long long)called);
	if (called != online)
		st_fail(&v, "call-function ran on cpus 0x%llx, online 0x%llx",
			(unsigned long long)called, (unsigned long long)online);
	check_cross_calls(online, &v);
	st_mem_check("smp", &mem, &v);
	return st_result("smp", &v);
}

/* --- sleep ------------------------------------------------------------------------------------ */

#define SLEEP_THREADS 4

struct sleep_arg {
	uint64_t deadline;
	uint32_t ms;
	unsigned *seq;	/* shared wake-up counter */
	unsigned order; /* position it woke in */
	uint64_t late;	/* ticks after the deadline */
	bool early;	/* woke before the deadline */
};

static void sleep_worker(void *a, void *b)
{
	struct sleep_arg *arg = a;

	(void)b;
	k_sleep_until(arg->deadline);
	uint64_t now = k_uptime_ticks();

	arg->order = __atomic_fetch_add(arg->seq, 1, __ATOMIC_RELAXED);
	arg->early = now < arg->deadline;
	arg->late = arg->early ? 0 : now - arg->deadline;
}

int selftest_sleep(int argc, char **argv)
{
	/* Creation order differs from the wake-up order on purpose. */
	static const uint32_t durations[SLEEP_THREADS] = {90, 30, 120, 60};
	struct sleep_arg args[SLEEP_THREADS] = {0};
	struct st_thread *ts[SLEEP_THREADS] = {0};
	uint32_t woke[SLEEP_THREADS] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned seq = 0, n = st_online_count();
	uint64_t max_late_us = 0;
	uint32_t ms;

	if (argc != 2 || args_parse_u32(argv[1], &ms) || ms > 600000)
		return -EINVAL;
	st_mem_get(&mem);

	uint64_t t0 = k_uptime_ticks();

	k_sleep_ms(ms);
	uint64_t us = k_ticks_to_us(k_uptime_ticks() - t0);

	shell_print("slept %llu us (requested %u ms)", (unsigned long long)us, ms);
	if (us < (uint64_t)ms * 1000)
		st_fail(&v, "woke %llu us early", (unsigned long long)((uint64_t)ms * 1000 - us));
	else if (us >= (uint64_t)ms * 1000 + SLEEP_MAX_LATE_US)
		st_fail_timing(&v, "woke %llu us late",
			       (unsigned long long)(us - (uint64_t)ms * 1000));

	/* One absolute start for all, so creation delays do not blur the expected order. Spread
	 * over the CPUs, each sleeper is on its own CPU's timeout queue. */
	uint64_t start = k_uptime_ticks() + k_ms_to_ticks(5);

	for (unsigned i = 0; i < SLEEP_THREADS; i++) {
		args[i].deadline = start + k_ms_to_ticks(durations[i]);
		args[i].ms = durations[i];
		args[i].seq = &seq;
		st_spawn_into(&ts[i], &v, "st-sleep", i, sleep_worker, &args[i], ST_PRIO,
			      1ULL << st_nth_cpu(i % n));
	}
	st_join_all(ts, SLEEP_THREADS, &v);
	for (unsigned i = 0; i < SLEEP_THREADS; i++) {
		shell_print("sleep: %u ms thread woke %llu us late%s", args[i].ms,
			    (unsigned long long)k_ticks_to_us(args[i].late),
			    args[i].early ? " (EARLY)" : "");
		if (args[i].early)
			st_fail(&v, "%u ms thread woke early", args[i].ms);
		else if (k_ticks_to_us(args[i].late) >= SLEEP_MAX_LATE_US)
			st_fail_timing(&v, "%u ms thread woke %llu us late", args[i].ms,
				       (unsigned long long)k_ticks_to_us(args[i].late));
		if (args[i].order < SLEEP_THREADS)
			woke[args[i].order] = args[i].ms;
		if (k_ticks_to_us(args[i].late) > max_late_us)
			max_late_us = k_ticks_to_us(args[i].late);
	}
	shell_print("sleep: woke in order %u %u %u %u", woke[0], woke[1], woke[2], woke[3]);
	/* The deadlines are 30 ms apart: with every wake-up within SLEEP_MAX_LATE_US, the order can
	 * only be wrong because of a bug; a host stall beyond that makes it a timing failure. */
	for (unsigned i = 1; i < SLEEP_THREADS; i++) {
		if (woke[i - 1] < woke[i])
			continue;
		if (max_late_us >= SLEEP_MAX_LATE_US)
			st_fail_timing(&v, "woke out of order: %u ms before %u ms", woke[i - 1],
				       woke[i]);
		else
			st_fail(&v, "woke out of order: %u ms before %u ms", woke[i - 1], woke[i]);
	}
	st_mem_check("sleep", &mem, &v);
	return st_result("sleep", &v);
}

/* --- slice ------------------------------------------------------------------------------------ */

#define SLICE_RUN_MS 500

struct slice_arg {
	uint64_t start, end;
	uint64_t count;
	unsigned gaps; /* times it found the counter had jumped: it was switched out */
};

static void slice_worker(void *a, void *b)
{
	struct slice_arg *arg = a;
	uint64_t gap = k_ms_to_ticks(1), count = 0;
	unsigned gaps = 0;

	(void)b;
	k_sleep_until(arg->start);
	/* Each thread stops at the same absolute time, so without time slicing the one that runs
	 * second finds its time already over. */
	uint64_t last = k_uptime_ticks();

	while (last < arg->end) {
		uint64_t now = k_uptime_ticks();

		if (now - last > gap)
			gaps++;
		last = now;
		count++;
	}
	arg->count = count;
	arg->gaps = gaps;
}

int selftest_slice(int argc, char **argv)
{
	struct slice_arg args[2] = {0};
	struct st_thread *ts[2] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned cpu;

	if (st_parse_cpu_arg(argc, argv, st_spare_cpu(), &cpu))
		return -EINVAL;
	st_mem_get(&mem);

	uint64_t start = k_uptime_ticks() + k_ms_to_ticks(10);

	for (unsigned i = 0; i < 2; i++) {
		args[i].start = start;
		args[i].end = start + k_ms_to_ticks(SLICE_RUN_MS);
		st_spawn_into(&ts[i], &v, "st-slice", i, slice_worker, &args[i], ST_PRIO,
			      1ULL << cpu);
	}
	st_join_all(ts, 2, &v);
	shell_print("slice: cpu %u counts %llu %llu", cpu, (unsigned long long)args[0].count,
		    (unsigned long long)args[1].count);
	shell_print("slice: switched out %u %u times (slice %u ms)", args[0].gaps, args[1].gaps,
		    CONFIG_TIMESLICE_MS);
	for (unsigned i = 0; i < 2; i++) {
		if (!args[i].count)
			st_fail(&v, "thread %u made no progress", i);
		else if (args[i].count * 4 < args[1 - i].count)
			st_fail(&v, "thread %u got less than a quarter of the other's share", i);
		/* 500 ms in 10 ms slices: about 25 turns each; a handful proves the rotation. */
		if (args[i].gaps < 5)
			st_fail(&v, "thread %u was switched out only %u times", i, args[i].gaps);
	}
	st_mem_check("slice", &mem, &v);
	return st_result("slice", &v);
}

/* --- prio ------------------------------------------------------------------------------------- */

#define PRIO_LOW_RUN_MS	    300
#define PRIO_HIGH_SLEEP_MS  20
#define PRIO_MAX_LATENCY_US 20000

struct prio_arg {
	uint64_t low_end;
	volatile bool low_started, low_done;
	uint64_t low_max_gap; /* longest time the low thread was kept off its CPU */
	/* Filled by the high thread. */
	uint64_t latency;
	bool low_busy_at_wake, early;
	unsigned high_cpu;
};

static void prio_low(void *a, void *b)
{
	struct prio_arg *arg = a;
	uint64_t last = k_uptime_ticks(), max_gap = 0;

	(void)b;
	arg->low_started = true;
	while (last < arg->low_end) {
		uint64_t now = k_uptime_ticks();

		if (now - last > max_gap)
			max_gap = now - last;
		last = now;
	}
	arg->low_max_gap = max_gap;
	arg->low_done = true;
}

static void prio_high(void *a, void *b)
{
	struct prio_arg *arg = a;
	uint64_t deadline = k_uptime_ticks() + k_ms_to_ticks(PRIO_HIGH_SLEEP_MS);

	(void)b;
	k_sleep_until(deadline);
	uint64_t now = k_uptime_ticks();

	arg->low_busy_at_wake = arg->low_started && !arg->low_done;
	arg->early = now < deadline;
	arg->latency = arg->early ? 0 : now - deadline;
	arg->high_cpu = cpu_id();
}

int selftest_prio(int argc, char **argv)
{
	struct prio_arg arg = {0};
	struct st_thread *low = NULL, *high = NULL;
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned cpu;

	if (st_parse_cpu_arg(argc, argv, st_spare_cpu(), &cpu))
		return -EINVAL;
	st_mem_get(&mem);
	arg.low_end = k_uptime_ticks() + k_ms_to_ticks(PRIO_LOW_RUN_MS);
	if (st_spawn_into(&low, &v, "st-low", cpu, prio_low, &arg, ST_PRIO + 5, 1ULL << cpu)) {
		/* The high thread must find the low one already spinning on that CPU. */
		for (unsigned i = 0; i < 100 && !arg.low_started; i++)
			k_sleep_ms(1);
		if (!arg.low_started)
			st_fail(&v, "low thread did not start within 100 ms");
		st_spawn_into(&high, &v, "st-high", cpu, prio_high, &arg, ST_PRIO - 5, 1ULL << cpu);
	}
	st_join(high, &v);
	st_join(low, &v);
	if (high) {
		uint64_t us = k_ticks_to_us(arg.latency);

		shell_print("prio: cpu %u low thread busy at wake-up: %s", arg.high_cpu,
			    arg.low_busy_at_wake ? "yes" : "no");
		shell_print("prio: preempted after %llu us", (unsigned long long)us);
		shell_print("prio: low thread kept off its cpu for up to %llu us",
			    (unsigned long long)k_ticks_to_us(arg.low_max_gap));
		if (arg.early)
			st_fail(&v, "high thread woke before its deadline");
		if (!arg.low_busy_at_wake)
			st_fail(&v, "high thread ran only after the low one finished");
		if (arg.high_cpu != cpu)
			st_fail(&v, "high thread ran on cpu %u, pinned to %u", arg.high_cpu, cpu);
		if (us >= PRIO_MAX_LATENCY_US)
			st_fail_timing(&v, "preemption took %llu us", (unsigned long long)us);
	}
	st_mem_check("prio", &mem, &v);
	return st_result("prio", &v);
}
