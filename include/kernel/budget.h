/* CPU budgets: at most `budget` ticks of CPU in every `period`, shared by a group of threads
 * (a VM's vCPUs), so an urgent thread that spins cannot starve everything below it forever.
 *
 * The server is a deferrable server: the budget is refilled to its full size at the start of
 * every period (unused budget is not carried over); a thread that waits keeps the rest of the
 * budget for later in the period. When the group has used it up, its threads are not runnable
 * until the next period ("throttled"). docs/scheduling.md says what this guarantees.
 *
 * struct budget_acct is the pure bookkeeping (kernel/budget.c, unit-tested); struct k_budget
 * ties it to the scheduler (kernel/sched_budget.c). */
#ifndef KERNEL_BUDGET_H
#define KERNEL_BUDGET_H

#include <kernel/timeout.h>
#include <stdbool.h>
#include <stdint.h>

struct budget_acct {
	uint64_t budget, period; /* ticks */
	uint64_t used;		 /* in the current period */
	uint64_t period_end;	 /* when the next refill is due */
	uint64_t throttles;	 /* periods in which the group ran out */
	bool throttled;
};

void budget_acct_init(struct budget_acct *a, uint64_t budget, uint64_t period, uint64_t now);
/* What is left of the current period's budget. */
uint64_t budget_left(const struct budget_acct *a);
/* Charges ticks of CPU; true when this charge used the budget up (the group must stop). */
bool budget_charge(struct budget_acct *a, uint64_t ticks);
/* At now >= period_end: starts the period now falls in (periods the timer missed are
 * skipped), with the full budget. True when that ends a throttle (the group may run again). */
bool budget_refill(struct budget_acct *a, uint64_t now);

/* ---- The scheduler side (kernel/sched_budget.c) ---- */

/* A VM's group: its vCPUs (VM_MAX_VCPUS) and its devices' worker threads. */
#define K_BUDGET_THREADS 16

struct k_thread;
struct sched_cpu;

struct k_budget {
	struct budget_acct acct; /* under z_sched_lock */
	struct timeout refill;	 /* at acct.period_end, on the CPU that started it */
	struct k_thread *threads[K_BUDGET_THREADS];
	unsigned nthreads;
	bool active;
	bool held; /* not enforced for now (k_budget_hold): charged, never throttled */
};

/* Starts enforcing budget_ticks in every period_ticks for the threads attached later. */
void k_budget_start(struct k_budget *b, uint64_t budget_ticks, uint64_t period_ticks);
/* Puts t under b (at most K_BUDGET_THREADS threads): 0, or -ENOSPC. */
int k_budget_attach(struct k_budget *b, struct k_thread *t);
/* Stops enforcing: every thread is released (made runnable again if it was throttled) and
 * detached. Before the threads are stopped or freed. */
void k_budget_stop(struct k_budget *b);
/* While held, the group is charged but not throttled, and throttled threads may run: a VM
 * that is paused, reset or stopped needs its vCPU threads to run to where they park, which a
 * throttled group would do only at the refill (up to a period later). Releasing the hold
 * throttles the group again if its budget is still used up. */
void k_budget_hold(struct k_budget *b, bool hold);
/* A consistent copy of the bookkeeping, for display. */
void k_budget_read(struct k_budget *b, struct budget_acct *out);

/* True when the group keeps its threads off the CPU until the refill. z_sched_lock held. */
static inline bool z_budget_throttled(const struct k_budget *b)
{
	return b && b->acct.throttled && !b->held;
}

/* Scheduler hooks, z_sched_lock held, on the CPU concerned: at every switch, and from the
 * per-CPU budget timer (sched_cpu.budget_end). */
void z_budget_switch(struct sched_cpu *sc, struct k_thread *prev, struct k_thread *next,
		     uint64_t now);
void z_budget_end_expired(struct timeout *tmo);

#endif
