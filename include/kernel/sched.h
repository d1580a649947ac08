/* The scheduler: per-CPU state, the hooks the arch layer calls, and the kernel-internal (z_)
 * interface the thread, wait-queue and timeout code share.
 *
 * Policy: preemptive, priority-based; round robin by time slice among equal priorities. Each CPU
 * has its own run queue of ready threads. A thread that becomes ready is placed by
 * sched_policy_place() on an allowed CPU (an idle one if any, else the one about to run the least
 * urgent thread) and preempts it if more urgent; a CPU with an empty run queue steals the most
 * urgent ready thread allowed on it from the other queues.
 *
 * Locking: one global spinlock, z_sched_lock, protects every run queue, every thread's scheduler
 * fields, every wait queue and every timeout queue. Lock order: kernel object locks (k_sem,
 * k_mutex, ...) -> z_sched_lock -> nothing. printk and anything else that may take another lock
 * must not run under z_sched_lock.
 *
 * Switch protocol (z_swap): the switching CPU holds z_sched_lock with IRQs masked across
 * arch_switch(&prev->ctx, &next->ctx), and the lock is handed over: whatever runs next on that CPU
 * releases it (the code after its own arch_switch call, or the start function of a new thread).
 * So no other CPU can pick prev from a queue, wake it or free its stack before its registers are
 * completely saved. This needs k_spin_lock/k_spin_unlock not to record the owning thread.
 * The running thread is never on a run queue. */
#ifndef KERNEL_SCHED_H
#define KERNEL_SCHED_H

#include <kernel/runq.h>
#include <kernel/spinlock.h>
#include <kernel/timeout.h>
#include <kernel/timeout_q.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct k_thread;
struct k_wait_q;

/* One CPU's scheduler state (struct cpu.sched). Under z_sched_lock except need_resched, which only
 * its own CPU touches, with IRQs masked. */
struct sched_cpu {
	struct runq rq;		    /* ready threads placed on this CPU */
	struct k_thread *current;   /* running thread; NULL until sched_start_cpu */
	struct k_thread *idle;	    /* runs when rq is empty and nothing can be stolen */
	volatile bool need_resched; /* pick again at the next scheduling point */
	bool rotate;	      /* requeue current at the tail of its level (slice over, yield) */
	bool started;	      /* sched_start_cpu ran: it schedules and takes IPIs */
	uint64_t switched_at; /* counter value when current was switched in */
	struct timeout slice; /* end of current's time slice; not armed for the idle thread */
	struct timeout budget_end; /* current's group may run out of budget (kernel/budget.h) */
	uint64_t budget_mark;	   /* counter value when current was last charged */
	struct timeout_q timeouts; /* timeouts armed on this CPU, earliest first */
	uint64_t armed;		   /* deadline programmed into CNTHP; UINT64_MAX: none */
	struct timeout *volatile tmo_running; /* unlocked callback being run (k_timer_stop waits) */
	/* current waits in a way only an interrupt ends (a vCPU in the guest's own WFI): a thread
	 * of its priority made ready here interrupts it (sched_native_wait_begin). */
	volatile bool wake_on_equal;
};

/* --- Hooks for the arch layer ----------------------------------------------------------------- */

/* Once, on the boot CPU, before any thread is created or timeout armed (cpus[] and TPIDR_EL2 set
 * up, the counter usable). */
void sched_init(void);

/* Each CPU's last step of bring-up (the boot CPU too, after creating its first threads), with IRQs
 * masked, on the boot stack: turns the calling context into this CPU's idle thread ("idle/N",
 * priority K_PRIO_IDLE, pinned here), enables IRQs and runs the idle loop (WFI). Never returns.
 * This CPU's GIC (reschedule SGI) and CNTHP interrupt must already be enabled. */
_Noreturn void sched_start_cpu(void);

/* Called by the IRQ exception path (and by a vCPU thread after every exit from its guest)
 * after the handlers ran and the interrupts were ended (EOI), with
 * IRQs masked, on the interrupted thread's stack. Switches to another thread if this CPU needs to
 * reschedule; the interrupted context is resumed (the call returns) when that thread is picked
 * again, possibly on another CPU. Cheap when there is nothing to do. */
