/* Shared pieces of the hostile sets (t_hostile_*.c): a seeded PRNG, the bounded duration, a
 * tally of what was done and which exceptions came back, running one function on every vCPU,
 * and putting the guest's own devices and CPU state back afterwards.
 *
 * Bootargs: `zvmseed=N` (default 1) seeds every stream, so a failing run is repeated by giving
 * the seed it printed; `zvmsecs=N` (default 3) is how long each hostile set runs. */
#ifndef T_HOSTILE_H
#define T_HOSTILE_H

#include "zt.h"

/* xorshift64*: state must never be 0 (hostile_seed() makes sure). */
static inline uint64_t hrand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dULL;
}
/* Uniform enough in [0, n) for test purposes (n > 0). */
static inline uint64_t hrand_below(uint64_t *s, uint64_t n)
{
	return hrand(s) % n;
}
/* A value biased to the interesting ones: 0, all ones, one bit, small, or fully random. */
uint64_t hrand_value(uint64_t *s);

/* An independent stream for (set, vCPU): zvmseed mixed through splitmix64. */
uint64_t hostile_seed(unsigned set, unsigned cpu);
unsigned hostile_secs(void);
/* IPA bits from ID_AA64MMFR0_EL1.PARange (32..52). */
unsigned hostile_pa_bits(void);
bool hostile_overlaps_ram(uint64_t addr, uint64_t len);

/* Per-vCPU counts, written only by that vCPU. */
struct hostile_tally {
	volatile uint64_t ops, faults;
	volatile uint64_t ec[64];   /* faults by ESR_EL1.EC */
	volatile uint64_t extra[4]; /* set-specific counters */
	volatile int started, finished;
};
extern struct hostile_tally hostile_tally[ZT_MAX_CPUS];

/* Records the exception (if any) taken since *seen was last updated, from this vCPU's armed
 * fixup (zt_exc_arm): the per-EC count goes up once per new exception. */
void hostile_account(struct hostile_tally *t, unsigned *seen);

/* Brings every vCPU online, runs fn(cpu) on each (the boot vCPU too) and waits for all of
 * them (up to the duration + 10 s). Returns false if a vCPU did not come up or finish. */
bool hostile_run_all(zt_work_fn fn, char *why, size_t len);
/* "# ..." note of the tallies of vCPUs 0 to ncpus - 1: ops, faults, the ECs seen. */
void hostile_report(const char *set, const char *extra_names[4], unsigned ncpus);

/* Work that does nothing: checks a vCPU still takes work (its kick SGI arrives). */
void hostile_noop(uint64_t arg);

/* Stops this vCPU's timers and PMU counting/interrupts (whatever random writes started). */
void hostile_quiet_cpu(void);
/* Resets the UART (enabled, no interrupts) and the PL061 (inputs, no interrupts). */
void hostile_reset_devices(void);

#define SCTLR_M (1ULL << 0)
#define SCTLR_I (1ULL << 12)

#endif
