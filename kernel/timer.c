/* Kernel timers on top of the per-CPU timeout queues (see include/kernel/timer.h). */
#include <arch/sysreg.h>
#include <kernel/sched.h>
#include <kernel/timer.h>

/* Unlocked timeout callback, interrupt context on the CPU the timer was armed on. The next period
 * is armed before the owner's callback runs, so that the callback may stop or restart it. */
static void timer_fire(struct timeout *tmo)
{
	struct k_timer *timer = z_container_of(tmo, struct k_timer, tmo);
	k_spinlock_key_t key = z_sched_lock_take();
	uint64_t period = timer->period;

	/* Not if a k_timer_start on another CPU re-armed it since it fired. */
	if (period && !z_timeout_armed(tmo)) {
		uint64_t now = arch_timer_now(), next = tmo->node.deadline + period;

		if (next < tmo->node.deadline || next <= now)
			next = now > UINT64_MAX - period ? UINT64_MAX : now + period;
		z_timeout_add(tmo, next);
	}
	z_sched_lock_give(key);
	if (timer->expiry)
		timer->expiry(timer);
}

void k_timer_init(struct k_timer *timer, k_timer_fn expiry, void *user_data)
{
	z_timeout_init(&timer->tmo, timer_fire, false);
	timer->expiry = expiry;
	timer->period = 0;
	timer->user_data = user_data;
}

void k_timer_start(struct k_timer *timer, k_timeout_t duration, k_timeout_t period)
{
	uint64_t freq = arch_timer_freq();
	k_spinlock_key_t key = z_sched_lock_take();

	timer->period = 0;
	if (period.kind != Z_TIMEOUT_ABS && !k_timeout_is_no_wait(period) &&
	    !k_timeout_is_forever(period))
		timer->period = z_timeout_deadline(period, 0, freq);
	if (k_timeout_is_forever(duration))
		z_timeout_abort(&timer->tmo);
	else
		z_timeout_add(&timer->tmo, z_timeout_deadline(duration, arch_timer_now(), freq));
	z_sched_lock_give(key);
}

void k_timer_stop(struct k_timer *timer)
{
	for (;;) {
		k_spinlock_key_t key = z_sched_lock_take();

		z_timeout_abort(&timer->tmo);
		bool busy = z_timeout_running_elsewhere(&timer->tmo);

		z_sched_lock_give(key);
		if (!busy)
			return;
		/* The callback may re-arm it (periodic, or restarted): cancel again once it is
		 * done. */
		cpu_relax();
	}
}

bool k_timer_is_running(struct k_timer *timer)
{
	k_spinlock_key_t key = z_sched_lock_take();
	bool armed = z_timeout_armed(&timer->tmo);

	z_sched_lock_give(key);
	return armed;
}

uint64_t k_timer_next_expiry(struct k_timer *timer)
{
	k_spinlock_key_t key = z_sched_lock_take();
	uint64_t when = z_timeout_armed(&timer->tmo) ? timer->tmo.node.deadline : 0;

	z_sched_lock_give(key);
	return when;
}
