/* debug: the guest's own hardware breakpoints and watchpoints (self-hosted debug at EL1). Their
 * registers read back what was written, registers past ID_AA64DFR0_EL1's counts UNDEF, a
 * breakpoint on a function stops at its first instruction (EC 0x31, ELR = the function), a
 * store watchpoint stops the store (EC 0x35, FAR = the variable, WnR) and a load does not; a
 * breakpoint set by vCPU 1 never fires on vCPU 0; and for a while (zvmdbgms, default 2000 ms)
 * random breakpoints and watchpoints, and rounds with none, are set, slept on (the vCPU
 * blocks, so another VM on that CPU runs) and checked to fire exactly where they were set.
 * Two of these VMs pinned to one CPU (tests/system) check that one VM's breakpoints never
 * fire in the other, which executes the same addresses. Each case turns everything off
 * again. */
#include "zt.h"

#define BCR_EL1	 ((1u << 1) | (0xfu << 5))		/* PMC = EL1, BAS = A64 */
#define WCR_ST8	 ((1u << 1) | (2u << 3) | (0xffu << 5)) /* PAC = EL1, stores, 8 bytes */
#define DBG_E	 1u
#define NR_BAITS 4

/* ---- the registers by number (their names are part of the instruction) ---- */
#define DBG_CASE(reg, n)                                                                           \
	case n:                                                                                    \
		if (write)                                                                         \
			zt_write_sysreg(v, dbg##reg##n##_el1);                                     \
		else                                                                               \
			v = zt_read_sysreg(dbg##reg##n##_el1);                                     \
		break
#define DBG_FN(reg)                                                                                \
	static uint64_t reg##_rw(unsigned n, bool write, uint64_t v)                               \
	{                                                                                          \
		switch (n) {                                                                       \
			DBG_CASE(reg, 0);                                                          \
			DBG_CASE(reg, 1);                                                          \
			DBG_CASE(reg, 2);                                                          \
			DBG_CASE(reg, 3);                                                          \
			DBG_CASE(reg, 4);                                                          \
			DBG_CASE(reg, 5);                                                          \
			DBG_CASE(reg, 6);                                                          \
			DBG_CASE(reg, 7);                                                          \
			DBG_CASE(reg, 8);                                                          \
			DBG_CASE(reg, 9);                                                          \
			DBG_CASE(reg, 10);                                                         \
			DBG_CASE(reg, 11);                                                         \
			DBG_CASE(reg, 12);                                                         \
			DBG_CASE(reg, 13);                                                         \
			DBG_CASE(reg, 14);                                                         \
			DBG_CASE(reg, 15);                                                         \
		}                                                                                  \
		zt_isb();                                                                          \
		return v;                                                                          \
	}
DBG_FN(bcr)
DBG_FN(bvr)
DBG_FN(wcr)
DBG_FN(wvr)

static unsigned nr_bps(void)
{
	return ((zt_read_sysreg(id_aa64dfr0_el1) >> 12) & 0xf) + 1;
}

static unsigned nr_wps(void)
{
	return ((zt_read_sysreg(id_aa64dfr0_el1) >> 20) & 0xf) + 1;
}

/* ---- what the breakpoints and watchpoints are set on ---- */
static volatile uint64_t baits_called;
/* Not inlined, cloned or merged: each has its own address and is reached there. */
#define BAIT(i)                                                                                    \
	__attribute__((noipa, aligned(16))) static uint64_t bait##i(uint64_t x)                    \
	{                                                                                          \
		baits_called = baits_called + 1;                                                   \
		return x * (i + 3) + i;                                                            \
	}
BAIT(0)
BAIT(1)
BAIT(2)
BAIT(3)
static uint64_t (*const baits[NR_BAITS])(uint64_t) = {bait0, bait1, bait2, bait3};
static volatile uint64_t targets[NR_BAITS] __attribute__((aligned(64)));

/* A store of v to *p; *pc = the store instruction. */
static void store_at(volatile uint64_t *p, uint64_t v, uint64_t *pc)
{
	uint64_t at;
	__asm__ volatile("adr %0, 1f\n1:\tstr %1, [%2]" : "=&r"(at) : "r"(v), "r"(p) : "memory");
	*pc = at;
}

/* Self-hosted debug on at EL1: OS lock open, MDE and KDE, PSTATE.D clear. */
static void dbg_on(void)
{
	zt_write_sysreg(0, oslar_el1);
	zt_write_sysreg(zt_read_sysreg(mdscr_el1) | MDSCR_KDE | MDSCR_MDE, mdscr_el1);
	zt_isb();
	__asm__ volatile("msr daifclr, #8" : : : "memory");
}

static void dbg_all_clear(void)
{
	for (unsigned n = 0; n < nr_bps(); n++)
		bcr_rw(n, true, 0);
	for (unsigned n = 0; n < nr_wps(); n++)
		wcr_rw(n, true, 0);
}

static void dbg_off(void)
{
	__asm__ volatile("msr daifset, #8" : : : "memory");
	dbg_all_clear();
	zt_write_sysreg(zt_read_sysreg(mdscr_el1) & ~(uint64_t)(MDSCR_KDE | MDSCR_MDE), mdscr_el1);
	zt_isb();
}

/* ---- cases ---- */

static int c_counts(void)
{
	uint64_t dfr0 = zt_read_sysreg(id_aa64dfr0_el1);
	unsigned ctx = ((dfr0 >> 28) & 0xf) + 1;

	CHECK((dfr0 & 0xf) >= 6, "DebugVer %lu: not Armv8 debug", (unsigned long)(dfr0 & 0xf));
	CHECK(nr_bps() >= 2 && nr_wps() >= 2, "%u breakpoints, %u watchpoints: Armv8 has >= 2",
	      nr_bps(), nr_wps());
	CHECK(ctx <= nr_bps(), "%u context-aware breakpoints of %u", ctx, nr_bps());
	zt_note("%u breakpoints (%u context-aware), %u watchpoints", nr_bps(), ctx, nr_wps());
	return 0;
}

static uint64_t bvr_pattern(unsigned n)
{
	return 0x40100000ULL + n * 0x1040 + 4;
}

static uint64_t wvr_pattern(unsigned n)
{
	return 0x40200000ULL + n * 0x2080 + 8;
}

static int c_readback(void)
{
	unsigned nb = nr_bps(), nw = nr_wps();

	/* All first, then all checked: each number is its own register. */
	for (unsigned n = 0; n < nb; n++) {
		bvr_rw(n, true, bvr_pattern(n));
		bcr_rw(n, true, BCR_EL1 | (3u << 1) | ((uint64_t)(n & 1) << 14));
	}
	for (unsigned n = 0; n < nw; n++) {
		wvr_rw(n, true, wvr_pattern(n));
		wcr_rw(n, true, WCR_ST8 | ((uint64_t)n << 16));
	}
	for (unsigned n = 0; n < nb; n++) {
		uint64_t v = bvr_rw(n, false, 0), c = bcr_rw(n, false, 0);

		CHECK(v == bvr_pattern(n), "DBGBVR%u_EL1 = 0x%lx, wrote 0x%lx", n, (unsigned long)v,
		      (unsigned long)bvr_pattern(n));
		CHECK(c == (BCR_EL1 | (3u << 1) | ((uint64_t)(n & 1) << 14)),
		      "DBGBCR%u_EL1 = 0x%lx", n, (unsigned long)c);
	}
	for (unsigned n = 0; n < nw; n++) {
		uint64_t v = wvr_rw(n, false, 0), c = wcr_rw(n, false, 0);

		CHECK(v == wvr_pattern(n), "DBGWVR%u_EL1 = 0x%lx, wrote 0x%lx", n, (unsigned long)v,
		      (unsigned long)wvr_pattern(n));
		CHECK(c == (WCR_ST8 | ((uint64_t)n << 16)), "DBGWCR%u_EL1 = 0x%lx", n,
		      (unsigned long)c);
	}
	dbg_all_clear();
	return 0;
}

/* Past the CPU's count the registers do not exist: UNDEFINED, as on the CPU. */
static int c_past_count_undef(void)
{
	unsigned nb = nr_bps(), nw = nr_wps();

	if (nb == 16 && nw == 16)
		return 0;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	if (nb < 16) {
		bcr_rw(nb, false, 0);
		bvr_rw(nb, true, 0x1000);
	}
	if (nw < 16) {
		wcr_rw(nw, true, 0);
		wvr_rw(nw, false, 0);
	}
	struct zt_exc e = zt_exc_disarm();
	unsigned want = (nb < 16 ? 2 : 0) + (nw < 16 ? 2 : 0);

	CHECK(e.count == want, "%u of %u accesses past the count UNDEF", e.count, want);
	CHECK(ESR_EC(e.esr) == EC_UNKNOWN, "EC 0x%x, want 0 (UNDEFINED)", (unsigned)ESR_EC(e.esr));
	return 0;
}

/* Breakpoint n on bait k: one exception at its address, then the function runs. */
static int expect_break(unsigned n, unsigned k)
{
	uint64_t addr = (uint64_t)(uintptr_t)baits[k];

	bvr_rw(n, true, addr);
	bcr_rw(n, true, BCR_EL1 | DBG_E);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	uint64_t r = baits[k](5);
	struct zt_exc e = zt_exc_disarm();

	bcr_rw(n, true, 0);
	zt_write_sysreg(zt_read_sysreg(mdscr_el1) | MDSCR_MDE, mdscr_el1);
	zt_isb();
	CHECK(e.count == 1, "breakpoint %u on 0x%lx: %u exceptions", n, (unsigned long)addr,
	      e.count);
	CHECK(ESR_EC(e.esr) == EC_BKPT_CUR, "breakpoint %u: EC 0x%x (ESR 0x%lx), want 0x31", n,
	      (unsigned)ESR_EC(e.esr), (unsigned long)e.esr);
	CHECK(e.elr == addr, "breakpoint %u: ELR 0x%lx, want 0x%lx", n, (unsigned long)e.elr,
	      (unsigned long)addr);
	CHECK(r == 5 * (k + 3) + k, "bait %u returned %lu after the breakpoint", k,
	      (unsigned long)r);
	return 0;
}

static int c_breakpoint(void)
{
	dbg_on();
	/* Off (E = 0), or MDE clear: nothing. */
	bvr_rw(0, true, (uint64_t)(uintptr_t)bait1);
	bcr_rw(0, true, BCR_EL1);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	bait1(1);
	struct zt_exc e = zt_exc_disarm();

	CHECK(!e.count, "a disabled breakpoint fired (ESR 0x%lx)", (unsigned long)e.esr);
	/* Every breakpoint the CPU has. */
	for (unsigned n = 0; n < nr_bps(); n++) {
		int rc = expect_break(n, n % NR_BAITS);

		if (rc)
			return rc;
	}
	return 0;
}

/* Watchpoint n on targets[k]: a load passes, the store stops with FAR, then completes. */
static int expect_watch(unsigned n, unsigned k, uint64_t val)
{
	volatile uint64_t *p = &targets[k];
	uint64_t pc;

	wvr_rw(n, true, (uint64_t)(uintptr_t)p);
	wcr_rw(n, true, WCR_ST8 | DBG_E);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	uint64_t before = *p;
	struct zt_exc e = zt_exc_disarm();

	CHECK(!e.count, "store watchpoint %u fired on a load (ESR 0x%lx)", n, (unsigned long)e.esr);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	store_at(p, val, &pc);
	e = zt_exc_disarm();
	wcr_rw(n, true, 0);
	zt_write_sysreg(zt_read_sysreg(mdscr_el1) | MDSCR_MDE, mdscr_el1);
	zt_isb();
	CHECK(e.count == 1, "watchpoint %u on 0x%lx: %u exceptions", n, (unsigned long)p, e.count);
	CHECK(ESR_EC(e.esr) == EC_WATCH_CUR, "watchpoint %u: EC 0x%x (ESR 0x%lx), want 0x35", n,
	      (unsigned)ESR_EC(e.esr), (unsigned long)e.esr);
	CHECK(e.esr & ISS_DABT_WNR, "watchpoint %u: WnR clear for a store", n);
	CHECK(e.far == (uint64_t)(uintptr_t)p, "watchpoint %u: FAR 0x%lx, want 0x%lx", n,
	      (unsigned long)e.far, (unsigned long)p);
	CHECK(e.elr == pc, "watchpoint %u: ELR 0x%lx, want the store 0x%lx", n,
	      (unsigned long)e.elr, (unsigned long)pc);
	CHECK(*p == val, "the store did not complete after the watchpoint (was 0x%lx)",
	      (unsigned long)before);
	return 0;
}

static int c_watchpoint(void)
{
	dbg_on();
	for (unsigned n = 0; n < nr_wps(); n++) {
		int rc = expect_watch(n, n % NR_BAITS, 0x1000 + n);

		if (rc)
			return rc;
	}
	return 0;
}

/* vCPU 1's work: its breakpoint 0 on bait2 (set = 1) and a call that must stop there, or
 * everything off again (set = 0). */
static void w_vcpu1_break(uint64_t set)
{
	struct zt_cpu *c = zt_this_cpu();

	if (!set) {
		dbg_off();
		c->result = 0;
		return;
	}
	dbg_on();
	bvr_rw(0, true, (uint64_t)(uintptr_t)bait2);
	bcr_rw(0, true, BCR_EL1 | DBG_E);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	bait2(1);
	struct zt_exc e = zt_exc_disarm();

	zt_write_sysreg(zt_read_sysreg(mdscr_el1) | MDSCR_MDE, mdscr_el1);
	zt_isb();
	c->result = e.count == 1 && e.elr == (uint64_t)(uintptr_t)bait2 ? 1 : -(int64_t)e.count;
}

static int c_per_vcpu(void)
{
	CHECK(!zt_ensure_online(1), "vCPU 1 did not come up");
	CHECK(zt_cpu_call(1, w_vcpu1_break, 1, 2000), "vCPU 1 did not finish");
	CHECK(zt_cpus[1].result == 1, "vCPU 1's own breakpoint: %ld exceptions",
	      (long)-zt_cpus[1].result);
	/* Debug exceptions on here too, with none set: vCPU 1's must not show up. */
	dbg_on();
	dbg_all_clear();
	CHECK(bcr_rw(0, false, 0) == 0, "vCPU 0 reads vCPU 1's DBGBCR0_EL1");
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	for (unsigned i = 0; i < 1000; i++)
		bait2(i);
	struct zt_exc e = zt_exc_disarm();

	CHECK(!e.count, "vCPU 1's breakpoint fired on vCPU 0 (ELR 0x%lx)", (unsigned long)e.elr);
	/* And it is still vCPU 1's. */
	CHECK(zt_cpu_call(1, w_vcpu1_break, 1, 2000), "vCPU 1 did not finish");
	CHECK(zt_cpus[1].result == 1, "vCPU 1's breakpoint gone after vCPU 0 ran: %ld",
	      (long)-zt_cpus[1].result);
	CHECK(zt_cpu_call(1, w_vcpu1_break, 0, 2000), "vCPU 1 did not finish");
	return 0;
}

static uint64_t rng;

static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 11);
}

