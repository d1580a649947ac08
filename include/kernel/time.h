/* Kernel time: the ARM generic counter (CNTPCT_EL0) is the clock. A "tick" is one counter
 * increment (arch_timer_freq() per second, e.g. 62.5 MHz on QEMU), and uptime counts from the
 * counter's reset, which is close to power-on. Integer math only: host code never uses FP. */
#ifndef KERNEL_TIME_H
#define KERNEL_TIME_H

#include <drivers/arch_timer.h>
#include <stdbool.h>
#include <stdint.h>

/* v * mul / div without intermediate overflow, rounded up or down, saturating at UINT64_MAX.
 * Needs mul < 2^32 and div < 2^32 (counter frequencies are at most a few GHz): then the remainder
 * product (v % div) * mul cannot overflow. */
static inline uint64_t z_tick_scale(uint64_t v, uint64_t mul, uint64_t div, bool round_up)
{
	uint64_t q = v / div, r = v % div;

	if (q && mul > UINT64_MAX / q)
		return UINT64_MAX;
	uint64_t hi = q * mul;
	uint64_t lo = (r * mul + (round_up ? div - 1 : 0)) / div;

	return hi > UINT64_MAX - lo ? UINT64_MAX : hi + lo;
}

/* Durations round up to whole ticks (a wait never ends early); ticks round down to units. */
static inline uint64_t k_ms_to_ticks(uint64_t ms)
{
	return z_tick_scale(ms, arch_timer_freq(), 1000, true);
}

static inline uint64_t k_us_to_ticks(uint64_t us)
{
	return z_tick_scale(us, arch_timer_freq(), 1000000, true);
}

static inline uint64_t k_ticks_to_ms(uint64_t ticks)
{
	return z_tick_scale(ticks, 1000, arch_timer_freq(), false);
}

static inline uint64_t k_ticks_to_us(uint64_t ticks)
{
	return z_tick_scale(ticks, 1000000, arch_timer_freq(), false);
}

static inline uint64_t k_ticks_to_ns(uint64_t ticks)
{
	return z_tick_scale(ticks, 1000000000, arch_timer_freq(), false);
}

static inline uint64_t k_uptime_ticks(void)
{
	return arch_timer_now();
}

static inline uint64_t k_uptime_ms(void)
{
	return k_ticks_to_ms(k_uptime_ticks());
}

static inline uint64_t k_uptime_us(void)
{
	return k_ticks_to_us(k_uptime_ticks());
}

/* Spins (does not yield) for at least us microseconds. */
void k_busy_wait_us(uint32_t us);

#endif
