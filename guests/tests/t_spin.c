/* spin: a guest that only burns CPU, for the scheduling tests (priorities, over-commit, budgets).
 * Every vCPU counts in a tight loop, never waiting; once a second (virtual time) the boot vCPU
 * prints `spin N: c0 c1 ...`, each vCPU's count in millions so far. It never ends. */
#include "zt.h"

static void spin_secondary(uint64_t idx)
{
	volatile int64_t *count = &zt_cpus[idx].result;

	for (;;)
		*count = *count + 1;
}

static void run_spin(void)
{
	unsigned n = zt_plat.nr_cpus;
	volatile int64_t *mine = &zt_cpus[0].result;

	*mine = 0;
	/* All up first, then all spinning: bring-up waits are not stretched by spinners. */
	for (unsigned i = 1; i < n; i++) {
		int rc = zt_ensure_online(i);

		if (rc)
			zt_printf("spin: vCPU %u did not start (%d)\n", i, rc);
	}
	for (unsigned i = 1; i < n; i++) {
		zt_cpus[i].result = 0;
		if (!zt_cpu_post(i, spin_secondary, i))
			zt_printf("spin: vCPU %u is not online\n", i);
	}
	zt_printf("spin: %u vCPUs spinning\n", n);
	uint64_t next = zt_now() + zt_freq();

	for (uint64_t s = 1;; s++) {
		while (zt_now() < next)
			for (int k = 0; k < 1000; k++)
				*mine = *mine + 1;
		next += zt_freq();
		zt_printf("spin %lu:", (unsigned long)s);
		for (unsigned i = 0; i < n; i++)
			zt_printf(" %lu", (unsigned long)(zt_cpus[i].result / 1000000));
		zt_printf("\n");
	}
}
ZT_SET(spin, 1, run_spin, "every vCPU spins counting; `spin N: counts` every second, forever");
