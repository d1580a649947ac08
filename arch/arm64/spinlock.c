/* Test-and-set spinlocks; waiters sleep in WFE and the unlocker wakes them with SEV. */
#include <arch/el.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <kernel/lock_stats.h>
#include <kernel/spinlock.h>

/* The lock mark (DAIF.F, arch/irq.h) set here stays until the caller's own key restore: a
 * release cannot know whether an outer lock still holds it. */
void k_spin_acquire(struct k_spinlock *l)
{
	arch_lock_mark();
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			wfe();
	}
}

void k_spin_release(struct k_spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	dsb(ishst);
	sev();
}

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t key = arch_lock_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			wfe();
	}
	return key;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	k_spin_release(l);
	arch_irq_restore(key);
}

/* The counted variants (only the scheduler's lock uses them): with s set, the counter is read
 * when the lock is asked for, taken and released; a lock taken at once reads it twice. */
k_spinlock_key_t k_spin_lock_counted(struct k_spinlock *l, struct lock_stats *s)
{
	k_spinlock_key_t key;
	uint64_t asked, now;

	if (!s)
		return k_spin_lock(l);
	key = arch_lock_save();
	asked = now = read_sysreg(EL_COUNTER);
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		do {
			while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
				wfe();
		} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
		now = read_sysreg(EL_COUNTER);
		if (now == asked)
			now++; /* it did wait */
	}
	lock_stats_acquired(s, asked, now);
	return key;
}

void k_spin_unlock_counted(struct k_spinlock *l, k_spinlock_key_t key, struct lock_stats *s)
{
	if (s)
		lock_stats_released(s, read_sysreg(EL_COUNTER));
	k_spin_unlock(l, key);
}

bool k_spin_trylock(struct k_spinlock *l)
{
	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		return false;
	arch_lock_mark();
	return true;
}

bool k_spin_is_locked(const struct k_spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
