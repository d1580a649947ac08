/* Counting spinlock stand-ins: stub_spinlock.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <kernel/spinlock.h>
#include "stub_spinlock.h"

int stub_locks_held;

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	assert_int_equal(l->locked, 0);
	l->locked = 1;
	stub_locks_held++;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	assert_int_equal(l->locked, 1);
	l->locked = 0;
	stub_locks_held--;
}
