/* hostile_sysreg: every vCPU, for `zvmsecs`, executes random MRS/MSR over the op0=3 and op0=2
 * (debug) encoding space with random values, and random HVC/SMC calls (random immediates,
 * function IDs and x1-x7), PSCI functions with random arguments among them. Each instruction
 * is generated into a per-vCPU buffer (self-modifying code: the MMU is off, so the data
 * stores reach memory; then IC IALLU + ISB) followed by a RET, and called; an exception
 * (UNDEF, mostly) is caught and execution resumes at the RET. Pass: every vCPU reaches the end
 * and the guest still runs (timers, PMU, debug state are reset first). */
#include "t_hostile.h"

#include "arch/psci_defs.h"

#define ENC(op0, op1, crn, crm, op2)                                                               \
	(((op0) << 19) | ((op1) << 16) | ((crn) << 12) | ((crm) << 8) | ((op2) << 5))
#define SYSREG_MASK ENC(3, 7, 15, 15, 7)
#define INSN_MSR    0xd5000000u /* | ENC | Rt, with L (bit 21) = 0 */
#define INSN_MRS    0xd5200000u
#define INSN_HVC    0xd4000002u /* | imm16 << 5 */
#define INSN_SMC    0xd4000003u
#define INSN_RET    0xd65f03c0u

/* Registers that would kill the guest itself (the runtime depends on them), never touched.
 * Masked entries match whole groups. */
static const struct {
	uint32_t enc, mask;
	const char *why;
} skip[] = {
    {ENC(3, 0, 1, 0, 0), SYSREG_MASK, "SCTLR_EL1: MMU, caches, alignment, endianness"},
    {ENC(3, 0, 2, 0, 0), ENC(3, 7, 15, 0, 0), "TTBR0/1, TCR and the pointer-auth keys (CRn 2)"},
    {ENC(3, 0, 4, 0, 0), ENC(3, 7, 15, 12, 0), "SPSR/ELR_EL1, SP_EL0, SPSel, PAN, ALLINT"},
    {ENC(3, 3, 4, 2, 1), SYSREG_MASK, "DAIF: would unmask what the runtime keeps masked"},
    {ENC(3, 0, 12, 0, 0), SYSREG_MASK, "VBAR_EL1: the exception fixups"},
    {ENC(3, 0, 13, 0, 4), SYSREG_MASK, "TPIDR_EL1: the runtime's vCPU index"},
    /* The GIC CPU interface: PMR, group enables, CTLR (EOImode), SRE and BPR would mask the
     * interrupts the runtime needs; IAR/NMIAR reads and AP*R writes leave priorities active
     * that nothing ends. Kept: SGI generation, EOIR, DIR, HPPIR, RPR. */
    {ENC(3, 0, 4, 6, 0), SYSREG_MASK, "ICC_PMR_EL1"},
    {ENC(3, 0, 12, 8, 0), SYSREG_MASK, "ICC_IAR0_EL1"},
    {ENC(3, 0, 12, 8, 3), SYSREG_MASK, "ICC_BPR0_EL1"},
    {ENC(3, 0, 12, 8, 4), ENC(3, 7, 15, 15, 4), "ICC_AP0R<n>_EL1"},
    {ENC(3, 0, 12, 9, 0), ENC(3, 7, 15, 15, 4), "ICC_AP1R<n>_EL1"},
    {ENC(3, 0, 12, 9, 5), SYSREG_MASK, "ICC_NMIAR1_EL1"},
    {ENC(3, 0, 12, 12, 0), SYSREG_MASK, "ICC_IAR1_EL1"},
    {ENC(3, 0, 12, 12, 3), SYSREG_MASK, "ICC_BPR1_EL1"},
    {ENC(3, 0, 12, 12, 4), ENC(3, 7, 15, 15, 4), "ICC_CTLR, SRE, IGRPEN0/1_EL1"},
};

static bool skipped(uint32_t enc)
{
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(skip); i++)
		if ((enc & skip[i].mask) == skip[i].enc)
			return true;
	return false;
}

/* PSCI and other calls that end or freeze the run: SYSTEM_OFF/RESET/RESET2, CPU_OFF,
 * CPU_FREEZE, CPU_DEFAULT_SUSPEND, SYSTEM_SUSPEND (the last two resume at an entry point),
 * MEM_PROTECT(_CHECK_RANGE). Matched on the owner and the function number, whatever the
 * other bits say. */
