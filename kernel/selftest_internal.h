/* Internal to the `selftest` command's files (kernel/cmd_selftest.c, kernel/selftest_*.c): the
 * verdict every subcommand prints, worker threads with their own stacks, allocator usage
 * before/after, and the online CPUs. */
#ifndef KERNEL_SELFTEST_INTERNAL_H
#define KERNEL_SELFTEST_INTERNAL_H

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
/* A wake-up this late (sleep, a semaphore's timeout) is a timing failure. */
#define SLEEP_MAX_LATE_US 20000
#define ST_PAGE_SIZE	  4096

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

struct st_mem {
	size_t heap, pages;
};

/* The verdict: the first failure is kept, a real one replaces a timing one (see st_verdict). */
__attribute__((format(printf, 2, 3))) void st_fail(struct st_verdict *v, const char *fmt, ...);
__attribute__((format(printf, 2, 3))) void st_fail_timing(struct st_verdict *v, const char *fmt,
							  ...);
/* Prints "selftest NAME: PASS" or "... FAIL <why>"; 0 or -EIO. */
int st_result(const char *name, const struct st_verdict *v);

/* Worker threads (struct and stack from the allocators, given back by the joins). */
struct st_thread *st_spawn(const char *name, unsigned n, void (*entry)(void *, void *), void *a,
			   int prio, uint64_t cpu_mask);
uint64_t st_join_deadline(void);
void st_join_until(struct st_thread *st, uint64_t deadline, struct st_verdict *v);
void st_join(struct st_thread *st, struct st_verdict *v);
void st_join_all(struct st_thread **sts, unsigned n, struct st_verdict *v);
bool st_spawn_into(struct st_thread **slot, struct st_verdict *v, const char *name, unsigned n,
		   void (*entry)(void *, void *), void *a, int prio, uint64_t cpu_mask);

/* Allocator usage; st_mem_check fails v on any difference (a leak or a double free). */
void st_mem_get(struct st_mem *m);
void st_mem_check(const char *name, const struct st_mem *before, struct st_verdict *v);

/* Online CPUs; st_parse_cpu_arg takes an optional online CPU in argv[1] (else dflt), and
 * st_spare_cpu is a CPU other than the shell's when there is one. */
uint64_t st_online_mask(void);
unsigned st_online_count(void);
unsigned st_nth_cpu(unsigned n);
int st_parse_cpu_arg(int argc, char **argv, unsigned dflt, unsigned *cpu);
unsigned st_spare_cpu(void);
/* xorshift64: enough to vary sizes and orders, no FP. */
uint64_t st_rnd_next(uint64_t *s);

/* The subcommands. */
int selftest_smp(int argc, char **argv);
int selftest_sleep(int argc, char **argv);
int selftest_slice(int argc, char **argv);
int selftest_prio(int argc, char **argv);
int selftest_sync(int argc, char **argv);
int selftest_fault(int argc, char **argv);
int selftest_overflow(int argc, char **argv);
int selftest_heap(int argc, char **argv);

#endif
