/* `selftest`: exercises the kernel services live (threads on every CPU, sleeping, time slices,
 * preemption, semaphores, mutexes, timers, the allocators, the panic path) and prints
 * machine-readable lines for tests/system/test_kernel.py. Every subcommand ends with
 * "selftest <name>: PASS" or "selftest <name>: FAIL <reason>".
 *
 * Worker threads run at ST_PRIO, less urgent than the shell thread, so the shell can still print
 * while they keep every CPU busy. Their structs come from the heap and their stacks from the page
 * allocator, and both are given back before the command returns: each command compares the
 * allocators' usage before and after, and so do the tests with `kernel mem`. That counts every
 * allocation in the system, so run them with no VM being created or deleted. Buffers are filled by
 * hand-written loops rather than memset, which may use SIMD registers in picolibc. */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/stack.h>
#include <kernel/mutex.h>
#include <kernel/page_alloc.h>
#include <kernel/percpu.h>
#include <kernel/sem.h>
#include <kernel/smp.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <kernel/timer.h>
#include <lib/bits.h>
#include <lib/format.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define ST_STACK_SIZE	 K_STACK_SIZE /* guarded (kernel/stack.c) */
#define ST_PRIO		 10
#define ST_JOIN_LIMIT_MS 120000 /* workers still alive that long after the join began are stuck */
#define ST_PAGE_SIZE	 4096

/* --- Helpers ---------------------------------------------------------------------------------- */

struct st_thread {
	struct k_thread thread;
	void *stack;
	char name[K_THREAD_NAME_MAX];
};

/* The reason printed on the final line: the first failure, except that a real failure replaces a
 * timing one. Timing failures ("FAIL timing: ...") are bounds on how late something happened;
 * under TCG on a loaded host a vCPU thread can be held off for tens of ms, so the tests may run
 * such a command again. Nothing on the host can make things happen early or in the wrong order,
 * so those are never timing failures. */
struct st_verdict {
	bool failed, timing;
	char why[160];
};

static void st_vfail(struct st_verdict *v, bool timing, const char *fmt, va_list ap)
{
	if (v->failed && (timing || !v->timing))
		return;
	size_t n = timing ? 8 : 0;

	v->failed = true;
	v->timing = timing;
	if (timing)
		fmt_snprintf(v->why, sizeof(v->why), "timing: ");
	fmt_vsnprintf(v->why + n, sizeof(v->why) - n, fmt, ap);
}

