/* Wait queues: threads blocked on a kernel object, most urgent first (FIFO among equals).
 *
 * Objects built on them (semaphores, mutexes, a vCPU waiting for an interrupt) follow one pattern:
 * take the object's own spinlock, look at its state, and either change it or block with
 * z_pend_curr(), which releases that spinlock atomically with going to sleep, so a waker that takes
 * the same spinlock cannot miss the sleeper. Wakers call z_wake_one/z_wake_all under their lock,
 * then z_reschedule_unlock(). Every wait queue is protected by z_sched_lock (which the calls below
 * take themselves); lock order: object lock -> z_sched_lock. */
#ifndef KERNEL_WAIT_Q_H
#define KERNEL_WAIT_Q_H

#include <kernel/runq.h>
#include <kernel/spinlock.h>
#include <kernel/timeout.h>

struct k_thread;

struct k_wait_q {
	struct rq_list waiters;
};

void k_wait_q_init(struct k_wait_q *wq);

/* Blocks the calling thread on wq until woken or until timeout. Call it holding `lock` (taken with
 * k_spin_lock, which returned key; it may be z_sched_lock itself): the lock is released once the
 * thread is on wq and IRQs return to the state in key when the thread runs again. Returns the value
 * the waker passed (0 by convention), -EAGAIN on timeout (at once for K_NO_WAIT). Thread context
 * only: never from an interrupt handler or the idle thread. */
int z_pend_curr(struct k_spinlock *lock, k_spinlock_key_t key, struct k_wait_q *wq,
		k_timeout_t timeout);

/* Wakes the most urgent waiter, which returns retval from z_pend_curr; returns it, or NULL if wq
 * was empty. Any context. The woken thread may preempt a CPU (see z_reschedule_unlock). */
struct k_thread *z_wake_one(struct k_wait_q *wq, int retval);
/* Wakes every waiter; returns how many. */
unsigned z_wake_all(struct k_wait_q *wq, int retval);
/* Priority of the most urgent waiter, or CONFIG_NUM_PRIORITIES if none. */
int z_wait_q_best_prio(struct k_wait_q *wq);

/* Releases lock, then, in thread context, switches right away if a wakeup made this CPU need to
 * reschedule (in an interrupt handler, or with IRQs still masked by an outer lock, the switch
 * waits for the interrupt exit or the next scheduling point). */
void z_reschedule_unlock(struct k_spinlock *lock, k_spinlock_key_t key);

#endif
