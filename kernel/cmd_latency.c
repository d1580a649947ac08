/* `latency`: wake-up latency in the spirit of cyclictest. A thread pinned to one CPU, at the most
 * urgent priority, sleeps until an absolute deadline (a one-shot timer programmed for exactly
 * that counter value), reads the counter when it runs again, and counts the difference; then
 * the next deadline is one period later on a fixed grid, so lateness never accumulates. A
 * wake-up after the next deadline counts the missed periods as overruns and rejoins the grid.
 * `-l CPUS` adds load: a spinning thread at the least urgent priority on each CPU listed, so the
 * same image measures itself natively under load as it is measured beside a busy VM. */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/latency_stats.h>
#include <kernel/stack.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <lib/bits.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>

#define LAT_PRIO	   0 /* above the shell (1): it only sleeps, so it starves nobody */
#define LAT_DEFAULT_N	   10000
#define LAT_DEFAULT_PERIOD 1000 /* us */
#define LAT_MAX_N	   10000000
#define LAT_MIN_PERIOD	   50	   /* us: below this the loop itself is most of the period */
#define LAT_MAX_PERIOD	   1000000 /* us */
#define LAT_HOG_PRIO	   (CONFIG_NUM_PRIORITIES - 2) /* just above idle */

struct lat_run {
	uint32_t samples;
	uint64_t period; /* ticks */
	struct latency_stats stats;
};

/* One run at a time: the shell runs one command at a time and waits for it. */
static struct k_thread lat_thread;
static struct lat_run lat_run;
static struct k_thread hog_threads[CONFIG_MAX_CPUS];
static void *hog_stacks[CONFIG_MAX_CPUS];
static volatile bool hogs_stop;
static uint32_t hogs_started, hogs_wanted;

/* Spins without `yield` once every hog runs. Under QEMU's single-threaded TCG (the icount
 * benchmarks) a yield ends the CPU's turn, so a yielding hog never holds the emulator as a
 * guest's busy loop (a shell `while :`) does, and the wake-ups on other CPUs would not see the
 * load. Until then it yields, so that the other hogs get their CPUs. */
static void hog_loop(void *a, void *b)
{
	(void)a;
	(void)b;
	__atomic_add_fetch(&hogs_started, 1, __ATOMIC_SEQ_CST);
	while (!hogs_stop && __atomic_load_n(&hogs_started, __ATOMIC_SEQ_CST) <
				 __atomic_load_n(&hogs_wanted, __ATOMIC_SEQ_CST))
		cpu_relax();
	while (!hogs_stop) {
	}
}

/* "1,2": CPUs as a mask; 0 on a bad list (the error printed). */
static uint64_t parse_cpus(const char *s)
{
	uint64_t mask = 0;
	uint32_t cpu = 0;
	bool digit = false;

	for (const char *p = s;; p++) {
		if (*p >= '0' && *p <= '9' && cpu < 100) {
			cpu = cpu * 10 + (uint32_t)(*p - '0');
			digit = true;
		} else if ((*p == ',' || !*p) && digit && cpu < cpu_count()) {
			mask |= 1ULL << cpu;
			cpu = 0;
			digit = false;
			if (!*p)
				return mask;
		} else {
			shell_error("latency: -l wants CPUs from 0 to %u, like 1,2; got '%s'",
				    cpu_count() - 1, s);
			return 0;
		}
	}
}

static void lat_loop(void *a, void *b)
{
	struct lat_run *r = a;
	/* Start two periods out, so the first deadline is not already behind us. */
	uint64_t next = k_uptime_ticks() + 2 * r->period;

	(void)b;
	for (uint32_t i = 0; i < r->samples; i++) {
		k_sleep_until(next);
		uint64_t now = k_uptime_ticks();

		latency_stats_add(&r->stats, now - next);
		next += r->period;
		if (next <= now) {
			uint64_t missed = (now - next) / r->period + 1;

			latency_stats_overrun(&r->stats, missed);
			next += missed * r->period;
		}
	}
}

static void print_row(const char *what, const struct latency_stats *s, uint64_t ticks)
{
	shell_print("%-4s %10llu ns %8llu ticks", what,
		    (unsigned long long)latency_ticks_to_ns(s, ticks), (unsigned long long)ticks);
}