__attribute__((format(printf, 2, 3))) static void st_fail(struct st_verdict *v, const char *fmt,
							  ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vfail(v, false, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static void st_fail_timing(struct st_verdict *v,
								 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vfail(v, true, fmt, ap);
	va_end(ap);
}

static int st_result(const char *name, const struct st_verdict *v)
{
	if (v->failed) {
		shell_print("selftest %s: FAIL %s", name, v->why);
		return -EIO;
	}
	shell_print("selftest %s: PASS", name);
	return 0;
}

/* A thread with its own heap-allocated struct and guarded stack; NULL if out of memory
 * (or k_thread_create refused, which would be a bug here). */
static struct st_thread *st_spawn(const char *name, unsigned n, void (*entry)(void *, void *),
				  void *a, int prio, uint64_t cpu_mask)
{
	/* Zeroed: k_thread_create keeps the switch hooks it finds in the struct. */
	struct st_thread *st = k_calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->stack = k_stack_alloc();
	if (!st->stack) {
		k_free(st);
		return NULL;
	}
	fmt_snprintf(st->name, sizeof(st->name), "%s/%u", name, n);
	if (k_thread_create(&st->thread, st->stack, ST_STACK_SIZE, entry, a, NULL, prio, cpu_mask,
			    st->name)) {
		k_stack_free(st->stack);
		k_free(st);
		return NULL;
	}
	return st;
}

static uint64_t st_join_deadline(void)
{
	return k_uptime_ticks() + k_ms_to_ticks(ST_JOIN_LIMIT_MS);
}

/* Waits for st to end and frees it. A thread still alive at deadline is aborted, so that its
 * memory can still be freed; that counts as a failure. NULL is ignored. */
static void st_join_until(struct st_thread *st, uint64_t deadline, struct st_verdict *v)
{
	if (!st)
		return;
	int err = k_thread_join(&st->thread, K_ABS_TICKS(deadline));

	if (err) {
		st_fail(v, "thread %s did not end (join %d), aborted", st->name, err);
		k_thread_abort(&st->thread);
		k_thread_join(&st->thread, K_FOREVER);
	}
	k_stack_free(st->stack);
	k_free(st);
}

static void st_join(struct st_thread *st, struct st_verdict *v)
{
	st_join_until(st, st_join_deadline(), v);
}

/* One deadline for the group: stuck threads do not add up their limits. */
static void st_join_all(struct st_thread **sts, unsigned n, struct st_verdict *v)
{
	uint64_t deadline = st_join_deadline();

	for (unsigned i = 0; i < n; i++) {
		st_join_until(sts[i], deadline, v);
		sts[i] = NULL;
	}
}

/* Spawns into sts[i]; a failure is recorded in v and leaves sts[i] NULL. */
static bool st_spawn_into(struct st_thread **slot, struct st_verdict *v, const char *name,
			  unsigned n, void (*entry)(void *, void *), void *a, int prio,
			  uint64_t cpu_mask)
{
	*slot = st_spawn(name, n, entry, a, prio, cpu_mask);
	if (!*slot)
		st_fail(v, "cannot create thread %s/%u", name, n);
	return *slot != NULL;
}

struct st_mem {
	size_t heap, pages;
};

static void st_mem_get(struct st_mem *m)
{
	struct mem_stats s;

	k_heap_stats(&s);
	m->heap = s.used;
	page_alloc_stats(&s);
	m->pages = s.used;
}

/* Prints the usage change since before; a difference is a leak (or a double free). */
static void st_mem_check(const char *name, const struct st_mem *before, struct st_verdict *v)
{
	struct st_mem after;

	st_mem_get(&after);
	shell_print("%s: heap used %zu -> %zu bytes, pages used %zu -> %zu bytes", name,
		    before->heap, after.heap, before->pages, after.pages);
	if (after.heap != before->heap)
		st_fail(v, "heap used %zu -> %zu bytes", before->heap, after.heap);
	if (after.pages != before->pages)
		st_fail(v, "pages used %zu -> %zu bytes", before->pages, after.pages);
}

static uint64_t online_mask(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		if (cpus[i].online)
			m |= 1ULL << i;
	return m;
}

static unsigned online_count(void)
{
	return bits_count(online_mask());
}

/* The n-th online CPU (n counted from 0). */
static unsigned nth_cpu(unsigned n)
{
	uint64_t m = online_mask();

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		if ((m & (1ULL << i)) && n-- == 0)
			return i;
	}
	return 0;
}

/* Optional CPU argument: argv[1] if present and online, else dflt. */
static int parse_cpu_arg(int argc, char **argv, unsigned dflt, unsigned *cpu)
{
	uint32_t v;

	*cpu = dflt;
	if (argc < 2)
		return 0;
	if (argc > 2 || args_parse_u32(argv[1], &v) || v >= CONFIG_MAX_CPUS ||
	    !(online_mask() & (1ULL << v)))
		return -EINVAL;
	*cpu = v;
	return 0;
}

/* A CPU other than 0 when there is one, so the shell's CPU stays free to print. */
static unsigned spare_cpu(void)
{
	return online_count() > 1 ? nth_cpu(1) : nth_cpu(0);
}

static uint64_t rnd_next(uint64_t *s)
{
	/* xorshift64: enough to vary sizes and orders, no FP. */
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}

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

static int cmd_smp(int argc, char **argv)
{
	struct smp_arg unpinned[CONFIG_MAX_CPUS] = {0}, pinned[CONFIG_MAX_CPUS] = {0};
	struct st_thread *ut[CONFIG_MAX_CPUS] = {0}, *pt[CONFIG_MAX_CPUS] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	uint64_t online = online_mask(), all = 0, spread = 0;
	unsigned n = online_count();
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
		unsigned cpu = nth_cpu(i);

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
		unsigned cpu = nth_cpu(i);

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

#define SLEEP_MAX_LATE_US 20000
#define SLEEP_THREADS	  4

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

static int cmd_sleep(int argc, char **argv)
{
	/* Creation order differs from the wake-up order on purpose. */
	static const uint32_t durations[SLEEP_THREADS] = {90, 30, 120, 60};
	struct sleep_arg args[SLEEP_THREADS] = {0};
	struct st_thread *ts[SLEEP_THREADS] = {0};
	uint32_t woke[SLEEP_THREADS] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned seq = 0, n = online_count();
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
			      1ULL << nth_cpu(i % n));
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

static int cmd_slice(int argc, char **argv)
{
	struct slice_arg args[2] = {0};
	struct st_thread *ts[2] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned cpu;

	if (parse_cpu_arg(argc, argv, spare_cpu(), &cpu))
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

static int cmd_prio(int argc, char **argv)
{
	struct prio_arg arg = {0};
	struct st_thread *low = NULL, *high = NULL;
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned cpu;

	if (parse_cpu_arg(argc, argv, spare_cpu(), &cpu))
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
	unsigned n = online_count();
	unsigned cpu[2] = {nth_cpu(n > 2 ? 1 : 0), nth_cpu(n > 2 ? 2 : n - 1)};

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
	unsigned n = online_count();

	k_mutex_init(&arg.m);
	uint64_t t0 = k_uptime_ticks();

	for (unsigned i = 0; i < MUTEX_THREADS; i++) {
		unsigned cpu = nth_cpu(i % n);

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
	unsigned cpu = spare_cpu();

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

static int cmd_sync(int argc, char **argv)
{
	struct st_verdict v = {0};
	struct st_mem mem;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	st_mem_get(&mem);
	sync_pingpong(&v);
	sync_mutex(&v);
	sync_timeouts(&v);
	sync_timer(&v);
	st_mem_check("sync", &mem, &v);
	return st_result("sync", &v);
}

/* --- fault ------------------------------------------------------------------------------------ */

#define FAULT_WAIT_S 5 /* how long the shell thread outlives the panic if nothing stops it */

/* Inside the 48-bit VA range but above any physical address QEMU's virt board can have, so
 * never part of the identity map: the load takes a translation fault. Volatile, so the
 * compiler cannot see the address and turn the load into something else. */
static volatile uintptr_t fault_addr = 0x0000dead00000040ULL;

static void fault_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	shell_print("fault: cpu %u (MPIDR 0x%llx) loading from 0x%016llx", cpu_id(),
		    (unsigned long long)this_cpu()->mpidr, (unsigned long long)fault_addr);
	(void)*(volatile uint64_t *)fault_addr;
}

/* Runs out of stack: each level keeps a frame the compiler cannot drop (volatile) and adds to
 * the result after the call (no tail call). The bound is never reached: 16 KiB of stack holds
 * a few dozen levels. */
static unsigned overflow_level(unsigned depth)
{
	volatile uint8_t frame[256];

	frame[0] = (uint8_t)depth;
	if (depth > 1000000)
		return frame[0];
	return overflow_level(depth + 1) + frame[0];
}

static void overflow_worker(void *a, void *b)
{
	(void)a;
	(void)b;
	shell_print("overflow: cpu %u recursing until the stack guard", cpu_id());
	shell_print("overflow: reached the end without a fault (%u)", overflow_level(0));
}

/* selftest fault / overflow: a thread on that CPU that crashes the system on purpose. */
static int crash_on_cpu(int argc, char **argv, const char *name, void (*worker)(void *, void *),
			const char *what)
{
	struct st_verdict v = {0};
	struct st_thread *t = NULL;
	uint32_t cpu;

	if (argc != 3 || strcmp(argv[2], "--yes-crash") != 0) {
		shell_error("selftest %s crashes the system on purpose; confirm with --yes-crash",
			    name);
		return -EINVAL;
	}
	if (args_parse_u32(argv[1], &cpu) || cpu >= CONFIG_MAX_CPUS ||
	    !(online_mask() & (1ULL << cpu))) {
		shell_error("no online cpu '%s'", argv[1]);
		return -EINVAL;
	}
	/* Most urgent, so it runs at once whatever that CPU is doing. */
	if (!st_spawn_into(&t, &v, name, cpu, worker, NULL, 0, 1ULL << cpu))
		return st_result(name, &v);
	/* A panic stops every CPU, this one included, so normally nothing below runs. */
	int err = k_thread_join(&t->thread, K_SECONDS(FAULT_WAIT_S));

	if (err) {
		/* The thread is stuck on its halted CPU: its memory stays allocated. */
		st_fail(&v, "cpu %u panicked but cpu %u kept running for %u s", (unsigned)cpu,
			cpu_id(), FAULT_WAIT_S);
	} else {
		k_stack_free(t->stack);
		k_free(t);
		st_fail(&v, "%s", what);
	}
	return st_result(name, &v);
}

static int cmd_fault(int argc, char **argv)
{
	return crash_on_cpu(argc, argv, "fault", fault_worker, "the load did not fault");
}

static int cmd_overflow(int argc, char **argv)
{
	return crash_on_cpu(argc, argv, "overflow", overflow_worker,
			    "the thread ran off its stack without a fault");
}

/* --- heap ------------------------------------------------------------------------------------- */

#define HEAP_SLOTS	 32
#define HEAP_ROUNDS	 10000
#define HEAP_MAX_SIZE	 2048
#define PAGE_SLOTS	 8
#define PAGE_ROUNDS	 1000
#define PAGE_MAX_ORDER	 4
#define HEAP_THREADS_CPU 2

struct heap_arg {
	unsigned id;
	unsigned allocs, page_allocs;
	unsigned nulls;	     /* allocations that failed */
	unsigned corrupt;    /* blocks whose contents changed while owned */
	unsigned misaligned; /* blocks not aligned as asked */
	unsigned not_zeroed; /* k_calloc blocks with a nonzero byte */
};

/* Every byte of a block gets a value derived from its owner, slot and round, so a block that
 * overlaps another (two CPUs handed the same memory) shows up when it is checked before free. */
static uint8_t fill_byte(unsigned id, unsigned slot, unsigned round, size_t i)
{
	return (uint8_t)(id * 131u + slot * 31u + round * 7u + i);
}

static void fill(uint8_t *p, size_t n, unsigned id, unsigned slot, unsigned round)
{
	for (size_t i = 0; i < n; i++)
		p[i] = fill_byte(id, slot, round, i);
}

static bool check(const uint8_t *p, size_t n, unsigned id, unsigned slot, unsigned round)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != fill_byte(id, slot, round, i))
			return false;
	return true;
}

struct heap_slot {
	uint8_t *p;
	size_t size;
	unsigned round;
};

static void heap_free_slot(struct heap_arg *arg, struct heap_slot *s, unsigned i)
{
	if (!check(s->p, s->size, arg->id, i, s->round))
		arg->corrupt++;
	k_free(s->p);
	s->p = NULL;
}

static void heap_alloc_slot(struct heap_arg *arg, struct heap_slot *s, unsigned i, unsigned round,
			    uint64_t r)
{
	size_t size = 1 + (size_t)(r >> 8) % HEAP_MAX_SIZE, align = 0;
	uint8_t *p;

	switch (r & 7) {
	case 0:
		align = (size_t)64 << ((r >> 40) % 6); /* 64 B .. 2 KiB */
		p = k_aligned_alloc(align, size);
		break;
	case 1:
		p = k_calloc(1, size);
		if (p) {
			for (size_t j = 0; j < size; j++) {
				if (p[j]) {
					arg->not_zeroed++;
					break;
				}
			}
		}
		break;
	default:
		p = k_malloc(size);
		break;
	}
	if (!p) {
		arg->nulls++;
		return;
	}
	if ((uintptr_t)p % (align ? align : HEAP_ALIGN))
		arg->misaligned++;
	arg->allocs++;
	fill(p, size, arg->id, i, round);
	s->p = p;
	s->size = size;
	s->round = round;
}

/* Pages: only the first and last word of each page are stamped, to keep it quick. */
static void page_stamp(uint64_t *p, unsigned order, uint64_t tag)
{
	for (size_t pg = 0; pg < (1u << order); pg++) {
		uint64_t *w = p + pg * (ST_PAGE_SIZE / 8);

		w[0] = tag ^ pg;
		w[ST_PAGE_SIZE / 8 - 1] = ~tag ^ pg;
	}
}

static bool page_stamp_ok(const uint64_t *p, unsigned order, uint64_t tag)
{
	for (size_t pg = 0; pg < (1u << order); pg++) {
		const uint64_t *w = p + pg * (ST_PAGE_SIZE / 8);

		if (w[0] != (tag ^ pg) || w[ST_PAGE_SIZE / 8 - 1] != (~tag ^ pg))
			return false;
	}
	return true;
}

static void heap_worker(void *a, void *b)
{
	struct heap_arg *arg = a;
	struct heap_slot slots[HEAP_SLOTS] = {0};
	uint64_t *pages[PAGE_SLOTS] = {0};
	unsigned orders[PAGE_SLOTS] = {0};
	uint64_t seed = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)arg->id << 32) ^ k_uptime_ticks();

	(void)b;
	for (unsigned round = 0; round < HEAP_ROUNDS; round++) {
		uint64_t r = rnd_next(&seed);
		unsigned i = (unsigned)(r % HEAP_SLOTS);

		if (slots[i].p)
			heap_free_slot(arg, &slots[i], i);
		else
			heap_alloc_slot(arg, &slots[i], i, round, r);
	}
	for (unsigned i = 0; i < HEAP_SLOTS; i++)
		if (slots[i].p)
			heap_free_slot(arg, &slots[i], i);

	for (unsigned round = 0; round < PAGE_ROUNDS; round++) {
		uint64_t r = rnd_next(&seed);
		unsigned i = (unsigned)(r % PAGE_SLOTS);
		uint64_t tag = ((uint64_t)arg->id << 48) ^ i;

		if (pages[i]) {
			if (!page_stamp_ok(pages[i], orders[i], tag))
				arg->corrupt++;
			page_free(pages[i]);
			pages[i] = NULL;
			continue;
		}
		orders[i] = (unsigned)((r >> 16) % (PAGE_MAX_ORDER + 1));
		pages[i] = page_alloc(orders[i]);
		if (!pages[i]) {
			arg->nulls++;
			continue;
		}
		if ((uintptr_t)pages[i] % ((uintptr_t)ST_PAGE_SIZE << orders[i]))
			arg->misaligned++;
		arg->page_allocs++;
		page_stamp(pages[i], orders[i], tag);
	}
	for (unsigned i = 0; i < PAGE_SLOTS; i++) {
		if (!pages[i])
			continue;
		if (!page_stamp_ok(pages[i], orders[i], ((uint64_t)arg->id << 48) ^ i))
			arg->corrupt++;
		page_free(pages[i]);
	}
}

