/* Spinlocks that also mask interrupts on the local CPU, Zephyr style: the key returned by
 * k_spin_lock() holds the previous interrupt mask and is handed back to k_spin_unlock(). */
#ifndef KERNEL_SPINLOCK_H
#define KERNEL_SPINLOCK_H

#include <stdbool.h>
#include <stdint.h>

struct lock_stats;

struct k_spinlock {
	volatile uint32_t locked;
};

typedef uint64_t k_spinlock_key_t;

#define K_SPINLOCK_INIT                                                                            \
	{                                                                                          \
		0                                                                                  \
	}

k_spinlock_key_t k_spin_lock(struct k_spinlock *l);
void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key);
/* The same for a caller that has interrupts masked already and keeps them so (an exception
 * handler's hot path): there is no mask to save. */
void k_spin_acquire(struct k_spinlock *l);
void k_spin_release(struct k_spinlock *l);
bool k_spin_is_locked(const struct k_spinlock *l);
/* Takes the lock if it is free, without touching the interrupt mask: for the panic path,
 * which has interrupts masked already and never gives it back. */
bool k_spin_trylock(struct k_spinlock *l);
/* As above, counting contention into s when s is not NULL (kernel/lock_stats.h). */
k_spinlock_key_t k_spin_lock_counted(struct k_spinlock *l, struct lock_stats *s);
void k_spin_unlock_counted(struct k_spinlock *l, k_spinlock_key_t key, struct lock_stats *s);

#endif
