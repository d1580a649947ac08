/* Wake-up latency statistics for the `latency` command (kernel/cmd_latency.c): min, average and
 * max in counter ticks, overruns, and a histogram in nanoseconds. Pure arithmetic, no hardware,
 * so it is unit tested (tests/unit/test_latency_stats.c). */
#ifndef KERNEL_LATENCY_STATS_H
#define KERNEL_LATENCY_STATS_H

#include <stdint.h>

/* Bucket 0 holds [0, 1 us); bucket i > 0 holds [2^(i-1), 2^i) us; the last one is open-ended
 * (>= 2^(LAT_BUCKETS-2) us, about 16 ms). */
#define LAT_BUCKETS 16

struct latency_stats {
	uint64_t freq; /* counter ticks per second */
	uint64_t count, sum, min, max;
	uint64_t overruns; /* wake-ups so late that whole periods were lost */
	uint64_t bucket[LAT_BUCKETS];
};

void latency_stats_init(struct latency_stats *s, uint64_t freq);
/* One wake-up, `ticks` after its programmed expiry. */
void latency_stats_add(struct latency_stats *s, uint64_t ticks);
/* `missed` periods were skipped because a wake-up came after the next expiry. */
void latency_stats_overrun(struct latency_stats *s, uint64_t missed);
/* Average in ticks, rounded down; 0 with no samples. */
uint64_t latency_stats_avg(const struct latency_stats *s);
/* Ticks as nanoseconds, rounded down; no overflow for any tick count (frequency below 18 GHz). */
uint64_t latency_ticks_to_ns(const struct latency_stats *s, uint64_t ticks);
/* Which bucket a latency of `ns` falls in. */
unsigned latency_bucket(uint64_t ns);
/* The bucket's lower bound in ns; its upper bound is the next one's lower bound. */
uint64_t latency_bucket_low_ns(unsigned bucket);

#endif
