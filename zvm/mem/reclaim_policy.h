/* The low-watermark scanner's decisions (zvm/mem/reclaim.c), apart from the hardware so the host
 * unit tests run them (tests/unit/test_reclaim_policy.c). Sizes in bytes.
 *
 * Hysteresis: the scanner starts when free host memory drops below the low watermark and goes
 * on until it reaches the high one (low + low / 2), so it does not start and stop at every page
 * a guest touches. A low watermark of 0 turns it off. */
#ifndef ZVM_MEM_RECLAIM_POLICY_H
#define ZVM_MEM_RECLAIM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many pages per round (1 MiB): a round then sleeps, and the free count is read
 * again, so a VM deleted meanwhile stops the scanner at once. */
#define MEM_RECLAIM_ROUND_PAGES 256
#define MEM_RECLAIM_PAGE	4096u
/* A VM paused for want of memory runs again when this much is free above the high watermark
 * (with the scanner off: above nothing): its next faults then find pages. */
#define MEM_RECLAIM_RESUME_MARGIN (1u << 20)

static inline size_t mem_reclaim_high(size_t low)
{
	return low + low / 2;
}

/* Whether the scanner works this round, given whether it did the last one. */
static inline bool mem_reclaim_active(bool was_active, size_t free, size_t low)
{
	if (!low)
		return false;
	return free < low || (was_active && free < mem_reclaim_high(low));
}

/* Pages to take this round: up to the high watermark, at most MEM_RECLAIM_ROUND_PAGES. */
static inline size_t mem_reclaim_goal(size_t free, size_t low)
{
	size_t high = mem_reclaim_high(low);
	size_t n = free < high ? (high - free + MEM_RECLAIM_PAGE - 1) / MEM_RECLAIM_PAGE : 0;

	return n < MEM_RECLAIM_ROUND_PAGES ? n : MEM_RECLAIM_ROUND_PAGES;
}

/* The next VM of a round: of those not done yet and with anything resident, the one with the
 * most resident memory (the lowest index on a tie); -1 when none is left. */
static inline int mem_reclaim_pick(const size_t *resident, const bool *done, unsigned n)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++)
		if (!done[i] && resident[i] && (best < 0 || resident[i] > resident[best]))
			best = (int)i;
	return best;
}

/* Whether a VM paused for want of memory may run again. */
static inline bool mem_reclaim_may_resume(size_t free, size_t low)
{
	return free >= (low ? mem_reclaim_high(low) : 0) + MEM_RECLAIM_RESUME_MARGIN;
}

#endif
