/* Counting semaphores. Any context may give; only threads may wait. */
#ifndef KERNEL_SEM_H
#define KERNEL_SEM_H

#include <kernel/spinlock.h>
#include <kernel/timeout.h>
#include <kernel/wait_q.h>

struct k_sem {
	struct k_spinlock lock;
	struct k_wait_q wq; /* non-empty only while count == 0 */
	unsigned count;
	unsigned limit;
};

/* 0, or -EINVAL if limit is 0 or initial > limit. */
int k_sem_init(struct k_sem *s, unsigned initial, unsigned limit);
/* Takes one unit: 0, -EBUSY (none available and K_NO_WAIT, or waiting is impossible: an interrupt
 * handler, IRQs masked, the idle thread), -EAGAIN (timed out or k_sem_reset). */
int k_sem_take(struct k_sem *s, k_timeout_t timeout);
/* Hands the unit to the most urgent waiter, or counts it (up to limit). */
void k_sem_give(struct k_sem *s);
/* Zeroes the count; waiters return -EAGAIN. */
void k_sem_reset(struct k_sem *s);
unsigned k_sem_count_get(const struct k_sem *s);

#endif
