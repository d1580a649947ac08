/* Contention statistics of one spinlock (the scheduler's, see docs/scheduling.md): how often
 * it is taken, how often a CPU had to wait for it, and the longest wait and hold. Updated by
 * the lock's holder only, so the lock itself protects them. Times in counter ticks. */
#ifndef KERNEL_LOCK_STATS_H
#define KERNEL_LOCK_STATS_H

#include <stdbool.h>
#include <stdint.h>

struct lock_stats {
	uint64_t acquired, contended;
	uint64_t wait_total, wait_max;
	uint64_t hold_total, hold_max;
	uint64_t held_since; /* while held after a counted acquisition, else 0 */
};

/* Just acquired at `now`, after waiting since `asked` (equal when it was free at once). */
void lock_stats_acquired(struct lock_stats *s, uint64_t asked, uint64_t now);
/* About to be released at `now`; a release without a counted acquisition before it (counting
 * switched on while the lock was waited for) counts nothing. */
void lock_stats_released(struct lock_stats *s, uint64_t now);

#endif
