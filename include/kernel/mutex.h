/* Mutexes: owned by one thread, recursive for that owner, with priority inheritance: while a more
 * urgent thread waits, the owner runs at the waiter's priority, and drops back when it unlocks.
 * The inheritance is one level deep and approximate with nested mutexes (like Zephyr's): the owner
 * returns to the priority it had when it took this mutex. Threads only, never interrupts. */
#ifndef KERNEL_MUTEX_H
#define KERNEL_MUTEX_H

#include <kernel/spinlock.h>
#include <kernel/timeout.h>
#include <kernel/wait_q.h>

struct k_thread;

struct k_mutex {
	struct k_spinlock lock;
	struct k_wait_q wq;
	struct k_thread *owner; /* NULL when unlocked */
	unsigned lock_count;	/* recursion depth of owner */
	int owner_orig_prio;	/* owner's priority before any boost through this mutex */
};

void k_mutex_init(struct k_mutex *m);
/* 0 (locked, or locked once more by its owner), -EBUSY (taken and K_NO_WAIT, or the caller cannot
 * wait), -EAGAIN (timed out). */
int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout);
/* 0, -EPERM if another thread owns it, -EINVAL if it is not locked. The last unlock hands the
 * mutex straight to the most urgent waiter. */
int k_mutex_unlock(struct k_mutex *m);

#endif
