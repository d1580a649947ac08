/* Test-and-set spinlocks; waiters sleep in WFE and the unlocker wakes them with SEV. */
#include <arch/el.h>
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <kernel/lock_stats.h>
#include <kernel/spinlock.h>

/* A lock with statistics (only the scheduler's): the counter is read when it is asked for,
 * taken and released; a lock taken at once reads it twice. */
static k_spinlock_key_t lock_counted(struct k_spinlock *l, k_spinlock_key_t key)
{
	uint64_t asked = read_sysreg(EL_COUNTER), now = asked;

	if (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		do {
			while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
				wfe();
		} while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE));
		now = read_sysreg(EL_COUNTER);
		if (now == asked)
			now++; /* it did wait */
	}
	lock_stats_acquired(l->stats, asked, now);
	return key;
}

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t key = arch_irq_save();

	if (l->stats)
		return lock_counted(l, key);
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			wfe();
	}
	return key;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	if (l->stats)
		lock_stats_released(l->stats, read_sysreg(EL_COUNTER));
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	dsb(ishst);
	sev();
	arch_irq_restore(key);
}

bool k_spin_is_locked(const struct k_spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
