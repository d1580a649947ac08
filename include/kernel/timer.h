/* Kernel timers: a callback in interrupt context after a delay, once or periodically. The callback
 * runs on the CPU that started the timer, with IRQs masked and no lock held: it may give
 * semaphores, wake or resume threads, and start or stop timers (its own too), but not block. */
#ifndef KERNEL_TIMER_H
#define KERNEL_TIMER_H

#include <kernel/timeout.h>
#include <stdbool.h>
#include <stdint.h>

struct k_timer;
typedef void (*k_timer_fn)(struct k_timer *timer);

struct k_timer {
	struct timeout tmo; /* internal */
	k_timer_fn expiry;
	uint64_t period; /* ticks; 0 for a one-shot timer */
	void *user_data; /* the owner's, untouched by the kernel */
};

void k_timer_init(struct k_timer *timer, k_timer_fn expiry, void *user_data);
/* (Re)starts timer: first expiry after duration (K_ABS_TICKS for an absolute counter value;
 * K_NO_WAIT: at the next timer interrupt; K_FOREVER: just stops it), then every period unless
 * period is K_NO_WAIT or K_FOREVER. Periodic expiries stay on the period's grid; if one is missed
 * entirely (IRQs masked too long) the grid restarts from the late one instead of firing a burst. */
void k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period);
/* After it returns the callback is neither pending nor running on another CPU, so the timer may be
 * freed (unless the caller is that callback itself). Two callbacks must not stop each other's
 * timers at the same time on two CPUs: each would wait for the other. */
void k_timer_stop(struct k_timer *timer);
bool k_timer_is_running(struct k_timer *timer);
/* Counter value of the next expiry, 0 if the timer is stopped. */
uint64_t k_timer_next_expiry(struct k_timer *timer);

#endif
