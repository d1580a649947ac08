/* Spinlock contention statistics (include/kernel/lock_stats.h). */
#include <kernel/lock_stats.h>

void lock_stats_acquired(struct lock_stats *s, uint64_t asked, uint64_t now)
{
	uint64_t waited = now - asked;

	s->acquired++;
	if (waited) {
		s->contended++;
		s->wait_total += waited;
		if (waited > s->wait_max)
			s->wait_max = waited;
	}
	s->held_since = now;
}

void lock_stats_released(struct lock_stats *s, uint64_t now)
{
	uint64_t held = now - s->held_since;

	if (!s->held_since)
		return; /* taken before counting began: no hold to count */
	s->held_since = 0;
	s->hold_total += held;
	if (held > s->hold_max)
		s->hold_max = held;
}
