/* Kernel threads. Callers own the struct k_thread and the stack; both must stay valid until the
 * thread is dead and k_thread_join() has returned (or k_thread_abort() returned from a thread).
 *
 * Priorities: 0 is the most urgent, K_PRIO_LOWEST the least urgent a thread may have; the level
 * below it belongs to the idle threads. Equal priorities share a CPU by time slices
 * (CONFIG_TIMESLICE_MS); a more urgent thread preempts at once. */
#ifndef KERNEL_THREAD_H
#define KERNEL_THREAD_H

#include <arch/context.h>
#include <kernel/config.h>
#include <kernel/runq.h>
#include <kernel/timeout.h>
#include <kernel/wait_q.h>
#include <stddef.h>
#include <stdint.h>

struct k_recover;

#define K_PRIO_IDLE	   (CONFIG_NUM_PRIORITIES - 1)
#define K_PRIO_LOWEST	   (CONFIG_NUM_PRIORITIES - 2)
#define K_THREAD_STACK_MIN 2048
#define K_THREAD_NAME_MAX  24 /* bytes kept by k_thread_foreach, NUL included */

/* Thread state bits (z_ internal; k_thread_state_str() gives the printable state). A thread runs
 * when none of the Z_T_BLOCKED bits is set; it is on a run queue iff Z_T_QUEUED. */
#define Z_T_PENDING   (1u << 0) /* sleeping, or waiting on wait_q (with an optional timeout) */
#define Z_T_SUSPENDED (1u << 1) /* k_thread_suspend(), until k_thread_resume() */
#define Z_T_ABORTING  (1u << 2) /* aborted while running on another CPU; dies at its next switch */
#define Z_T_DEAD      (1u << 3)
#define Z_T_QUEUED    (1u << 4)
#define Z_T_IDLE      (1u << 5) /* a CPU's idle thread: never queued, never blocks */
#define Z_T_BLOCKED   (Z_T_PENDING | Z_T_SUSPENDED | Z_T_ABORTING | Z_T_DEAD)

struct k_budget;

struct k_thread {
	struct arch_context ctx; /* saved registers while switched out */
	/* Scheduler state, under z_sched_lock. */
	struct rq_node qnode;	 /* on a run queue (Z_T_QUEUED) or on wait_q, never both */
	struct timeout tmo;	 /* sleep or pend timeout */
	struct k_wait_q *wait_q; /* queue pended on; NULL when sleeping or not pending */
	int swap_retval;	 /* what z_pend_curr returns: set by the waker or the timeout */
	unsigned flags;		 /* Z_T_* */
	int prio;		 /* effective priority (a mutex may boost it) */
	int base_prio;		 /* as last set by k_thread_create / k_thread_set_priority */
	uint64_t cpu_mask;	 /* CPUs it may run on */
	int cpu;		 /* CPU it runs on, is queued on, or last ran on; -1 before that */
	uint64_t runtime;	 /* ticks spent running, up to its last switch-out */
	struct k_budget *budget; /* the CPU budget it shares, or NULL (kernel/budget.h) */
	struct k_thread *next_all; /* in the list k_thread_foreach walks (live threads only) */
	struct k_wait_q join_q;	   /* woken when it dies */
	struct k_wait_q halt_q;	   /* woken when it is switched out while suspended */
	/* Set at creation, constant afterwards. */
	void (*entry)(void *a, void *b);
	void *a, *b;
	void *stack;
	size_t stack_size;
	const char *name;
	/* Optional, set before k_thread_create (which keeps them): called by the scheduler with
	 * its lock held and IRQs masked, right before the thread leaves a CPU and right after it
	 * is back on one. A vCPU thread saves and restores its guest's EL1 state here. */
	void (*switch_out)(struct k_thread *t);
	void (*switch_in)(struct k_thread *t);
	/* Optional, set before k_thread_create (which keeps it): the recovery point of the work
	 * it runs for a guest, armed by k_call_recoverable (kernel/recover.h). */
	struct k_recover *recover;
	/* k_mutexes it owns: an EL2 fault with one held cannot be recovered from. Only the
	 * thread itself changes it (k_mutex_lock, also when handed a mutex; k_mutex_unlock). */
	unsigned mutexes_held;
};

/* Creates a thread and makes it ready at once: it runs entry(a, b) and dies when entry returns.
 * stack: at least K_THREAD_STACK_MIN bytes. prio: 0..K_PRIO_LOWEST. cpu_mask: bit n allows CPU n,
 * 0 allows every CPU. name: kept by pointer. Returns 0, -EINVAL for a bad argument, -EBUSY if t
 * is a live thread. */