static bool call_excluded(uint32_t fid)
{
	if (SMCCC_OWNER(fid) != SMCCC_OWNER_STANDARD)
		return false;
	switch (SMCCC_FUNC_NUM(fid)) {
	case 0x02:
	case 0x08:
	case 0x09:
	case 0x0b:
	case 0x0c:
	case 0x0e:
	case 0x12:
	case 0x13:
	case 0x14:
		return true;
	default:
		return false;
	}
}

static uint32_t code[ZT_MAX_CPUS][16] __attribute__((aligned(64)));
typedef uint64_t (*gen_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
			   uint64_t);

static volatile uint64_t bad_call[ZT_MAX_CPUS]; /* first call that UNDEFs: insn << 32 | fid */

/* QEMU (TCG, 7.2) sometimes keeps running the old instruction after another was written here
 * under a stage-2 translation, despite IC IALLU + ISB: a TLB invalidation of our own first
 * makes the next store refresh the page's code tracking. (Seen as generated HVCs that UNDEF
 * with x0 unchanged, on one vCPU, never natively; a direct HVC on that vCPU worked.) */
static gen_fn gen(unsigned cpu, uint32_t insn)
{
	volatile uint32_t *p = code[cpu];
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	p[0] = insn;
	p[1] = INSN_RET;
	zt_dsb();
	__asm__ volatile("ic iallu\n\tdsb nsh\n\tisb" ::: "memory");
	return (gen_fn)(uintptr_t)p;
}

static uint32_t random_fid(uint64_t *s)
{
	uint32_t f;
	switch (hrand_below(s, 4)) {
	case 0: /* PSCI, 32 or 64 */
		f = (hrand_below(s, 2) ? PSCI_0_2_FN64_BASE : PSCI_0_2_FN_BASE) +
		    (uint32_t)hrand_below(s, 0x20);
		break;
	case 1: /* SMCCC arch calls */
		f = SMCCC_FAST_CALL | (uint32_t)hrand_below(s, 0x10000);
		break;
	case 2: /* any owner, fast, 32 or 64 */
		f = SMCCC_FAST_CALL | ((uint32_t)hrand_below(s, 2) << 30) |
		    ((uint32_t)hrand_below(s, 64) << 24) | (uint32_t)hrand_below(s, 0x100);
		break;
	default:
		f = (uint32_t)hrand(s);
	}
	return f;
}

/* x1 for CPU_ON and AFFINITY_INFO: a vCPU's MPIDR half the time (all are on: CPU_ON must
 * say ALREADY_ON or reject the entry point; never start one). */
static uint64_t random_mpidr(uint64_t *s)
{
	if (hrand_below(s, 2))
		return zt_plat.mpidr[hrand_below(s, zt_plat.nr_cpus)];
	return hrand_value(s);
}

/* The entry point for a random CPU_ON: outside RAM (must be refused) or the real one. Never
 * random RAM: were a vCPU started there, it would run garbage over the guest's memory. */
static uint64_t random_entry(uint64_t *s)
{
	uint64_t e;
	if (!hrand_below(s, 4))
		return (uint64_t)(uintptr_t)zt_secondary_entry;
	do
		e = hrand_value(s);
	while (hostile_overlaps_ram(e, 4));
	return e;
}

