/* The `selftest` subcommands' shared helpers (kernel/selftest_internal.h). */
#include "selftest_internal.h"

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

void st_fail(struct st_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vfail(v, false, fmt, ap);
	va_end(ap);
}

void st_fail_timing(struct st_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	st_vfail(v, true, fmt, ap);
	va_end(ap);
}

int st_result(const char *name, const struct st_verdict *v)
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
struct st_thread *st_spawn(const char *name, unsigned n, void (*entry)(void *, void *), void *a,
			   int prio, uint64_t cpu_mask)
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

uint64_t st_join_deadline(void)
{
	return k_uptime_ticks() + k_ms_to_ticks(ST_JOIN_LIMIT_MS);
}

/* Waits for st to end and frees it. A thread still alive at deadline is aborted, so that its
 * memory can still be freed; that counts as a failure. NULL is ignored. */
void st_join_until(struct st_thread *st, uint64_t deadline, struct st_verdict *v)
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

void st_join(struct st_thread *st, struct st_verdict *v)
{
	st_join_until(st, st_join_deadline(), v);
}

/* One deadline for the group: stuck threads do not add up their limits. */
void st_join_all(struct st_thread **sts, unsigned n, struct st_verdict *v)
{
	uint64_t deadline = st_join_deadline();

	for (unsigned i = 0; i < n; i++) {
		st_join_until(sts[i], deadline, v);
		sts[i] = NULL;
	}
}

/* Spawns into sts[i]; a failure is recorded in v and leaves sts[i] NULL. */
bool st_spawn_into(struct st_thread **slot, struct st_verdict *v, const char *name, unsigned n,
		   void (*entry)(void *, void *), void *a, int prio, uint64_t cpu_mask)
{
	*slot = st_spawn(name, n, entry, a, prio, cpu_mask);
	if (!*slot)
		st_fail(v, "cannot create thread %s/%u", name, n);
	return *slot != NULL;
}

void st_mem_get(struct st_mem *m)
{
	struct mem_stats s;

	k_heap_stats(&s);
	m->heap = s.used;
	page_alloc_stats(&s);
	m->pages = s.used;
}

/* Prints the usage change since before; a difference is a leak (or a double free). */
void st_mem_check(const char *name, const struct st_mem *before, struct st_verdict *v)
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

uint64_t st_online_mask(void)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++)
		if (cpus[i].online)
			m |= 1ULL << i;
	return m;
}

unsigned st_online_count(void)
{
	return bits_count(st_online_mask());
}

/* The n-th online CPU (n counted from 0). */
unsigned st_nth_cpu(unsigned n)
{
	uint64_t m = st_online_mask();

	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		if ((m & (1ULL << i)) && n-- == 0)
			return i;
	}
	return 0;
}

/* Optional CPU argument: argv[1] if present and online, else dflt. */
int st_parse_cpu_arg(int argc, char **argv, unsigned dflt, unsigned *cpu)
{
	uint32_t v;

	*cpu = dflt;
	if (argc < 2)
		return 0;
	if (argc > 2 || args_parse_u32(argv[1], &v) || v >= CONFIG_MAX_CPUS ||
	    !(st_online_mask() & (1ULL << v)))
		return -EINVAL;
	*cpu = v;
	return 0;
}

/* A CPU other than 0 when there is one, so the shell's CPU stays free to print. */
unsigned st_spare_cpu(void)
{
	return st_online_count() > 1 ? st_nth_cpu(1) : st_nth_cpu(0);
}

uint64_t st_rnd_next(uint64_t *s)
{
	/* xorshift64: enough to vary sizes and orders, no FP. */
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*s = x;
	return x;
}
