/* psci_race: several vCPUs race to CPU_ON one target that keeps turning itself off. Per round
 * exactly one CPU_ON may succeed (the others get ALREADY_ON or ON_PENDING), the target must
 * start exactly once, and AFFINITY_INFO must never call it OFF once a CPU_ON succeeded. The
 * target's power state is decided under one lock on the host: a CPU_ON that slipped between
 * the target taking its power-on request and marking itself on would start it twice. */
#include "zt.h"

#include "arch/psci_defs.h"

#define ROUNDS 150
#define TARGET 1

static volatile uint64_t go;		  /* round number the racers start on */
static volatile int64_t res[ZT_MAX_CPUS]; /* each racer's CPU_ON result this round */
static volatile uint64_t raced[ZT_MAX_CPUS];

static void race_once(unsigned me, uint64_t round)
{
	while (go != round)
		zt_relax();
	res[me] = zt_cpu_on(TARGET, 0x7ace0000 + round);
	zt_dmb();
	raced[me] = round;
}

/* Work for the other racers: race every round until told to stop (round 0). */
static void w_racer(uint64_t me)
{
	for (uint64_t round = 1; round <= ROUNDS; round++)
		race_once((unsigned)me, round);
}

static void w_off(uint64_t arg)
{
	ZT_UNUSED(arg);
	struct zt_cpu *c = zt_this_cpu();
	zt_irq_off();
	c->online = 0;
	zt_dsb();
	zt_psci(PSCI_CPU_OFF, 0, 0, 0);
	c->online = 1; /* CPU_OFF returned: it failed */
}

static bool target_off(unsigned ms)
{
	uint64_t end = zt_now() + zt_ms(ms);
	while (zt_now() < end)
		if (zt_psci(PSCI_AFFINITY_INFO_64, zt_plat.mpidr[TARGET], 0, 0) ==
		    PSCI_AFFINITY_OFF)
			return true;
	return false;
}

static int c_race(void)
{
	unsigned n = zt_plat.nr_cpus;

	for (unsigned i = 2; i < n; i++)
		CHECK(!zt_ensure_online(i), "vCPU %u did not come up", i);
	CHECK(!zt_ensure_online(TARGET), "vCPU %u did not come up", TARGET);
	for (unsigned i = 2; i < n; i++)
		CHECK(zt_cpu_post(i, w_racer, i), "vCPU %u is not online", i);
	for (uint64_t round = 1; round <= ROUNDS; round++) {
		struct zt_cpu *t = &zt_cpus[TARGET];

		CHECK(zt_wait(t->online, 1000), "round %lu: target not online",
		      (unsigned long)round);
		CHECK(zt_cpu_post(TARGET, w_off, 0), "round %lu: cannot post",
		      (unsigned long)round);
		CHECK(target_off(1000), "round %lu: target never off", (unsigned long)round);
		uint64_t before = t->entries;

		zt_dmb();
		go = round;
		race_once(0, round);
		for (unsigned i = 2; i < n; i++)
			CHECK(zt_wait(raced[i] == round, 1000), "round %lu: racer %u stuck",
			      (unsigned long)round, i);
		unsigned ok = 0;
		for (unsigned i = 0; i < n; i++) {
			if (i == TARGET)
				continue;
			int64_t r = res[i];
			if (r == PSCI_RET_SUCCESS)
				ok++;
			else
				CHECK(r == PSCI_RET_ALREADY_ON || r == PSCI_RET_ON_PENDING,
				      "round %lu: CPU_ON from vCPU %u = %ld", (unsigned long)round,
				      i, (long)r);
		}
		CHECK(ok == 1, "round %lu: %u CPU_ONs of one off vCPU succeeded",
		      (unsigned long)round, ok);
		int64_t a = zt_psci(PSCI_AFFINITY_INFO_64, zt_plat.mpidr[TARGET], 0, 0);
		CHECK(a != PSCI_AFFINITY_OFF, "round %lu: AFFINITY_INFO says OFF after a CPU_ON",
		      (unsigned long)round);
		CHECK(zt_cpu_wait_online(TARGET, before, 1000), "round %lu: target did not start",
		      (unsigned long)round);
		zt_delay_us(500);
		CHECK(t->entries == before + 1, "round %lu: target started %lu times",
		      (unsigned long)round, (unsigned long)(t->entries - before));
	}
	for (unsigned i = 2; i < n; i++)
		CHECK(zt_cpu_wait_done(i, 1000), "racer %u did not finish", i);
	return 0;
}

static void run_psci_race(void)
{
	zt_case("cpu_on_race_one_winner", c_race);
}
ZT_SET(psci_race, 3, run_psci_race, "vCPUs race CPU_ON against a target's CPU_OFF");