/* One round: nothing, a breakpoint on bait k or a watchpoint on targets[k], in a random
 * register; sleep (the vCPU blocks; another VM may run here); then call every bait and store
 * to every target: exactly the one set fires. */
static int soak_round(unsigned round)
{
	unsigned kind = next_rand() % 3, k = next_rand() % NR_BAITS;
	unsigned n = next_rand() % (kind == 2 ? nr_wps() : nr_bps());
	uint64_t bait = (uint64_t)(uintptr_t)baits[k], target = (uint64_t)(uintptr_t)&targets[k];

	if (kind == 1) {
		bvr_rw(n, true, bait);
		bcr_rw(n, true, BCR_EL1 | DBG_E);
	} else if (kind == 2) {
		wvr_rw(n, true, target);
		wcr_rw(n, true, WCR_ST8 | DBG_E);
	}
	zt_sleep_until(zt_now() + zt_ms(1));
	if (kind == 1)
		CHECK(bvr_rw(n, false, 0) == bait && bcr_rw(n, false, 0) == (BCR_EL1 | DBG_E),
		      "round %u: breakpoint %u changed while asleep", round, n);
	if (kind == 2)
		CHECK(wvr_rw(n, false, 0) == target && wcr_rw(n, false, 0) == (WCR_ST8 | DBG_E),
		      "round %u: watchpoint %u changed while asleep", round, n);
	zt_exc_arm(ZT_RESUME_DEBUG_OFF, 0);
	for (unsigned i = 0; i < NR_BAITS; i++) {
		baits[i](i);
		targets[i] = round;
	}
	struct zt_exc e = zt_exc_disarm();

	zt_write_sysreg(zt_read_sysreg(mdscr_el1) | MDSCR_MDE, mdscr_el1);
	if (kind == 1)
		bcr_rw(n, true, 0);
	if (kind == 2)
		wcr_rw(n, true, 0);
	if (!kind) {
		CHECK(!e.count, "round %u: none set, yet EC 0x%x at 0x%lx (FAR 0x%lx)", round,
		      (unsigned)ESR_EC(e.esr), (unsigned long)e.elr, (unsigned long)e.far);
		return 0;
	}
	CHECK(e.count == 1, "round %u: %u exceptions for one %s (EC 0x%x at 0x%lx)", round, e.count,
	      kind == 1 ? "breakpoint" : "watchpoint", (unsigned)ESR_EC(e.esr),
	      (unsigned long)e.elr);
	if (kind == 1)
		CHECK(ESR_EC(e.esr) == EC_BKPT_CUR && e.elr == bait,
		      "round %u: breakpoint %u on 0x%lx: EC 0x%x at 0x%lx", round, n,
		      (unsigned long)bait, (unsigned)ESR_EC(e.esr), (unsigned long)e.elr);
	else
		CHECK(ESR_EC(e.esr) == EC_WATCH_CUR && e.far == target,
		      "round %u: watchpoint %u on 0x%lx: EC 0x%x FAR 0x%lx", round, n,
		      (unsigned long)target, (unsigned)ESR_EC(e.esr), (unsigned long)e.far);
	return 0;
}