static int cmd_heap(int argc, char **argv)
{
	struct heap_arg args[CONFIG_MAX_CPUS * HEAP_THREADS_CPU] = {0};
	struct st_thread *ts[CONFIG_MAX_CPUS * HEAP_THREADS_CPU] = {0};
	struct st_verdict v = {0};
	struct st_mem mem;
	unsigned n = online_count() * HEAP_THREADS_CPU;
	unsigned allocs = 0, page_allocs = 0, nulls = 0, corrupt = 0, misaligned = 0, dirty = 0;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	st_mem_get(&mem);
	for (unsigned i = 0; i < n; i++) {
		args[i].id = i;
		st_spawn_into(&ts[i], &v, "st-heap", i, heap_worker, &args[i], ST_PRIO,
			      1ULL << nth_cpu(i % online_count()));
	}
	st_join_all(ts, n, &v);
	for (unsigned i = 0; i < n; i++) {
		allocs += args[i].allocs;
		page_allocs += args[i].page_allocs;
		nulls += args[i].nulls;
		corrupt += args[i].corrupt;
		misaligned += args[i].misaligned;
		dirty += args[i].not_zeroed;
	}
	shell_print("heap: %u threads, %u allocations, %u page blocks", n, allocs, page_allocs);
	shell_print("heap: %u failed, %u corrupted, %u misaligned, %u calloc not zeroed", nulls,
		    corrupt, misaligned, dirty);
	if (nulls)
		st_fail(&v, "%u allocations failed", nulls);
	if (corrupt)
		st_fail(&v, "%u blocks corrupted while owned", corrupt);
	if (misaligned)
		st_fail(&v, "%u blocks misaligned", misaligned);
	if (dirty)
		st_fail(&v, "%u k_calloc blocks not zeroed", dirty);
	st_mem_check("heap", &mem, &v);
	if (!v.failed)
		shell_print("heap: ok");
	return st_result("heap", &v);
}

static const struct shell_cmd selftest_subcmds[] = {
    SHELL_SUBCMD(smp, "", "busy threads on every cpu, pinned and not", cmd_smp),
    SHELL_SUBCMD(sleep, "<ms>", "sleep accuracy and wake-up order", cmd_sleep),
    SHELL_SUBCMD(slice, "[cpu]", "round robin of two equal threads on one cpu", cmd_slice),
    SHELL_SUBCMD(prio, "[cpu]", "preemption of a busy thread by an urgent one", cmd_prio),
    SHELL_SUBCMD(sync, "", "semaphores, mutexes, timeouts and timers across cpus", cmd_sync),
    SHELL_SUBCMD(heap, "", "concurrent heap and page allocations, no leaks", cmd_heap),
    SHELL_SUBCMD(fault, "<cpu> --yes-crash", "crash that cpu on purpose (panic dump)", cmd_fault),
    SHELL_SUBCMD(overflow, "<cpu> --yes-crash", "overflow a thread's stack on that cpu on purpose",
		 cmd_overflow),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(selftest, "exercise the kernel services live", selftest_subcmds);
