/* Test-and-set spinlocks; waiters sleep in WFE and the unlocker wakes them with SEV. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <kernel/spinlock.h>

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t key = arch_irq_save();

	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED))
			wfe();
	}
	return key;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
	dsb(ishst);
	sev();
	arch_irq_restore(key);
}

bool k_spin_is_locked(const struct k_spinlock *l)
{
	return __atomic_load_n(&l->locked, __ATOMIC_RELAXED) != 0;
}
