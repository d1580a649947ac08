/* Micro-benchmarks of virtualization costs, counted in instructions under QEMU -icount shift=0
 * (see README.md). Sets:
 *   bench        every measure (the ones that need 2 vCPUs only with 2 vCPUs)
 *   benchswitch  spin and record the runs this vCPU gets while another VM competes for the same
 *                physical CPU (bench/run.py pairs the runs of two such VMs)
 * Output, one line each, parsed by bench/run.py:
 *   BENCH clock pmu|cntvct <why>
 *   BENCH <name> <value> <unit> n=<samples> min=<min> max=<max> [<note>]
 *   BENCHRUN <i> <first> <last>
 * Bootargs: benchn=N (samples per measure, default 101), benchruns=N (benchswitch records,
 * default 16), benchclk=cntvct (do not use the PMU even if it works). */
#include "zt.h"

#include "arch/gicv3_regs.h"

#define NPAD	      16 /* CNTVCT: one tick = 16 instructions under -icount shift=0 */
#define SGI_BENCH     1
#define MAX_N	      1001
#define PMCR_E	      (1u << 0)
#define PMCR_C	      (1u << 2)
#define PMCCFILTR_NSH (1u << 27)
#define PMCNTEN_C     (1u << 31)
/* Instructions the CNT vector runs before its counter read (adr, sub, br; the nops are the pad). */
#define CNT_VECTOR_PRE 3

typedef uint64_t (*op_fn)(uint64_t k, uint64_t arg);
#define DECL_OP(n) uint64_t bm_##n##_pmu(uint64_t, uint64_t), bm_##n##_cnt(uint64_t, uint64_t);
DECL_OP(nop)
DECL_OP(hvc_smccc)
DECL_OP(hvc_psci)
DECL_OP(mmio_read)
DECL_OP(mmio_write)
uint64_t bm_sgi_self_pmu(uint64_t k, uint64_t sgi1r, uint64_t out[2]);
uint64_t bm_sgi_self_cnt(uint64_t k, uint64_t sgi1r, uint64_t out[2]);
uint64_t bm_runs_pmu(uint64_t *buf, uint64_t n, uint64_t gap, uint64_t limit);
uint64_t bm_runs_cnt(uint64_t *buf, uint64_t n, uint64_t gap, uint64_t limit);
uint64_t bm_vtimer(uint64_t k, uint64_t ticks, uint64_t out[2], uint64_t wfi);
uint64_t bm_ptimer(uint64_t k, uint64_t ticks, uint64_t out[2], uint64_t wfi);
uint64_t bm_sgi_send_cnt(uint64_t k, uint64_t sgi1r);
void bm_remote_wait(volatile uint64_t *ready, uint64_t out[2], uint64_t wfi);
void bm_nops_100(void);
extern char bm_vectors_pmu[], bm_vectors_cnt[], bm_vectors_pcnt[], zt_vectors[];

struct op {
	op_fn pmu, cnt;
};
#define OP(n)                                                                                      \
	{                                                                                          \
		bm_##n##_pmu, bm_##n##_cnt                                                         \
	}

static bool use_pmu;
static unsigned nsamples = 101;
static uint64_t samples[MAX_N], extra[MAX_N];
static unsigned bad; /* samples whose interrupt was not the expected one */