void sched_irq_exit(void);

/* The reschedule SGI handler (smp_send_resched), interrupt context: marks this CPU as needing to
 * reschedule; sched_irq_exit does the switch. */
void sched_resched_ipi(void);

/* For the current thread, about to run code that waits without yielding (a dedicated vCPU
 * entering a guest whose WFI is not trapped), IRQs masked: false when a thread as urgent as it
 * is already queued on this CPU (then make the wait yield: trap WFI); else true, and until
 * sched_native_wait_end a thread of its priority made ready on this CPU makes it reschedule (the
 * reschedule SGI from another CPU; from this one, in its exit handler, need_resched), so it
 * re-enters with WFI trapped and yields at its next wait. */
bool sched_native_wait_begin(void);
void sched_native_wait_end(void);

/* --- Kernel-internal interface (callers hold z_sched_lock unless stated) ---------------------- */

struct lock_stats;
extern struct k_spinlock z_sched_lock;
/* Its contention statistics while `kernel sched on`, else NULL (docs/scheduling.md). */
extern struct lock_stats *volatile z_sched_lock_stats;

static inline k_spinlock_key_t z_sched_lock_take(void)
{
	return k_spin_lock_counted(&z_sched_lock, z_sched_lock_stats);
}

static inline void z_sched_lock_give(k_spinlock_key_t key)
{
	k_spin_unlock_counted(&z_sched_lock, key, z_sched_lock_stats);
}

#define z_container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* Makes a thread that has no Z_T_BLOCKED bit eligible to run: places it on a CPU (the head of its
 * level if at_head) and, if it should preempt there, asks that CPU to reschedule. Does nothing for
 * a thread already queued or running. */
void z_ready(struct k_thread *t, bool at_head);
/* Takes t off its run queue, if it is on one. */
void z_unready(struct k_thread *t);
/* Is t the current thread of some CPU? */
bool z_is_running(const struct k_thread *t);
/* The calling CPU's current thread. */
struct k_thread *z_current_locked(void);
/* Makes cpu pick again at its next scheduling point (IPI for another CPU). */
void z_resched_cpu(unsigned cpu);
/* Switches away from the current thread if this CPU needs to or must (the current thread blocked);
 * returns when the current thread runs again, with z_sched_lock released with key. Returns whether
 * a switch happened. */
bool z_swap(k_spinlock_key_t key);
/* Pends the current thread on wq (NULL: just sleeps) until its deadline; z_swap() does the rest. */
void z_pend_locked(struct k_wait_q *wq, k_timeout_t timeout);
/* Wakes t from its wait or sleep with retval. */
void z_unpend(struct k_thread *t, int retval);
unsigned z_wake_all_locked(struct k_wait_q *wq, int retval);
/* Changes t's effective priority, keeping queues ordered and preemption right. */
void z_set_prio_locked(struct k_thread *t, int prio);
/* Same, taking z_sched_lock itself (for the mutex priority boost). */
void z_thread_set_prio(struct k_thread *t, int prio);
/* May the caller block? A thread with IRQs enabled that is not an idle thread. No lock needed. */
bool z_can_block(void);

/* Initialises the scheduler fields of a new thread (not yet ready, not yet listed). */
void z_thread_sched_init(struct k_thread *t, int prio, uint64_t cpu_mask);

/* Implemented by kernel/thread.c. */
/* Adds t to the list k_thread_foreach walks. */
void z_thread_register(struct k_thread *t);
/* Marks t dead: off every queue and timeout, out of the thread list, joiners woken. */
void z_thread_finalize(struct k_thread *t);

/* A copy of the scheduler lock's contention statistics (kernel/lock_stats.h). count: -1 leaves
 * counting as it is; 1 starts (or restarts) it from zero; 0 stops it and clears the counts. */
struct lock_stats;
void sched_lock_stats(struct lock_stats *out, int count);

#endif
