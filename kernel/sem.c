/* Counting semaphores on wait queues (see include/kernel/sem.h). */
#include <errno.h>
#include <kernel/sched.h>
#include <kernel/sem.h>

int k_sem_init(struct k_sem *s, unsigned initial, unsigned limit)
{
	if (!limit || initial > limit)
		return -EINVAL;
	s->lock = (struct k_spinlock)K_SPINLOCK_INIT;
	k_wait_q_init(&s->wq);
	s->count = initial;
	s->limit = limit;
	return 0;
}

int k_sem_take(struct k_sem *s, k_timeout_t timeout)
{
	/* Before the lock: holding it masks IRQs, which would hide an interrupt context. */
	bool can_wait = !k_timeout_is_no_wait(timeout) && z_can_block();
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	if (s->count) {
		s->count--;
		k_spin_unlock(&s->lock, key);
		return 0;
	}
	if (!can_wait) {
		k_spin_unlock(&s->lock, key);
		return -EBUSY;
	}
	return z_pend_curr(&s->lock, key, &s->wq, timeout);
}

void k_sem_give(struct k_sem *s)
{
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	if (!z_wake_one(&s->wq, 0) && s->count < s->limit)
		s->count++;
	z_reschedule_unlock(&s->lock, key);
}

void k_sem_reset(struct k_sem *s)
{
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	s->count = 0;
	z_wake_all(&s->wq, -EAGAIN);
	z_reschedule_unlock(&s->lock, key);
}

unsigned k_sem_count_get(const struct k_sem *s)
{
	return __atomic_load_n(&s->count, __ATOMIC_RELAXED);
}
