/* Helpers of the hostile sets: see t_hostile.h. */
#include "t_hostile.h"

struct hostile_tally hostile_tally[ZT_MAX_CPUS];

uint64_t hrand_value(uint64_t *s)
{
	switch (hrand_below(s, 8)) {
	case 0:
		return 0;
	case 1:
		return ~0ULL;
	case 2:
		return 1ULL << hrand_below(s, 64);
	case 3:
		return hrand_below(s, 256);
	default:
		return hrand(s);
	}
}

uint64_t hostile_seed(unsigned set, unsigned cpu)
{
	uint64_t z = zt_plat.seed + 0x9e3779b97f4a7c15ULL * (1 + set * 64 + cpu);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return z ? z : 1;
}

unsigned hostile_secs(void)
{
	char buf[24];
	unsigned s = zt_bootarg("zvmsecs", buf, sizeof(buf)) ? (unsigned)zt_strtoull(buf, NULL) : 3;
	return s ? s : 1;
}

unsigned hostile_pa_bits(void)
{
	static const unsigned bits[] = {32, 36, 40, 42, 44, 48, 52};
	unsigned r = zt_read_sysreg(id_aa64mmfr0_el1) & 0xf;
	return r < ZT_ARRAY_SIZE(bits) ? bits[r] : 48;
}

bool hostile_overlaps_ram(uint64_t addr, uint64_t len)
{
	return addr < zt_plat.ram_base + zt_plat.ram_size && addr + len > zt_plat.ram_base;
}

void hostile_account(struct hostile_tally *t, unsigned *seen)
{
	struct zt_cpu *c = zt_this_cpu();
	unsigned n = c->exc.count;
	if (n == *seen)
		return;
	t->faults = t->faults + (n - *seen);
	unsigned ec = ESR_EC(c->exc.esr);
	t->ec[ec] = t->ec[ec] + 1;
	*seen = n;
}

static volatile zt_work_fn run_fn;

static void w_run(uint64_t cpu)
{
	hostile_tally[cpu].started = 1;
	run_fn(cpu);
	hostile_tally[cpu].finished = 1;
}

bool hostile_run_all(zt_work_fn fn, char *why, size_t len)
{
	unsigned me = zt_cpu_id(), n = zt_plat.nr_cpus;

	for (unsigned i = 0; i < n; i++)
		memset((void *)&hostile_tally[i], 0, sizeof(hostile_tally[i]));
	for (unsigned i = 0; i < n; i++) {
		if (i != me && zt_ensure_online(i)) {
			zt_snprintf(why, len, "vCPU %u did not come up", i);
			return false;
		}
	}
	run_fn = fn;
	zt_dmb();
	for (unsigned i = 0; i < n; i++)
		if (i != me && !zt_cpu_post(i, w_run, i)) {
			zt_snprintf(why, len, "vCPU %u is not online", i);
			return false;
		}
	w_run(me);
	for (unsigned i = 0; i < n; i++) {
		if (i != me && !zt_wait(hostile_tally[i].finished, 10000)) {
			zt_snprintf(why, len, "vCPU %u did not finish (started %d, %lu ops)", i,
				    hostile_tally[i].started, (unsigned long)hostile_tally[i].ops);
			return false;
		}
	}
	return true;
}

void hostile_report(const char *set, const char *extra_names[4], unsigned ncpus)
{
	for (unsigned i = 0; i < ncpus; i++) {
		struct hostile_tally *t = &hostile_tally[i];
		char line[200];
		int p = zt_snprintf(line, sizeof(line), "%s vCPU %u: %lu ops, %lu faults", set, i,
				    (unsigned long)t->ops, (unsigned long)t->faults);
		for (unsigned ec = 0; ec < 64 && p < (int)sizeof(line); ec++)
			if (t->ec[ec])
				p += zt_snprintf(line + p, sizeof(line) - p, ", EC 0x%02x x%lu", ec,
						 (unsigned long)t->ec[ec]);
		for (unsigned k = 0; k < 4 && extra_names && p < (int)sizeof(line); k++)
			if (extra_names[k])
				p += zt_snprintf(line + p, sizeof(line) - p, ", %s %lu",
						 extra_names[k], (unsigned long)t->extra[k]);
		zt_note("%s", line);
	}
}

/* A write that may UNDEF (no PMU, or a trapped register): caught and skipped. */
#define QUIET_WRITE(v, reg)                                                                        \
	do {                                                                                       \
		zt_exc_arm(ZT_RESUME_NEXT, 0);                                                     \
		zt_write_sysreg_s(v, reg);                                                         \
		zt_isb();                                                                          \
		zt_exc_disarm();                                                                   \
	} while (0)

void hostile_quiet_cpu(void)
{
	zt_write_sysreg(0, cntv_ctl_el0);
	zt_write_sysreg(0, cntp_ctl_el0);
	QUIET_WRITE(0, "S3_3_C9_C12_0");     /* PMCR_EL0: counters off */
	QUIET_WRITE(~0ULL, "S3_0_C9_C14_2"); /* PMINTENCLR_EL1 */
	QUIET_WRITE(~0ULL, "S3_3_C9_C12_2"); /* PMCNTENCLR_EL0 */
	QUIET_WRITE(~0ULL, "S3_3_C9_C12_3"); /* PMOVSCLR_EL0 */
	QUIET_WRITE(0, "S2_0_C0_C2_2");	     /* MDSCR_EL1: no debug, no step */
	zt_isb();
}

void hostile_reset_devices(void)
{
	uint64_t u = zt_plat.uart;
	if (u) {
		zt_w32(u + 0x38, 0);	 /* UARTIMSC: no interrupts */
		zt_w32(u + 0x44, 0x7ff); /* UARTICR: clear them all */
		zt_w32(u + 0x2c, 0x70);	 /* UARTLCR_H: 8 bits, FIFOs */
		zt_w32(u + 0x30, 0x301); /* UARTCR: UARTEN | TXE | RXE */
	}
	uint64_t g = zt_plat.gpio;
	if (g) {
		zt_w32(g + 0x410, 0);	 /* GPIOIE */
		zt_w32(g + 0x41c, 0xff); /* GPIOIC */
		zt_w32(g + 0x400, 0);	 /* GPIODIR: all inputs */
	}
	zt_dsb();
}

void hostile_noop(uint64_t arg)
{
	ZT_UNUSED(arg);
}
