/* fp: FP/SIMD state must survive whatever the hypervisor does between guest instructions
 * (preemption by another VM on the same physical CPU, traps). Every vCPU fills q0-q31, FPCR and
 * FPSR with a pattern derived from its MPIDR and the bootargs seed (zvmseed=N), then for
 * zvmfpms=N ms (default 1500) of virtual time re-checks them without running any code that
 * touches FP, making a PSCI_VERSION hvc each round. Run two such VMs with different seeds
 * pinned to one physical CPU to check the FP context switch.
 *
 * This file is built with FP enabled (no -mgeneral-regs-only); the loop is fp_asm.S. */
#include "zt.h"

#include "arch/psci_defs.h"

int zt_fp_torture(uint64_t pat[66], uint64_t ticks, uint64_t info[4], uint64_t hvc_fid);

struct fp_job {
	uint64_t pat[66] __attribute__((aligned(16))); /* ldp q needs 16-byte alignment */
	uint64_t info[4];
	volatile int64_t rc;
	volatile int done;
};
static struct fp_job jobs[ZT_MAX_CPUS];

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void fp_run(uint64_t cpu)
{
	struct fp_job *j = &jobs[cpu];
	uint64_t s = zt_plat.seed ^ (zt_read_sysreg(mpidr_el1) * 0x2545f4914f6cdd1dULL);
	for (unsigned i = 0; i < 64; i++)
		j->pat[i] = splitmix(&s);
	j->pat[64] = splitmix(&s) & 0x07c00000; /* FPCR: AHP, DN, FZ, RMode */
	j->pat[65] = splitmix(&s) & 0xf800009f; /* FPSR: NZCV, QC, IDC, IXC..IOC */
	uint64_t fid = zt_plat.psci_smc ? 0 : PSCI_VERSION;
	j->rc = zt_fp_torture(j->pat, zt_ms(zt_plat.fp_ms), j->info, fid);
	zt_write_sysreg(0, fpcr);
	zt_write_sysreg(0, fpsr);
	zt_dmb();
	j->done = 1;
}

static void report(unsigned cpu)
{
	struct fp_job *j = &jobs[cpu];
	char name[32];
	zt_snprintf(name, sizeof(name), "fp_regs_vcpu%u", cpu);
	if (!j->done) {
		zt_result(name, false, "vCPU %u did not finish within %u ms", cpu,
			  zt_plat.fp_ms + 10000);
		return;
	}
	if (j->rc == 0) {
		zt_note("vCPU %u: %lu rounds, FPCR 0x%lx FPSR 0x%lx", cpu,
			(unsigned long)j->info[3], (unsigned long)j->pat[64],
			(unsigned long)j->pat[65]);
		zt_result(name, j->info[3] > 0, "no round completed");
		return;
	}
	unsigned r = (unsigned)j->info[0];
	if (r < 32)
		zt_result(name, false,
			  "q%u changed after %lu rounds: 0x%016lx%016lx, want 0x%016lx%016lx", r,
			  (unsigned long)j->info[3], (unsigned long)j->info[2],
			  (unsigned long)j->info[1], (unsigned long)j->pat[2 * r + 1],
			  (unsigned long)j->pat[2 * r]);
	else
		zt_result(name, false, "%s changed after %lu rounds: 0x%lx, want 0x%lx",
			  r == 32 ? "FPCR" : "FPSR", (unsigned long)j->info[3],
			  (unsigned long)j->info[1], (unsigned long)j->pat[64 + (r - 32)]);
}

static void run_fp(void)
{
	unsigned me = zt_cpu_id();
	zt_note("seed %lu, %u ms per vCPU", (unsigned long)zt_plat.seed, zt_plat.fp_ms);
	for (unsigned c = 0; c < zt_plat.nr_cpus; c++) {
		jobs[c].done = 0;
		if (c == me)
			continue;
		if (zt_ensure_online(c) == 0)
			(void)zt_cpu_post(c, fp_run, c);
	}
	fp_run(me);
	for (unsigned c = 0; c < zt_plat.nr_cpus; c++) {
		if (c != me)
			zt_wait(jobs[c].done, 10000);
		report(c);
	}
}
ZT_SET(fp, 1, run_fp, "FP/SIMD registers, FPCR and FPSR survive ~1.5 s on every vCPU");
