/* timer and ptimer: the EL1 virtual timer (CNTV_*, PPI 27) and the EL1 physical timer (CNTP_*,
 * PPI 30) run the same cases, each against its own counter (CNTVCT_EL0, CNTPCT_EL0). The
 * interrupt must never come before CVAL, WFI must be woken by it (the hypervisor's WFI + host
 * timeout path), and 100 periodic ticks must all arrive. Under ZVM the virtual timer is the
 * guest's own hardware timer and the physical one is emulated. With a second vCPU, vCPU 1 serves
 * as a watchdog that wakes vCPU 0 with an SGI if a WFI is never woken (reported as a FAIL, not a
 * hang). */
#include "zt.h"

#include "arch/gicv3_regs.h"

#define SGI_WATCHDOG 15

/* The timer under test: the set picks it. The CTL bits are the same for both timers. */
struct tmr {
	unsigned intid;
	uint64_t (*now)(void);
	uint64_t (*ctl)(void);
	void (*set_ctl)(uint64_t);
	uint64_t (*cval)(void);
	void (*set_cval)(uint64_t);
	uint64_t (*tval)(void);
	void (*set_tval)(uint64_t);
};

/* The accessors of timer t (v: CNTV_* and CNTVCT, p: CNTP_* and CNTPCT): the register names
 * are part of the instructions, so one set of functions per timer. */
