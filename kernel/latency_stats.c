/* Wake-up latency statistics (include/kernel/latency_stats.h). */
#include <kernel/latency_stats.h>
#include <string.h>

#define NS_PER_S  1000000000ULL
#define NS_PER_US 1000ULL

void latency_stats_init(struct latency_stats *s, uint64_t freq)
{
	memset(s, 0, sizeof(*s));
	s->freq = freq ? freq : 1;
	s->min = UINT64_MAX;
}

uint64_t latency_ticks_to_ns(const struct latency_stats *s, uint64_t ticks)
{
	/* Whole seconds and the remainder apart, so ticks * 1e9 never overflows. */
	uint64_t secs = ticks / s->freq, rem = ticks % s->freq;

	return secs * NS_PER_S + rem * NS_PER_S / s->freq;
}

unsigned latency_bucket(uint64_t ns)
{
	uint64_t us = ns / NS_PER_US;
	unsigned b = 0;

	while (us && b < LAT_BUCKETS - 1) {
		us >>= 1;
		b++;
	}
	return b;
}

uint64_t latency_bucket_low_ns(unsigned bucket)
{
	return bucket ? (1ULL << (bucket - 1)) * NS_PER_US : 0;
}

void latency_stats_add(struct latency_stats *s, uint64_t ticks)
{
	s->count++;
	s->sum += ticks;
	if (ticks < s->min)
		s->min = ticks;
	if (ticks > s->max)
		s->max = ticks;
	s->bucket[latency_bucket(latency_ticks_to_ns(s, ticks))]++;
}

void latency_stats_overrun(struct latency_stats *s, uint64_t missed)
{
	s->overruns += missed;
}

uint64_t latency_stats_avg(const struct latency_stats *s)
{
	return s->count ? s->sum / s->count : 0;
}