static void one_call(unsigned cpu, uint64_t *s, struct hostile_tally *t)
{
	uint32_t fid = random_fid(s);
	if (call_excluded(fid)) {
		t->extra[2] = t->extra[2] + 1;
		return;
	}
	uint64_t a[7];
	for (unsigned i = 0; i < 7; i++)
		a[i] = hrand_value(s);
	unsigned fn = SMCCC_FUNC_NUM(fid);
	if (SMCCC_OWNER(fid) == SMCCC_OWNER_STANDARD && (fn == 3 || fn == 4))
		a[0] = random_mpidr(s);
	if (SMCCC_OWNER(fid) == SMCCC_OWNER_STANDARD && fn == 3)
		a[1] = random_entry(s);
	if (SMCCC_OWNER(fid) == SMCCC_OWNER_STANDARD && fn == 1) {
		/* CPU_SUSPEND waits for an interrupt: have the virtual timer pend one soon. */
		zt_gic_enable(cpu, ZT_VTIMER_INTID);
		zt_vtimer_arm_at(zt_now() + zt_us(200));
	}
	uint32_t imm = hrand_below(s, 4) ? 0 : (uint32_t)hrand_below(s, 0x10000);
	bool smc = hrand_below(s, 2);
	gen_fn f = gen(cpu, (smc ? INSN_SMC : INSN_HVC) | imm << 5);
	unsigned before = zt_this_cpu()->exc.count;
	uint64_t r = f(fid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
	zt_vtimer_stop();
	/* Under ZVM, HVC and SMC (HCR_EL2.TSC) always reach the hypervisor: never an UNDEF. */
	if (zt_this_cpu()->exc.count != before) {
		t->extra[3] = t->extra[3] + 1;
		if (!bad_call[cpu])
			bad_call[cpu] = fid | (uint64_t)(smc ? INSN_SMC : INSN_HVC) << 32;
	}
	t->ops = t->ops + 1;
	if (r == (uint64_t)(int64_t)SMCCC_NOT_SUPPORTED ||
	    (uint32_t)r == (uint32_t)SMCCC_NOT_SUPPORTED)
		t->extra[1] = t->extra[1] + 1;
}

static void one_sysreg(unsigned cpu, uint64_t *s, struct hostile_tally *t)
{
	uint32_t op0 = hrand_below(s, 4) ? 3 : 2;
	uint32_t enc = ENC(op0, (uint32_t)hrand_below(s, 8), (uint32_t)hrand_below(s, 16),
			   (uint32_t)hrand_below(s, 16), (uint32_t)hrand_below(s, 8));
	if (skipped(enc)) {
		t->extra[2] = t->extra[2] + 1;
		return;
	}
	bool write = hrand_below(s, 2);
	gen_fn f = gen(cpu, (write ? INSN_MSR : INSN_MRS) | enc);
	f(hrand_value(s), 0, 0, 0, 0, 0, 0, 0);
	t->ops = t->ops + 1;
	t->extra[0] = t->extra[0] + write;
}

static volatile uint64_t deadline;

static void w_sysreg(uint64_t cpu)
{
	struct hostile_tally *t = &hostile_tally[cpu];
	uint64_t s = hostile_seed(2, (unsigned)cpu);
	unsigned seen = 0;

	zt_irq_off();
	/* Resume at the RET after the generated instruction. */
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	while (zt_now() < deadline) {
		for (unsigned k = 0; k < 32; k++) {
			if (hrand_below(&s, 4))
				one_sysreg((unsigned)cpu, &s, t);
			else
				one_call((unsigned)cpu, &s, t);
			hostile_account(t, &seen);
		}
	}
	zt_exc_disarm();
	hostile_quiet_cpu();
}

static int c_sysreg(void)
{
	char why[120];
	deadline = zt_now() + zt_ms(1000ULL * hostile_secs());
	zt_note("hostile_sysreg: %u vCPU(s), %u s, seed %lu, %u register groups skipped",
		zt_plat.nr_cpus, hostile_secs(), (unsigned long)zt_plat.seed,
		(unsigned)ZT_ARRAY_SIZE(skip));
	bool ok = hostile_run_all(w_sysreg, why, sizeof(why));
	const char *names[4] = {"msr", "calls-not-supported", "skipped", "calls-undefined"};
	hostile_report("hostile_sysreg", names, zt_plat.nr_cpus);
	CHECK(ok, "%s", why);
	for (unsigned i = 0; i < zt_plat.nr_cpus && !zt_plat.native; i++)
		CHECK(!bad_call[i], "vCPU %u: %s 0x%x was UNDEFINED", i,
		      (bad_call[i] >> 32) == INSN_SMC ? "smc" : "hvc", (unsigned)bad_call[i]);
	for (unsigned i = 0; i < zt_plat.nr_cpus; i++)
		CHECK(hostile_tally[i].ops > 100, "vCPU %u did only %lu operations", i,
		      (unsigned long)hostile_tally[i].ops);
	for (unsigned i = 1; i < zt_plat.nr_cpus; i++)
		CHECK(zt_cpu_call(i, hostile_noop, i, 1000), "vCPU %u no longer takes work", i);
	return 0;
}

static void run_hostile_sysreg(void)
{
	zt_case("hostile_sysreg", c_sysreg);
}
ZT_SET(hostile_sysreg, 1, run_hostile_sysreg,
       "random MRS/MSR (op0 2 and 3) and HVC/SMC calls from every vCPU for zvmsecs");