#define TIMER_ACCESSORS(t, T)                                                                      \
	static uint64_t t##_now(void)                                                              \
	{                                                                                          \
		zt_isb();                                                                          \
		return zt_read_sysreg(cnt##t##ct_el0);                                             \
	}                                                                                          \
	static uint64_t t##_ctl(void)                                                              \
	{                                                                                          \
		return zt_read_sysreg(cnt##t##_ctl_el0);                                           \
	}                                                                                          \
	static void t##_set_ctl(uint64_t x)                                                        \
	{                                                                                          \
		zt_write_sysreg(x, cnt##t##_ctl_el0);                                              \
		zt_isb();                                                                          \
	}                                                                                          \
	static uint64_t t##_cval(void)                                                             \
	{                                                                                          \
		return zt_read_sysreg(cnt##t##_cval_el0);                                          \
	}                                                                                          \
	static void t##_set_cval(uint64_t x)                                                       \
	{                                                                                          \
		zt_write_sysreg(x, cnt##t##_cval_el0);                                             \
		zt_isb();                                                                          \
	}                                                                                          \
	static uint64_t t##_tval(void)                                                             \
	{                                                                                          \
		return zt_read_sysreg(cnt##t##_tval_el0);                                          \
	}                                                                                          \
	static void t##_set_tval(uint64_t x)                                                       \
	{                                                                                          \
		zt_write_sysreg(x, cnt##t##_tval_el0);                                             \
		zt_isb();                                                                          \
	}                                                                                          \
	static const struct tmr t##_timer = {                                                      \
	    ZT_##T##TIMER_INTID, t##_now,  t##_ctl,	t##_set_ctl, t##_cval,                     \
	    t##_set_cval,	 t##_tval, t##_set_tval}

TIMER_ACCESSORS(v, V);
TIMER_ACCESSORS(p, P);

static const struct tmr *T = &v_timer;
#define TIMER (T->intid)

static void timer_stop(void)
{
	T->set_ctl(0);
}

static void timer_arm_at(uint64_t cval)
{
	T->set_cval(cval);
	T->set_ctl(CNTV_CTL_ENABLE);
}

static volatile uint64_t fired_at[128];
static volatile uint64_t fired_cval[128];
static volatile unsigned fired;
static volatile unsigned periodic_left;
static volatile uint64_t period;

/* One-shot: note when, then stop the timer so the level drops before EOI. */
static void h_oneshot(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	uint64_t now = T->now();
	unsigned n = fired;
	if (n < ZT_ARRAY_SIZE(fired_at)) {
		fired_at[n] = now;
		fired_cval[n] = T->cval();
	}
	fired = n + 1;
	if (periodic_left > 1) {
		periodic_left = periodic_left - 1;
		T->set_cval(T->cval() + period);
	} else {
		periodic_left = 0;
		T->set_ctl(CNTV_CTL_IMASK);
	}
}

static bool have_watchdog(void)
{
	return zt_plat.nr_cpus > 1 && zt_ensure_online(1) == 0;
}

static void setup(void)
{
	fired = 0;
	periodic_left = 0;
	zt_irq_log_reset(0);
	zt_irq_set_handler(TIMER, h_oneshot);
	zt_gic_set_priority(0, TIMER, 0x80);
	zt_gic_enable(0, TIMER);
	zt_gic_enable(0, SGI_WATCHDOG);
}

static int c_cntfrq(void)
{
	uint64_t f = zt_read_sysreg(cntfrq_el0);
	zt_note("CNTFRQ_EL0 = %lu Hz", (unsigned long)f);
	CHECK(f >= 1000000 && f <= 1000000000, "CNTFRQ_EL0 = %lu: implausible", (unsigned long)f);
	return 0;
}

static int c_cntvct_monotonic(void)
{
	uint64_t prev = T->now(), first = prev;
	for (unsigned i = 0; i < 200000; i++) {
		uint64_t t = T->now();
		CHECK(t >= prev, "counter went backwards: 0x%lx then 0x%lx (read %u)",
		      (unsigned long)prev, (unsigned long)t, i);
		prev = t;
	}
	CHECK(prev > first, "counter did not advance over 200000 reads");
	return 0;
}

/* Fires at or after CVAL for several distances, including one already in the past. */
static int c_not_early(void)
{
	static const unsigned us[] = {0, 50, 300, 1000, 3000, 10000};
	setup();
	zt_irq_on();
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(us); i++) {
		unsigned before = fired;
		uint64_t cval = T->now() + zt_us(us[i]);
		if (!us[i])
			cval -= zt_ms(1); /* in the past: fires at once */
		timer_arm_at(cval);
		bool ok = zt_wait(fired != before, us[i] / 1000 + ZT_DELIVERY_MS);
		CHECK(ok, "timer %u us ahead did not fire within %u ms", us[i],
		      us[i] / 1000 + ZT_DELIVERY_MS);
		CHECK(fired_at[before] >= cval, "fired %lu ticks before CVAL (distance %u us)",
		      (unsigned long)(cval - fired_at[before]), us[i]);
		CHECK(fired_cval[before] == cval, "CNTV_CVAL_EL0 read 0x%lx, wrote 0x%lx",
		      (unsigned long)fired_cval[before], (unsigned long)cval);
		timer_stop();
	}
	zt_delay_ms(2);
	CHECK(fired == ZT_ARRAY_SIZE(us), "%u interrupts for %u timers", fired,
	      (unsigned)ZT_ARRAY_SIZE(us));
	return 0;
}

static int c_tval(void)
{
	const int32_t n = (int32_t)zt_ms(20);
	uint64_t t0 = T->now();
	T->set_tval((uint64_t)(uint32_t)n);
	uint64_t t1 = T->now();
	uint64_t cval = T->cval();
	CHECK(cval >= t0 + n && cval <= t1 + n, "TVAL=%d gave CVAL now+%ld", n, (long)(cval - t1));
	int32_t a = (int32_t)T->tval();
	zt_delay_ms(2);
	int32_t b = (int32_t)T->tval();
	CHECK(a <= n && b < a, "TVAL does not count down: %d, %d, then %d", n, a, b);
	CHECK((uint64_t)(a - b) >= zt_ms(2) && (uint64_t)(a - b) < zt_ms(500),
	      "TVAL went down %d ticks over 2 ms", a - b);
	/* Past CVAL the TVAL turns negative and, enabled, ISTATUS is set (IMASK keeps it quiet). */
	T->set_tval((uint64_t)(uint32_t)zt_us(100));
	T->set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	zt_delay_ms(1);
	int32_t c = (int32_t)T->tval();
	/* QEMU updates ISTATUS from a host timer callback, which can lag by milliseconds. */
	zt_wait(T->ctl() & CNTV_CTL_ISTATUS, ZT_DELIVERY_MS);
	uint64_t ctl = T->ctl();
	timer_stop();
	CHECK(c < 0, "TVAL %d after expiry, want negative", c);
	CHECK(ctl & CNTV_CTL_ISTATUS, "CNTV_CTL 0x%lx after expiry: ISTATUS clear",
	      (unsigned long)ctl);
	return 0;
}

/* IMASK keeps the interrupt away while ISTATUS shows the condition; unmasking delivers it. */
static int c_imask(void)
{
	setup();
	zt_irq_on();
	T->set_cval(T->now() - 1);
	T->set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
	zt_wait(T->ctl() & CNTV_CTL_ISTATUS, ZT_DELIVERY_MS); /* see c_tval */
	zt_delay_ms(5);
	unsigned early = fired;
	uint64_t ctl = T->ctl();
	T->set_ctl(CNTV_CTL_ENABLE);
	bool ok = zt_wait(fired != 0, ZT_DELIVERY_MS);
	zt_irq_off();
	timer_stop();
	CHECK(ctl & CNTV_CTL_ISTATUS, "ISTATUS clear with CVAL in the past (ctl 0x%lx)",
	      (unsigned long)ctl);
	CHECK(early == 0, "timer interrupt delivered with IMASK set");
	CHECK(ok, "no interrupt in time after clearing IMASK");
	/* Disabled: no condition at all. */
	T->set_ctl(0);
	CHECK(!(T->ctl() & CNTV_CTL_ISTATUS), "ISTATUS set with the timer disabled");
	return 0;
}

/* As Linux's handler does first: mask the firing timer with IMASK, leaving it enabled and due.
 * The interrupt is then gone: exactly one delivery, however long the timer stays due. */
static volatile unsigned masked_irqs;

static void h_mask_only(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	masked_irqs = masked_irqs + 1;
	T->set_ctl(CNTV_CTL_ENABLE | CNTV_CTL_IMASK);
}

static int c_imask_in_handler(void)
{
	setup();
	masked_irqs = 0;
	zt_irq_set_handler(TIMER, h_mask_only);
	zt_irq_on();
	timer_arm_at(T->now() + zt_ms(1));
	bool ok = zt_wait(masked_irqs != 0, ZT_DELIVERY_MS);
	zt_delay_ms(50);
	unsigned n = masked_irqs;
	uint64_t ctl = T->ctl();
	zt_irq_off();
	timer_stop();
	zt_irq_set_handler(TIMER, h_oneshot);
	CHECK(ok, "no timer interrupt");
	CHECK(n == 1, "%u timer interrupts after the handler masked the timer, want 1", n);
	CHECK(ctl == (CNTV_CTL_ENABLE | CNTV_CTL_IMASK | CNTV_CTL_ISTATUS),
	      "CNTV_CTL 0x%lx, want ENABLE | IMASK | ISTATUS (the guest's own value)",
	      (unsigned long)ctl);
	return 0;
}

/* PSTATE.I masked, WFI: the pending timer interrupt wakes the vCPU, not before CVAL. */
static int wfi_wakeup(bool irqs_on, unsigned ms)
{
	bool wd = have_watchdog();
	uint64_t wd_before = wd ? zt_cpus[1].wd_fired : 0;
	setup();
	uint64_t t0 = T->now(), cval = t0 + zt_ms(ms);
	unsigned wfis = 0;
	if (wd)
		zt_watchdog_arm(1, 0, SGI_WATCHDOG, ms + 1000);
	if (irqs_on)
		zt_irq_on();
	timer_arm_at(cval);
	while (T->now() < cval || (irqs_on && !fired)) {
		zt_wfi();
		if (++wfis > 100000 || (wd && zt_cpus[1].wd_fired != wd_before))
			break;
	}
	uint64_t t1 = T->now();
	if (!irqs_on)
		zt_wait(T->ctl() & CNTV_CTL_ISTATUS, ZT_DELIVERY_MS); /* see c_tval */
	uint64_t ctl = T->ctl();
	if (wd)
		zt_watchdog_cancel(1);
	zt_irq_off();
	timer_stop();
	CHECK(!wd || zt_cpus[1].wd_fired == wd_before,
	      "WFI not woken by the timer: the watchdog SGI came after %lu us (ctl 0x%lx)",
	      (unsigned long)zt_ticks_to_us(t1 - t0), (unsigned long)ctl);
	CHECK(t1 >= cval, "left the WFI loop before CVAL");
	if (irqs_on)
		CHECK(fired == 1 && fired_at[0] >= cval,
		      "handler ran %u times, first %ld ticks "
		      "after CVAL",
		      fired, (long)(fired_at[0] - cval));
	else
		CHECK(ctl & CNTV_CTL_ISTATUS, "timer condition not met after the WFI (ctl 0x%lx)",
		      (unsigned long)ctl);
	zt_note("%u WFI(s); woke %lu us after a %u ms timer", wfis,
		(unsigned long)zt_ticks_to_us(t1 - cval), ms);
	return 0;
}

static int c_wfi_masked(void)
{
	return wfi_wakeup(false, 20);
}

static int c_wfi_unmasked(void)
{
	return wfi_wakeup(true, 20);
}

static int c_wfi_long(void)
{
	return wfi_wakeup(false, 200);
}

static int c_cntvct_across_wfi(void)
{
	uint64_t prev = zt_now();
	for (unsigned i = 0; i < 20; i++) {
		zt_sleep_until(prev + zt_us(500));
		uint64_t t = zt_now();
		CHECK(t >= prev + zt_us(500), "CNTVCT 0x%lx after a WFI until 0x%lx",
		      (unsigned long)t, (unsigned long)(prev + zt_us(500)));
		prev = t;
	}
	return 0;
}

static int c_periodic_100(void)
{
	const unsigned ticks = 100;
	setup();
	period = zt_ms(1);
	periodic_left = ticks;
	uint64_t t0 = T->now();
	zt_irq_on();
	timer_arm_at(t0 + period);
	uint64_t end = t0 + zt_ms(5000);
	while (fired < ticks && T->now() < end)
		zt_wfi();
	zt_delay_ms(5);
	zt_irq_off();
	uint64_t t1 = T->now();
	timer_stop();
	CHECK(fired == ticks, "%u ticks in %lu ms, want %u", fired,
	      (unsigned long)zt_ticks_to_us(t1 - t0) / 1000, ticks);
	for (unsigned i = 0; i < ticks; i++) {
		uint64_t due = t0 + (i + 1) * period;
		CHECK(fired_at[i] >= due, "tick %u came %lu ticks early", i,
		      (unsigned long)(due - fired_at[i]));
		CHECK(fired_cval[i] == due, "tick %u: CVAL 0x%lx, want 0x%lx", i,
		      (unsigned long)fired_cval[i], (unsigned long)due);
	}
	zt_note("100 ticks of 1 ms took %lu us",
		(unsigned long)zt_ticks_to_us(fired_at[ticks - 1] - t0));
	return 0;
}

/* The cases both timers share, named <prefix>_<case>. */
#define TIMER_CASES(prefix)                                                                        \
	zt_case(prefix "_fires_not_before_cval", c_not_early);                                     \
	zt_case(prefix "_tval_countdown", c_tval);                                                 \
	zt_case(prefix "_imask_istatus", c_imask);                                                 \
	zt_case(prefix "_imask_in_handler", c_imask_in_handler);                                   \
	zt_case(prefix "_wfi_wakeup_masked", c_wfi_masked);                                        \
	zt_case(prefix "_wfi_wakeup_irq", c_wfi_unmasked);                                         \
	zt_case(prefix "_wfi_wakeup_200ms", c_wfi_long);                                           \
	zt_case(prefix "_periodic_100_ticks", c_periodic_100)

static void run_timer(void)
{
	T = &v_timer;
	zt_case("timer_cntfrq", c_cntfrq);
	zt_case("timer_cntvct_monotonic", c_cntvct_monotonic);
	TIMER_CASES("timer");
	zt_case("timer_cntvct_across_wfi", c_cntvct_across_wfi);
	zt_gic_disable(0, TIMER);
	zt_irq_set_handler(TIMER, NULL);
}
ZT_SET(timer, 1, run_timer, "virtual timer: CVAL/TVAL, IMASK, WFI wake-up, 100 periodic ticks");

static void run_ptimer(void)
{
	T = &p_timer;
	zt_case("ptimer_cntpct_monotonic", c_cntvct_monotonic);
	TIMER_CASES("ptimer");
	zt_gic_disable(0, TIMER);
	zt_irq_set_handler(TIMER, NULL);
	/* Left armed 10 s ahead (its PPI disabled): a VM deleted after this set has a physical
	 * timer pending in the host, which the delete must cancel (test_guests_zvm.py). */
	timer_arm_at(T->now() + zt_ms(10000));
	zt_printf("# ptimer left armed\n");
}
ZT_SET(ptimer, 1, run_ptimer,
       "EL1 physical timer: CVAL/TVAL, IMASK, WFI wake-up, 100 periodic ticks");
