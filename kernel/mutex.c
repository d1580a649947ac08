/* Recursive mutexes with priority inheritance (see include/kernel/mutex.h). */
#include <errno.h>
#include <kernel/mutex.h>
#include <kernel/sched.h>
#include <kernel/thread.h>

void k_mutex_init(struct k_mutex *m)
{
	m->lock = (struct k_spinlock)K_SPINLOCK_INIT;
	k_wait_q_init(&m->wq);
	m->owner = NULL;
	m->lock_count = 0;
	m->owner_orig_prio = 0;
}

static int min_prio(int a, int b)
{
	return a < b ? a : b;
}

int k_mutex_lock(struct k_mutex *m, k_timeout_t timeout)
{
	bool can_wait = !k_timeout_is_no_wait(timeout) && z_can_block();
	struct k_thread *cur = k_current();
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	if (!m->owner) {
		m->owner = cur;
		m->owner_orig_prio = cur->prio;
		cur->mutexes_held++;
	}
	if (m->owner == cur) {
		m->lock_count++;
		k_spin_unlock(&m->lock, key);
		return 0;
	}
	if (!can_wait) {
		k_spin_unlock(&m->lock, key);
		return -EBUSY;
	}
	if (cur->prio < m->owner->prio)
		z_thread_set_prio(m->owner, cur->prio);

	int ret = z_pend_curr(&m->lock, key, &m->wq, timeout);

	if (ret == 0) {
		/* k_mutex_unlock made this thread the owner. It counts it itself: it may run
		 * before the unlocking thread is done. */
		cur->mutexes_held++;
		return 0;
	}

	/* Timed out: the owner keeps only the boost the remaining waiters justify. */
	key = k_spin_lock(&m->lock);
	if (m->owner) {
		int prio = min_prio(m->owner_orig_prio, z_wait_q_best_prio(&m->wq));

		if (prio != m->owner->prio)
			z_thread_set_prio(m->owner, prio);
	}
	z_reschedule_unlock(&m->lock, key);
	return ret;
}

int k_mutex_unlock(struct k_mutex *m)
{
	struct k_thread *cur = k_current();
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	if (m->owner != cur) {
		int err = m->owner ? -EPERM : -EINVAL;

		k_spin_unlock(&m->lock, key);
		return err;
	}
	if (--m->lock_count) {
		k_spin_unlock(&m->lock, key);
		return 0;
	}
	if (cur->prio != m->owner_orig_prio)
		z_thread_set_prio(cur, m->owner_orig_prio);

	struct k_thread *next = z_wake_one(&m->wq, 0);

	cur->mutexes_held--;
	m->owner = next;
	if (next) {
		m->lock_count = 1;
		m->owner_orig_prio = next->prio;
		int waiter = z_wait_q_best_prio(&m->wq);

		if (waiter < next->prio)
			z_thread_set_prio(next, waiter);
	}
	z_reschedule_unlock(&m->lock, key);
	return 0;
}
