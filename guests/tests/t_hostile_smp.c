/* hostile_smp: all vCPUs at once, for `zvmsecs`, with interrupts on: each sends SGIs (random
 * INTID 0-15) to random target lists, to random affinities and to all others (IRM), and
 * issues PSCI calls: CPU_ON of random MPIDRs (every vCPU is on: ALREADY_ON, or
 * INVALID_PARAMETERS / INVALID_ADDRESS for a bad MPIDR or entry), AFFINITY_INFO (random and
 * real MPIDRs), PSCI_FEATURES of random IDs, PSCI_VERSION. No vCPU ever turns itself off, so
 * the set ends deterministically: at the deadline each vCPU stops and reports.
 * Checks: every vCPU finishes; no CPU_ON ever succeeds (that would restart a running vCPU:
 * each vCPU's entry count is unchanged); AFFINITY_INFO of a real vCPU says ON; the SGIs
 * arrive (each vCPU receives some once every vCPU has sent to all the others). */
#include "t_hostile.h"

#include "arch/gicv3_regs.h"
#include "arch/psci_defs.h"

#define SYS_ICC_SGI1R "S3_0_C12_C11_5"

static volatile uint64_t deadline;
static volatile int64_t bad_result[ZT_MAX_CPUS];
static volatile uint64_t bad_fid[ZT_MAX_CPUS];

static void note_bad(unsigned cpu, uint32_t fid, int64_t r)
{
	if (!bad_fid[cpu]) {
		bad_result[cpu] = r;
		bad_fid[cpu] = fid;
	}
}

static bool is_vcpu(uint64_t mpidr)
{
	for (unsigned i = 0; i < zt_plat.nr_cpus; i++)
		if ((mpidr & ZT_MPIDR_AFF_MASK) == zt_plat.mpidr[i])
			return true;
	return false;
}

/* GICv2: any GICD_SGIR value (filter 3 is reserved: nothing is sent). */
static void random_sgir(uint64_t *s)
{
	zt_dsb();
	zt_w32(zt_plat.gicd + GICD_SGIR, (uint32_t)hrand(s) & 0x03ff800f);
	zt_dsb();
}

static void random_sgi(uint64_t *s)
{
	uint64_t sgi = hrand_below(s, 16), v;
	if (zt_gic_v2()) {
		random_sgir(s);
		return;
	}
	switch (hrand_below(s, 4)) {
	case 0: /* all but self */
		v = (sgi << 24) | (1ULL << 40);
		break;
	case 1: /* a random Aff3.Aff2.Aff1 and list: mostly nobody */
		v = (sgi << 24) | (hrand(s) & 0x00ff00ff0000ffffULL);
		break;
	default: { /* a random list among our own vCPUs: Aff0 = index, Aff3-1 of vCPU 0 */
		uint64_t m = zt_plat.mpidr[0];
		v = (sgi << 24) | hrand_below(s, 1u << zt_plat.nr_cpus) | ((m >> 8) & 0xff) << 16 |
		    ((m >> 16) & 0xff) << 32 | ((m >> 32) & 0xff) << 48;
	}
	}
	zt_write_sysreg_s(v, SYS_ICC_SGI1R);
	zt_isb();
}

static void random_psci(unsigned cpu, uint64_t *s, struct hostile_tally *t)
{
	uint64_t m =
	    hrand_below(s, 2) ? zt_plat.mpidr[hrand_below(s, zt_plat.nr_cpus)] : hrand_value(s);
	int64_t r;
	switch (hrand_below(s, 4)) {
	case 0: {
		uint64_t entry =
		    hrand_below(s, 2) ? (uint64_t)(uintptr_t)zt_secondary_entry : hrand_value(s);
		if (hostile_overlaps_ram(entry, 4))
			entry = (uint64_t)(uintptr_t)zt_secondary_entry;
		r = zt_psci(PSCI_CPU_ON_64, m, entry, hrand(s));
		if (r == PSCI_RET_SUCCESS)
			note_bad(cpu, PSCI_CPU_ON_64, r);
		t->extra[1] = t->extra[1] + 1;
		break;
	}
	case 1:
		r = zt_psci(PSCI_AFFINITY_INFO_64, m, 0, 0);
		if (is_vcpu(m) && r != PSCI_AFFINITY_ON)
			note_bad(cpu, PSCI_AFFINITY_INFO_64, r);
		break;
	case 2:
		r = zt_psci(PSCI_FEATURES,
			    hrand_below(s, 2) ? PSCI_0_2_FN(hrand_below(s, 0x20)) : hrand(s), 0, 0);
		ZT_UNUSED(r);
		break;
	default:
		r = zt_psci(PSCI_VERSION, 0, 0, 0);
		if (r != 0x10001)
			note_bad(cpu, PSCI_VERSION, r);
	}
}

