/* Host stand-ins for the kernel's spinlocks (stub_spinlock.c) that count what is held, so a
 * test can say which locks a callback runs under. Single-threaded: a nested take of one lock
 * would be a deadlock on the target, and fails the test. */
#ifndef STUB_SPINLOCK_H
#define STUB_SPINLOCK_H

extern int stub_locks_held; /* spinlocks taken and not yet given back */

#endif
