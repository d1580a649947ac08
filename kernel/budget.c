/* Budget bookkeeping of a deferrable server (include/kernel/budget.h): pure arithmetic. */
#include <kernel/budget.h>

void budget_acct_init(struct budget_acct *a, uint64_t budget, uint64_t period, uint64_t now)
{
	a->budget = budget;
	a->period = period;
	a->used = 0;
	a->period_end = now + period;
	a->throttles = 0;
	a->throttled = false;
}

uint64_t budget_left(const struct budget_acct *a)
{
	return a->used >= a->budget ? 0 : a->budget - a->used;
}

bool budget_charge(struct budget_acct *a, uint64_t ticks)
{
	a->used += ticks;
	if (a->throttled || a->used < a->budget)
		return false;
	a->throttled = true;
	a->throttles++;
	return true;
}

bool budget_refill(struct budget_acct *a, uint64_t now)
{
	bool was = a->throttled;

	if (now < a->period_end)
		return false;
	a->period_end += ((now - a->period_end) / a->period + 1) * a->period;
	a->used = 0;
	a->throttled = false;
	return was;
}
