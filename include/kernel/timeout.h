/* Timeouts: the k_timeout_t argument of blocking calls, and the tickless per-CPU timeout queues.
 *
 * Each CPU keeps its own queue (struct sched_cpu.timeouts) and programs its own CNTHP one-shot to
 * the earliest deadline there; there is no periodic tick. A timeout is always armed on the CPU
 * that adds it, but may be cancelled from any CPU. All queues are protected by z_sched_lock. */
#ifndef KERNEL_TIMEOUT_H
#define KERNEL_TIMEOUT_H

#include <kernel/time.h>
#include <kernel/timeout_q.h>
#include <stdbool.h>
#include <stdint.h>

/* How long a blocking call may wait. Opaque: build it with the K_* macros below. */
typedef struct {
	uint64_t v;
	uint8_t kind; /* Z_TIMEOUT_* */
} k_timeout_t;

#define Z_TIMEOUT_TICKS 0 /* relative, in ticks */
#define Z_TIMEOUT_US	1 /* relative, in microseconds (converted when the wait starts) */
#define Z_TIMEOUT_ABS	2 /* absolute counter value */

#define K_NO_WAIT      ((k_timeout_t){.v = 0, .kind = Z_TIMEOUT_TICKS})
#define K_FOREVER      ((k_timeout_t){.v = UINT64_MAX, .kind = Z_TIMEOUT_TICKS})
#define K_TICKS(n)     ((k_timeout_t){.v = (uint64_t)(n), .kind = Z_TIMEOUT_TICKS})
#define K_USEC(n)      ((k_timeout_t){.v = (uint64_t)(n), .kind = Z_TIMEOUT_US})
#define K_MSEC(n)      ((k_timeout_t){.v = (uint64_t)(n)*1000u, .kind = Z_TIMEOUT_US})
#define K_SECONDS(n)   ((k_timeout_t){.v = (uint64_t)(n)*1000000u, .kind = Z_TIMEOUT_US})
#define K_ABS_TICKS(t) ((k_timeout_t){.v = (uint64_t)(t), .kind = Z_TIMEOUT_ABS})

static inline bool k_timeout_is_no_wait(k_timeout_t t)
{
	return t.kind != Z_TIMEOUT_ABS && t.v == 0;
}

static inline bool k_timeout_is_forever(k_timeout_t t)
{
	return t.kind == Z_TIMEOUT_TICKS && t.v == UINT64_MAX;
}

/* The absolute deadline of t for a wait starting at now, on a counter of freq Hz: UINT64_MAX
 * (never) for K_FOREVER or on overflow, now for K_NO_WAIT. */
static inline uint64_t z_timeout_deadline(k_timeout_t t, uint64_t now, uint64_t freq)
{
	uint64_t d;

	switch (t.kind) {
	case Z_TIMEOUT_ABS:
		return t.v;
	case Z_TIMEOUT_US:
		d = z_tick_scale(t.v, freq, 1000000, true);
		break;
	default:
		d = t.v;
		break;
	}
	return d > UINT64_MAX - now ? UINT64_MAX : now + d;
}

/* A kernel timeout: fn runs on the CPU the timeout was armed on, in interrupt context with IRQs
 * masked. With `locked` set fn runs holding z_sched_lock (the scheduler's own timeouts); otherwise
 * without any lock (k_timer callbacks), so it may call any non-blocking kernel API. */
struct timeout {
	struct timeout_node node;
	void (*fn)(struct timeout *t);
	bool locked;
};

/* The remaining calls need z_sched_lock held. */
void z_timeout_init(struct timeout *t, void (*fn)(struct timeout *t), bool locked);
/* (Re)arms t on the calling CPU at an absolute deadline (UINT64_MAX: just cancels it). */
void z_timeout_add(struct timeout *t, uint64_t deadline);
/* Cancels t; false if it was not armed (never was, already fired, or is firing now). */
bool z_timeout_abort(struct timeout *t);
/* Is an unlocked callback of t running on a CPU other than the caller's? */
bool z_timeout_running_elsewhere(const struct timeout *t);

static inline bool z_timeout_armed(const struct timeout *t)
{
	return timeout_node_linked(&t->node);
}

/* The timer interrupt hook: the CNTHP handler calls it on its CPU with IRQs masked (and the timer
 * quiesced). It runs every expired timeout of this CPU, then re-arms CNTHP to the next deadline. */
void timeout_announce(void);

#endif