/* ---------------------------------------------------------------- statistics */

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;
		for (; j && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

struct stat {
	uint64_t med, min, max;
};

static struct stat stats(uint64_t *v, unsigned n)
{
	sort(v, n);
	return (struct stat){v[n / 2], v[0], v[n - 1]};
}

/* Reported values are a median minus a baseline measured the same way. A negative value would
 * mean a wrong baseline: it is printed as it is. */
static void report(const char *name, struct stat s, int64_t adjust, const char *note)
{
	zt_printf("BENCH %s %ld instructions n=%u min=%ld max=%ld%s%s\n", name,
		  (long)((int64_t)s.med + adjust), nsamples, (long)((int64_t)s.min + adjust),
		  (long)((int64_t)s.max + adjust), note ? " " : "", note ? note : "");
}

/* ---------------------------------------------------------------- clocks */

static void vbar(char *v)
{
	zt_write_sysreg((uint64_t)(uintptr_t)v, vbar_el1);
	zt_isb();
}

/* A CNTVCT routine's result for phase k, run again while its phase synchronisation was
 * interrupted (~0). */
#define CNT_RETRY(call, invalid)                                                                   \
	({                                                                                         \
		uint64_t r_ = (call);                                                              \
		for (unsigned t_ = 0; r_ == (invalid) && t_ < 8; t_++)                             \
			r_ = (call);                                                               \
		r_;                                                                                \
	})

/* One sample of an op in instructions between the two counter reads. */
static uint64_t op_sample(const struct op *o, uint64_t arg, bool pmu)
{
	if (pmu)
		return o->pmu(0, arg);
	uint64_t s = 0;
	for (unsigned k = 0; k < NPAD; k++)
		s += CNT_RETRY(o->cnt(k, arg), ~0ULL);
	return s;
}

static struct stat op_stat(const struct op *o, uint64_t arg, bool pmu)
{
	op_sample(o, arg, pmu); /* warm-up: first-use paths, not the steady cost */
	for (unsigned i = 0; i < nsamples; i++)
		samples[i] = op_sample(o, arg, pmu);
	return stats(samples, nsamples);
}

/* The PMU cycle counter, set to count at EL0, EL1 and EL2 (NSH). Returns NULL when usable, or
 * why not. `reset` zeroes the counter (not for benchswitch: two VMs may share it). */
static const char *pmu_setup(bool reset)
{
	uint64_t dfr = zt_read_sysreg(id_aa64dfr0_el1);
	unsigned ver = (dfr >> 8) & 0xf;
	static char why[96];

	if (ver == 0 || ver == 0xf)
		return "ID_AA64DFR0_EL1.PMUVer: no PMUv3";
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	zt_write_sysreg(PMCR_E | (reset ? PMCR_C : 0), pmcr_el0);
	zt_write_sysreg(PMCCFILTR_NSH, pmccfiltr_el0);
	zt_write_sysreg(PMCNTEN_C, pmcntenset_el0);
	zt_isb();
	uint64_t a = zt_read_sysreg(pmccntr_el0);
	bm_nops_100();
	uint64_t b = zt_read_sysreg(pmccntr_el0);
	struct zt_exc e = zt_exc_disarm();
	if (e.count) {
		zt_snprintf(why, sizeof(why), "PMU access trapped (ESR 0x%lx)",
			    (unsigned long)e.esr);
		return why;
	}
	if (b - a < 100) {
		zt_snprintf(why, sizeof(why), "PMCCNTR_EL0 does not count (%lu for 100 nops)",
			    (unsigned long)(b - a));
		return why;
	}
	return NULL;
}

static const char *clock_setup(bool reset)
{
	char buf[16];
	if (zt_bootarg("benchclk", buf, sizeof(buf)) && !strcmp(buf, "cntvct"))
		return "benchclk=cntvct";
	return pmu_setup(reset);
}

/* ---------------------------------------------------------------- measures */

static const struct op op_nop = OP(nop);
static struct stat nop_pmu, nop_cnt; /* `mrs; nop; mrs`: the baseline of every window */

static struct stat nop_base(bool pmu)
{
	return pmu ? nop_pmu : nop_cnt;
}

/* An operation's cost: instructions from the op to the next guest instruction, the op itself
 * included (so a plain load natively is 1). */
static void measure_op(const char *name, struct op o, uint64_t arg, const char *note)
{
	struct stat s = op_stat(&o, arg, use_pmu);
	report(name, s, 1 - (int64_t)nop_base(use_pmu).med, note);
}

static uint64_t sgi1r_value(unsigned sgi, unsigned cpu)
{
	uint64_t m = zt_plat.mpidr[cpu];
	unsigned aff0 = m & 0xff;
	return ((m >> 32) & 0xff) << ICC_SGI1R_AFF3_SHIFT |
	       ((m >> 16) & 0xff) << ICC_SGI1R_AFF2_SHIFT |
	       ((m >> 8) & 0xff) << ICC_SGI1R_AFF1_SHIFT |
	       (uint64_t)(aff0 >> 4) << ICC_SGI1R_RS_SHIFT |
	       (uint64_t)(sgi & 0xf) << ICC_SGI1R_INTID_SHIFT | (1u << (aff0 & 0xf));
}

/* SGI to self: latency from the ICC_SGI1R_EL1 write to the vector's first instruction, and
 * IAR + EOI inside the handler. */
static void measure_sgi_self(void)
{
	unsigned me = zt_cpu_id();
	uint64_t val = sgi1r_value(SGI_BENCH, me);
	bool pmu = use_pmu;
	uint64_t out[2];

	zt_gic_enable(me, SGI_BENCH);
	vbar(pmu ? bm_vectors_pmu : bm_vectors_cnt);
	bad = 0;
	for (int i = -1; i < (int)nsamples; i++) {
		uint64_t lat = 0, ack = 0;
		for (unsigned k = 0; k < (pmu ? 1 : NPAD); k++) {
			lat += pmu ? bm_sgi_self_pmu(0, val, out)
				   : CNT_RETRY(bm_sgi_self_cnt(k, val, out), ~0ULL);
			ack += out[0];
			if ((out[1] & ICC_IAR_INTID_MASK) != SGI_BENCH)
				bad++;
		}
		if (i >= 0) {
			samples[i] = lat;
			extra[i] = ack;
		}
	}
	vbar(zt_vectors);
	int64_t base = (int64_t)nop_base(pmu).med;
	/* The window holds one instruction (the SGI write) where the baseline holds the nop. */
	report("sgi_self", stats(samples, nsamples), 1 - base - 1 - (pmu ? 0 : CNT_VECTOR_PRE),
	       bad ? "(unexpected INTIDs)" : NULL);
	/* IAR read, CNTV_CTL write, EOI write: 3 instructions where the baseline has 1; the
	 * CNTV_CTL write (never trapped) is not counted. */
	report("irq_ack_eoi", stats(extra, nsamples), 1 - base - 1, NULL);
}

/* A timer: from the instant the counter reaches CVAL to the vector's first instruction, the
 * guest spinning or in WFI. Always CNTVCT: the physical timer's CVAL is converted to it. The
 * virtual timer is the guest's own hardware; the physical one traps and, under a hypervisor,
 * is emulated (ZVM: zvm/vdev/vptimer.c). */
static void measure_timer(bool phys, bool wfi)
{
	unsigned me = zt_cpu_id();
	unsigned intid = phys ? ZT_PTIMER_INTID : ZT_VTIMER_INTID;
	uint64_t out[2];
	/* Far enough ahead that the guest is spinning, or blocked in WFI, when it fires; the
	 * physical timer's arming itself traps. */
	uint64_t ahead = wfi ? 4000 : phys ? 400 : 64;

	zt_gic_enable(me, intid);
	vbar(phys ? bm_vectors_pcnt : bm_vectors_cnt);
	bad = 0;
	for (int i = -1; i < (int)nsamples; i++) {
		uint64_t lat = 0;
		for (unsigned k = 0; k < NPAD; k++) {
			lat += (phys ? bm_ptimer : bm_vtimer)(k, ahead, out, wfi);
			if ((out[1] & ICC_IAR_INTID_MASK) != intid)
				bad++;
		}
		if (i >= 0)
			samples[i] = lat;
	}
	vbar(zt_vectors);
	/* The first read is CVAL itself, exact: only the vector's own instructions come off. */
	static const char *const names[2][2] = {{"vtimer_spin", "vtimer_wfi"},
						{"ptimer_spin", "ptimer_wfi"}};
	report(names[phys][wfi], stats(samples, nsamples), -CNT_VECTOR_PRE,
	       bad ? "(unexpected INTIDs)" : NULL);
}

/* ---- SGI to another vCPU (CNTVCT: the only counter both vCPUs share) */

static volatile uint64_t r_ready, r_seq, r_t1, r_iar;
static volatile uint64_t r_wfi;

static void remote_fn(uint64_t shots)
{
	unsigned me = zt_cpu_id();
	uint64_t out[2];

	zt_gic_enable(me, SGI_BENCH);
	vbar(bm_vectors_cnt);
	for (uint64_t i = 0; i < shots; i++) {
		bm_remote_wait(&r_ready, out, r_wfi);
		r_t1 = out[0];
		r_iar = out[1];
		zt_dmb();
		r_seq = i + 1;
		zt_dsb();
	}
	vbar(zt_vectors);
}

static void measure_sgi_other(bool wfi)
{
	const unsigned target = 1;
	uint64_t shots = (uint64_t)(nsamples + 1) * NPAD;
	uint64_t val = sgi1r_value(SGI_BENCH, target);
	uint64_t seq = 0;
	const char *name = wfi ? "sgi_other_wfi" : "sgi_other_spin";

	if (zt_ensure_online(target)) {
		zt_printf("# %s: vCPU %u does not come online\n", name, target);
		return;
	}
	r_ready = 0;
	r_seq = 0;
	r_wfi = wfi;
	zt_dsb();
	if (!zt_cpu_post(target, remote_fn, shots)) {
		zt_printf("# %s: cannot post work to vCPU %u\n", name, target);
		return;
	}
	bad = 0;
	for (int i = -1; i < (int)nsamples; i++) {
		uint64_t lat = 0;
		for (unsigned k = 0; k < NPAD; k++) {
			if (!zt_wait(r_ready, 1000)) {
				zt_printf("# %s: vCPU %u never ready\n", name, target);
				return;
			}
			/* Let the target reach its WFI (and its hypervisor block it there).
			 * Sleeping, not spinning: QEMU's round robin then skips this CPU. */
			if (wfi)
				zt_sleep_until(zt_now() + zt_us(50));
			r_ready = 0;
			zt_dsb();
			uint64_t t0 = bm_sgi_send_cnt(k, val);
			if (!t0) { /* void phase: nothing was sent */
				r_ready = 1;
				k--;
				continue;
			}
			seq++;
			if (!zt_wait(r_seq == seq, 1000)) {
				zt_printf("# %s: SGI %lu not received\n", name, (unsigned long)seq);
				return;
			}
			lat += r_t1 - t0;
			if ((r_iar & ICC_IAR_INTID_MASK) != SGI_BENCH)
				bad++;
		}
		if (i >= 0)
			samples[i] = lat;
	}
	zt_cpu_wait_done(target, 1000);
	int64_t base = (int64_t)nop_cnt.med;
	report(name, stats(samples, nsamples), -base - CNT_VECTOR_PRE - 1 /* the yield */,
	       bad ? "(unexpected INTIDs)" : "(all CPUs' instructions)");
}

static unsigned bootarg_u(const char *key, unsigned def, unsigned max)
{
	char buf[16];
	if (!zt_bootarg(key, buf, sizeof(buf)) || !buf[0])
		return def;
	uint64_t v = zt_strtoull(buf, NULL);
	return v < 1 ? 1 : v > max ? max : (unsigned)v;
}

static void run_bench(void)
{
	const char *why = clock_setup(true);
	uint64_t gicd = zt_plat.gicd;

	nsamples = bootarg_u("benchn", nsamples, MAX_N) | 1; /* odd: a true median */
	nop_cnt = op_stat(&op_nop, 0, false);
	use_pmu = !why;
	if (use_pmu) {
		nop_pmu = op_stat(&op_nop, 0, true);
		/* PMCCNTR counts the hypervisor only with NSH honoured: then a hypercall costs the
		 * same on both clocks. */
		const struct op h = OP(hvc_smccc);
		int64_t p = (int64_t)(op_stat(&h, 0, true).med - nop_pmu.med);
		int64_t c = (int64_t)(op_stat(&h, 0, false).med - nop_cnt.med);
		if (p + 2 < c) {
			use_pmu = false;
			why = "PMCCNTR_EL0 misses hypervisor instructions (NSH ignored?)";
		}
		zt_printf("# hvc: %ld instructions by PMCCNTR, %ld by CNTVCT\n", (long)p, (long)c);
	}
	zt_printf("BENCH clock %s %s\n", use_pmu ? "pmu" : "cntvct",
		  use_pmu ? "PMCCNTR_EL0 with PMCCFILTR_EL0.NSH" : why);
	zt_printf("# baseline mrs;nop;mrs: %lu (PMCCNTR) %lu (CNTVCT x16)\n",
		  (unsigned long)nop_pmu.med, (unsigned long)nop_cnt.med);

	measure_op("hvc_smccc_version", (struct op)OP(hvc_smccc), 0, NULL);
	measure_op("hvc_psci_version", (struct op)OP(hvc_psci), 0, NULL);
	measure_op("mmio_gicd_read", (struct op)OP(mmio_read), gicd + GICD_TYPER, "(GICD_TYPER)");
	/* The priority of INTID 32, written back unchanged: it exists everywhere. */
	measure_op("mmio_gicd_write", (struct op)OP(mmio_write), gicd + GICD_IPRIORITYR(32),
		   "(GICD_IPRIORITYR8)");
	measure_sgi_self();
	measure_timer(false, false);
	measure_timer(false, true);
	measure_timer(true, false);
	measure_timer(true, true);
	if (zt_plat.nr_cpus >= 2) {
		measure_sgi_other(false);
		measure_sgi_other(true);
	}
	zt_result("bench", true, " ");
}
ZT_SET(bench, 1, run_bench, "virtualization micro-benchmarks (BENCH lines)");

/* ---- benchswitch: runs on a physical CPU shared with another VM */

static uint64_t runs[2 * 64];

static void run_switch(void)
{
	const char *why = clock_setup(false);
	unsigned n = bootarg_u("benchruns", 12, 64);
	bool pmu = !why;

	zt_printf("BENCH clock %s %s\n", pmu ? "pmu" : "cntvct",
		  pmu ? "PMCCNTR_EL0 with PMCCFILTR_EL0.NSH" : why);
	/* A gap is a stretch of at least 100000 instructions without this vCPU: another VM ran
	 * (host timer ticks and the like are far shorter). Give up after 2^32 instructions. */
	uint64_t got = pmu ? bm_runs_pmu(runs, n, 100000, 1ULL << 32)
			   : bm_runs_cnt(runs, n, 100000 / NPAD, (1ULL << 32) / NPAD);
	for (unsigned i = 0; i < got; i++)
		zt_printf("BENCHRUN %u %lu %lu\n", i, (unsigned long)runs[2 * i],
			  (unsigned long)runs[2 * i + 1]);
	zt_result("benchswitch", got == n, "%lu of %u runs recorded: nobody else ran",
		  (unsigned long)got, n);
}
ZT_SET(benchswitch, 1, run_switch, "record the runs of a vCPU sharing its CPU (BENCHRUN lines)");