static int c_soak(void)
{
	char buf[16];
	uint64_t ms = zt_bootarg("zvmdbgms", buf, sizeof(buf)) ? zt_strtoull(buf, NULL) : 2000;
	uint64_t end = zt_now() + zt_ms(ms);
	unsigned round = 0;

	rng = zt_now() | 1;
	dbg_on();
	dbg_all_clear();
	while (zt_now() < end || round < 20) {
		int rc = soak_round(round++);

		if (rc)
			return rc;
	}
	zt_note("%u rounds of breakpoints and watchpoints across sleeps", round);
	return 0;
}

/* Every case ends with debug off, whatever it did. */
#define DEBUG_CASE(name)                                                                           \
	static int name##_off(void)                                                                \
	{                                                                                          \
		int rc = name();                                                                   \
		dbg_off();                                                                         \
		return rc;                                                                         \
	}
DEBUG_CASE(c_breakpoint)
DEBUG_CASE(c_watchpoint)
DEBUG_CASE(c_per_vcpu)
DEBUG_CASE(c_soak)

static void run_debug(void)
{
	zt_case("debug_counts", c_counts);
	zt_case("debug_regs_read_back", c_readback);
	zt_case("debug_regs_past_count_undef", c_past_count_undef);
	zt_case("debug_breakpoint", c_breakpoint_off);
	zt_case("debug_watchpoint", c_watchpoint_off);
	if (zt_plat.nr_cpus >= 2)
		zt_case("debug_per_vcpu", c_per_vcpu_off);
	else
		zt_note("debug_per_vcpu needs 2 vCPUs: not run");
	zt_case("debug_soak", c_soak_off);
}

ZT_SET(debug, 1, run_debug, "hardware breakpoints and watchpoints, per vCPU, across sleeps");