static volatile unsigned finished_sending;

static void w_smp(uint64_t cpu)
{
	struct hostile_tally *t = &hostile_tally[cpu];
	struct zt_cpu *c = zt_this_cpu();
	uint64_t s = hostile_seed(3, (unsigned)cpu);
	uint64_t sgis_before = 0;

	for (unsigned i = 0; i < 16; i++) {
		zt_gic_enable((unsigned)cpu, i);
		sgis_before += c->irq_count[i];
	}
	zt_irq_on();
	while (zt_now() < deadline) {
		if (hrand_below(&s, 2)) {
			random_sgi(&s);
			t->extra[0] = t->extra[0] + 1;
		} else {
			random_psci((unsigned)cpu, &s, t);
		}
		t->ops = t->ops + 1;
	}
	/* A last SGI to every other vCPU, so each one has something to receive. */
	if (zt_gic_v2()) {
		zt_gic_sgi_others(3);
	} else {
		zt_write_sysreg_s((3ULL << 24) | (1ULL << 40), SYS_ICC_SGI1R);
		zt_isb();
	}
	__atomic_fetch_add(&finished_sending, 1, __ATOMIC_SEQ_CST);
	zt_wait(finished_sending == zt_plat.nr_cpus, 5000);
	zt_delay_ms(ZT_DELIVERY_MS);
	uint64_t sgis = 0;
	for (unsigned i = 0; i < 16; i++)
		sgis += c->irq_count[i];
	t->extra[2] = sgis - sgis_before;
	zt_irq_off();
	for (unsigned i = 1; i < 16; i++)
		zt_gic_disable((unsigned)cpu, i);
}

static int c_smp(void)
{
	char why[120];
	unsigned n = zt_plat.nr_cpus;
	uint64_t entries[ZT_MAX_CPUS];

	for (unsigned i = 0; i < n; i++)
		CHECK(i == zt_cpu_id() || !zt_ensure_online(i), "vCPU %u did not come up", i);
	for (unsigned i = 0; i < n; i++) {
		entries[i] = zt_cpus[i].entries;
		bad_fid[i] = 0;
	}
	finished_sending = 0;
	deadline = zt_now() + zt_ms(1000ULL * hostile_secs());
	zt_note("hostile_smp: %u vCPU(s), %u s, seed %lu", n, hostile_secs(),
		(unsigned long)zt_plat.seed);
	bool ok = hostile_run_all(w_smp, why, sizeof(why));
	const char *names[4] = {"sgis-sent", "cpu-ons", "sgis-received", NULL};
	hostile_report("hostile_smp", names, zt_plat.nr_cpus);
	CHECK(ok, "%s", why);
	for (unsigned i = 0; i < n; i++) {
		CHECK(!bad_fid[i], "vCPU %u: PSCI 0x%lx returned %ld", i, (unsigned long)bad_fid[i],
		      (long)bad_result[i]);
		CHECK(zt_cpus[i].entries == entries[i], "vCPU %u was started again (%lu entries)",
		      i, (unsigned long)(zt_cpus[i].entries - entries[i]));
		CHECK(n == 1 || hostile_tally[i].extra[2], "vCPU %u received no SGI", i);
	}
	return 0;
}

static void run_hostile_smp(void)
{
	zt_case("hostile_smp", c_smp);
}
ZT_SET(hostile_smp, 1, run_hostile_smp,
       "SGIs and PSCI calls (CPU_ON, AFFINITY_INFO, FEATURES) from all vCPUs at once");