static void print_histogram(const struct latency_stats *s)
{
	unsigned last = 0;

	for (unsigned b = 0; b < LAT_BUCKETS; b++)
		if (s->bucket[b])
			last = b;
	shell_print("histogram (wake-up latency, us):");
	for (unsigned b = 0; b <= last; b++) {
		uint64_t lo = latency_bucket_low_ns(b) / 1000;

		if (b == LAT_BUCKETS - 1)
			shell_print("  >= %-12llu %10llu", (unsigned long long)lo,
				    (unsigned long long)s->bucket[b]);
		else
			shell_print("  %5llu - %-5llu %10llu", (unsigned long long)lo,
				    (unsigned long long)latency_bucket_low_ns(b + 1) / 1000,
				    (unsigned long long)s->bucket[b]);
	}
}

/* -n N, -p US, -c CPU: each a number within its bounds. */
static int parse_opt(const char *opt, const char *val, uint32_t lo, uint32_t hi, uint32_t *out)
{
	if (!val || args_parse_u32(val, out) || *out < lo || *out > hi) {
		shell_error("latency: %s wants a number from %u to %u, got '%s'", opt, lo, hi,
			    val ? val : "");
		return -EINVAL;
	}
	return 0;
}

static int cmd_latency(int argc, char **argv)
{
	uint32_t n = LAT_DEFAULT_N, period_us = LAT_DEFAULT_PERIOD, cpu = 0;
	uint64_t load = 0;

	for (int i = 1; i < argc; i += 2) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;
		int err;

		if (!strcmp(argv[i], "-n"))
			err = parse_opt("-n", val, 1, LAT_MAX_N, &n);
		else if (!strcmp(argv[i], "-p"))
			err = parse_opt("-p", val, LAT_MIN_PERIOD, LAT_MAX_PERIOD, &period_us);
		else if (!strcmp(argv[i], "-c"))
			err = parse_opt("-c", val, 0, cpu_count() - 1, &cpu);
		else if (!strcmp(argv[i], "-l"))
			err = (load = parse_cpus(val ? val : "")) ? 0 : -EINVAL;
		else {
			shell_error("latency: unknown option '%s'", argv[i]);
			err = -EINVAL;
		}
		if (err)
			return err;
	}

	struct lat_run *r = &lat_run;

	memset(r, 0, sizeof(*r));
	r->samples = n;
	r->period = k_us_to_ticks(period_us);
	latency_stats_init(&r->stats, arch_timer_freq());
	shell_print(
	    "latency: %u samples, period %u us, cpu %u, counter %llu Hz, load on cpus 0x%llx", n,
	    period_us, cpu, (unsigned long long)arch_timer_freq(), (unsigned long long)load);
	hogs_stop = false;
	hogs_started = 0;
	hogs_wanted = bits_count(load);
	for (unsigned c = 0; c < CONFIG_MAX_CPUS; c++) {
		if (!(load >> c & 1))
			continue;
		memset(&hog_threads[c], 0, sizeof(hog_threads[c]));
		hog_stacks[c] = k_stack_alloc();
		if (!hog_stacks[c] ||
		    k_thread_create(&hog_threads[c], hog_stacks[c], K_STACK_SIZE, hog_loop, NULL,
				    NULL, LAT_HOG_PRIO, 1ULL << c, "lat-load")) {
			k_stack_free(hog_stacks[c]);
			hog_stacks[c] = NULL;
			load &= ~(1ULL << c); /* out of memory: measured without that load */
			__atomic_sub_fetch(&hogs_wanted, 1, __ATOMIC_SEQ_CST);
		}
	}
	memset(&lat_thread, 0, sizeof(lat_thread));
	void *stack = k_stack_alloc();
	int err = !stack ? -ENOMEM
			 : k_thread_create(&lat_thread, stack, K_STACK_SIZE, lat_loop, r, NULL,
					   LAT_PRIO, 1ULL << cpu, "latency");

	if (!err)
		k_thread_join(&lat_thread, K_FOREVER);
	k_stack_free(stack);
	hogs_stop = true;
	for (unsigned c = 0; c < CONFIG_MAX_CPUS; c++)
		if (load >> c & 1) {
			k_thread_join(&hog_threads[c], K_FOREVER);
			k_stack_free(hog_stacks[c]);
			hog_stacks[c] = NULL;
		}
	if (err) {
		shell_error("latency: cannot start the measuring thread (error %d)", err);
		return err;
	}

	const struct latency_stats *s = &r->stats;

	print_row("min", s, s->min);
	print_row("avg", s, latency_stats_avg(s));
	print_row("max", s, s->max);
	shell_print("overruns %llu", (unsigned long long)s->overruns);
	print_histogram(s);
	return 0;
}

SHELL_CMD_REGISTER_ARGS(latency, "[-n N] [-p US] [-c CPU] [-l CPUS]",
			"wake-up latency of a periodic thread (cyclictest-like)", cmd_latency);
