/* Where a newly ready thread goes (see include/kernel/sched_policy.h). */
#include <kernel/sched_policy.h>

static int next_prio(const struct sched_cpu_view *v)
{
	return v->best_queued < v->cur_prio ? v->best_queued : v->cur_prio;
}

/* Is CPU a a better home than CPU b (both online and allowed)? */
static bool better(const struct sched_cpu_view *views, int a, int b, int last_cpu)
{
	int pa = next_prio(&views[a]), pb = next_prio(&views[b]);

	if (pa != pb)
		return pa > pb;
	if (views[a].nr_queued != views[b].nr_queued)
		return views[a].nr_queued < views[b].nr_queued;
	return a == last_cpu; /* b has the lower id otherwise: the scan goes upwards */
}

int sched_policy_place(const struct sched_cpu_view *views, unsigned n, uint64_t mask, int last_cpu)
{
	int best = -1, first_allowed = -1;

	for (unsigned i = 0; i < n && i < 64; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (first_allowed < 0)
			first_allowed = (int)i;
		if (!views[i].online)
			continue;
		if (best < 0 || better(views, (int)i, best, last_cpu))
			best = (int)i;
	}
	return best >= 0 ? best : first_allowed;
}
