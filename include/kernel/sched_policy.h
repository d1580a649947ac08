/* The scheduler's placement decision as a pure function, so it can be tested on the host: which CPU
 * gets a thread that just became ready, and whether it preempts the thread running there. */
#ifndef KERNEL_SCHED_POLICY_H
#define KERNEL_SCHED_POLICY_H

#include <stdbool.h>
#include <stdint.h>

/* What the policy sees of one CPU (a snapshot taken under the scheduler lock). */
struct sched_cpu_view {
	bool online;	 /* its scheduler runs (sched_start_cpu was called there) */
	int cur_prio;	 /* priority of the running thread; the idle thread has the least urgent */
	int best_queued; /* most urgent queued priority, CONFIG_NUM_PRIORITIES if none is queued */
	unsigned nr_queued;
};

/* Picks a CPU for a ready thread allowed on the CPUs in mask, among views[0..n).
 * Among the online allowed CPUs it takes the one whose next thread is least urgent, that is the
 * largest min(cur_prio, best_queued), so an idle CPU with nothing queued wins; ties go to the CPU
 * with fewer queued threads, then to last_cpu (warm caches; -1 if none), then to the lowest id.
 * With no online allowed CPU it returns the lowest allowed one (the thread waits there until that
 * CPU starts), and -1 when mask allows none of the n CPUs. */
int sched_policy_place(const struct sched_cpu_view *views, unsigned n, uint64_t mask, int last_cpu);

/* A ready thread preempts a running one only if strictly more urgent: equals take turns by time
 * slice instead. */
static inline bool sched_policy_preempts(int prio, int running_prio)
{
	return prio < running_prio;
}

#endif