int k_thread_create(struct k_thread *t, void *stack, size_t stack_size,
		    void (*entry)(void *a, void *b), void *a, void *b, int prio, uint64_t cpu_mask,
		    const char *name);

/* The calling thread. */
struct k_thread *k_current(void);
/* Lets another ready thread of the same (or a more urgent) priority run first. */
void k_yield(void);
/* Exception context (a trap from a guest): when t, just made ready, is queued on this CPU at
 * the interrupted thread's priority, first in line there, that thread yields to it at the
 * exception's exit (see sched_need_resched) instead of keeping the CPU until it blocks or its slice
 * ends. A VM's vCPU hands its CPU to its own device worker this way: the work it just asked for
 * starts now, and its guest goes on afterwards while the device is busy. True when it will yield.
 */
bool k_yield_to(struct k_thread *t);
/* Sleep; the wakeup is at the first timer interrupt at or after the deadline. */
void k_sleep(k_timeout_t timeout);
void k_sleep_ms(uint32_t ms);
void k_sleep_until(uint64_t ticks); /* absolute counter value */

/* Stops t from running until k_thread_resume(t), whatever it is doing; a thread that is waiting
 * keeps waiting and stays suspended when its wait ends. If t runs on another CPU, that CPU is
 * interrupted and, when the caller is a thread (IRQs enabled), the call returns only once t is
 * switched out, so its saved state is stable. t may be the caller. Returns 0, or -EINVAL for a
 * dead thread or an idle thread. */
int k_thread_suspend(struct k_thread *t);
/* Returns 0 (also if t was not suspended), or -EINVAL for a dead thread. */
int k_thread_resume(struct k_thread *t);

/* Kills t (it may be the caller, then it does not return). If t runs on another CPU it dies at that
 * CPU's next scheduling point, which the call forces with an IPI; from thread context the call
 * waits for that. Mutexes held by t stay locked. Returns 0, or -EINVAL for an idle thread. */
int k_thread_abort(struct k_thread *t);
/* Waits until t is dead; afterwards its struct and stack are free to reuse. Returns 0, -EBUSY
 * (K_NO_WAIT and still alive, or called from an interrupt), -EAGAIN on timeout, -EDEADLK if t
 * is the caller. */
int k_thread_join(struct k_thread *t, k_timeout_t timeout);

/* Sets the base priority (dropping any boost a mutex gave it). 0, or -EINVAL. */
int k_thread_set_priority(struct k_thread *t, int prio);
int k_thread_priority(const struct k_thread *t);
/* Lends t at least prio's urgency (0..K_PRIO_LOWEST), for a thread that waits for t: raises t's
 * running priority, never lowers it (a boost or a priority a mutex gave it stays) and leaves
 * its base alone. What ends a boost or gives a mutex back restores the priority it saved, so
 * the loan may go at those points: a waiter lends again as it looks. k_thread_set_priority
 * (to the base) takes it back. 0, or -EINVAL (a bad prio, a dead or idle thread). */
int k_thread_raise(struct k_thread *t, int prio);
/* A priority ceiling for a section of the current thread: it runs at least as urgently as prio
 * (0..K_PRIO_LOWEST) until k_thread_unboost(the value returned), which gives back the priority
 * it had before, whatever was set in between. So a k_mutex may be taken and given back inside
 * the section, but none held across its start or end (a waiter's lent priority would go). */
int k_thread_boost(int prio);
void k_thread_unboost(int prio);

/* A snapshot of one thread, copied under the scheduler lock. */
struct k_thread_info {
	char name[K_THREAD_NAME_MAX];
	const char *state; /* "running", "ready", "pending", "sleeping", "suspended" */
	int prio;
	int cpu; /* running or queued there, else where it last ran; -1: never ran */
	uint64_t cpu_mask;
	uint64_t runtime_ticks; /* time it has run, the current run included */
};

/* Calls cb for every live thread (idle threads included), holding no lock, so cb may print or
 * block; threads created or dying meanwhile may be missed. t may die while cb runs: read it only
 * through k_thread_get_info. */
void k_thread_foreach(void (*cb)(struct k_thread *t, void *arg), void *arg);
/* Fills info if t is a live thread: 0, or -ESRCH (t is dead or not a thread; t is only compared,
 * never dereferenced, then). */
int k_thread_get_info(const struct k_thread *t, struct k_thread_info *info);
/* Printable state of t; call with z_sched_lock held for a stable answer. */
const char *k_thread_state_str(const struct k_thread *t);

#endif
