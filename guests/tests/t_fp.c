/* fp: FP/SIMD state must survive whatever the hypervisor does between guest instructions
 * (preemption by another VM on the same physical CPU, traps), and so must the pointer
 * authentication keys where the CPU has them (set before the FP rounds, checked after). Every
 * vCPU fills q0-q31, FPCR, FPSR (and the keys) with a pattern derived from its MPIDR, the
 * counter and the bootargs seed (zvmseed=N), then for zvmfpms=N ms (default 1500) of virtual
 * time re-checks them without running any code that touches FP, making a PSCI_VERSION hvc each
 * round. Two such VMs pinned to one physical CPU check the context switch: the counter makes
 * their patterns differ.
 *
 * This file is built with FP enabled (no -mgeneral-regs-only); the loop is fp_asm.S. */
#include "zt.h"

#include "arch/psci_defs.h"

int zt_fp_torture(uint64_t pat[66], uint64_t ticks, uint64_t info[4], uint64_t hvc_fid);

#define NR_KEYS 10 /* APIAKeyLo_EL1 ... APGAKeyHi_EL1 */

struct fp_job {
	uint64_t pat[66] __attribute__((aligned(16))); /* ldp q needs 16-byte alignment */
	uint64_t keys[NR_KEYS];
	int bad_key; /* 1 + index of the first key that changed, 0 if none */
	uint64_t bad_key_val;
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

static bool has_pauth(void)
{
	uint64_t isar1 = zt_read_sysreg(id_aa64isar1_el1), isar2 = zt_read_sysreg_s("S3_0_C0_C6_2");
	/* ISAR1 APA, API, GPA, GPI; ISAR2 GPA3, APA3 */
	return (isar1 & (0xffULL << 4 | 0xffULL << 24)) || (isar2 & (0xffULL << 8));
}

#define KEY_CASE(i, enc)                                                                           \
	case i:                                                                                    \
		if (write)                                                                         \
			zt_write_sysreg_s(val, enc);                                               \
		return zt_read_sysreg_s(enc)

/* Writes key register i (if write) and returns its value. */
static uint64_t key_access(unsigned i, bool write, uint64_t val)
{
	switch (i) {
		KEY_CASE(0, "S3_0_C2_C1_0");
		KEY_CASE(1, "S3_0_C2_C1_1");
		KEY_CASE(2, "S3_0_C2_C1_2");
		KEY_CASE(3, "S3_0_C2_C1_3");
		KEY_CASE(4, "S3_0_C2_C2_0");
		KEY_CASE(5, "S3_0_C2_C2_1");
		KEY_CASE(6, "S3_0_C2_C2_2");
		KEY_CASE(7, "S3_0_C2_C2_3");
		KEY_CASE(8, "S3_0_C2_C3_0");
		KEY_CASE(9, "S3_0_C2_C3_1");
	}
	return 0;
}

static void fp_run(uint64_t cpu)
{
	struct fp_job *j = &jobs[cpu];
	/* The counter makes two VMs of the same type (same seed, same MPIDRs) differ. */
	uint64_t s = zt_plat.seed ^ (zt_read_sysreg(mpidr_el1) * 0x2545f4914f6cdd1dULL) ^ zt_now();
	for (unsigned i = 0; i < 64; i++)
		j->pat[i] = splitmix(&s);
	j->pat[64] = splitmix(&s) & 0x07c00000; /* FPCR: AHP, DN, FZ, RMode */
	j->pat[65] = splitmix(&s) & 0xf800009f; /* FPSR: NZCV, QC, IDC, IXC..IOC */
	uint64_t fid = zt_plat.psci_smc ? 0 : PSCI_VERSION;
	bool keys = has_pauth();
	for (unsigned i = 0; keys && i < NR_KEYS; i++) {
		j->keys[i] = splitmix(&s);
		(void)key_access(i, true, j->keys[i]);
	}
	j->rc = zt_fp_torture(j->pat, zt_ms(zt_plat.fp_ms), j->info, fid);
	j->bad_key = 0;
	for (unsigned i = 0; keys && i < NR_KEYS && !j->bad_key; i++) {
		uint64_t v = key_access(i, false, 0);
		if (v != j->keys[i]) {
			j->bad_key = (int)i + 1;
			j->bad_key_val = v;
		}
	}
	zt_write_sysreg(0, fpcr);
	zt_write_sysreg(0, fpsr);
	zt_dmb();
	j->done = 1;
}

static void report_keys(unsigned cpu)
{
	struct fp_job *j = &jobs[cpu];
	char name[32];
	zt_snprintf(name, sizeof(name), "pauth_keys_vcpu%u", cpu);
	if (!j->bad_key) {
		zt_result(name, j->done, "vCPU %u did not finish", cpu);
		return;
	}
	unsigned k = (unsigned)j->bad_key - 1;
	zt_result(name, false, "key register %u changed: 0x%lx, want 0x%lx", k,
		  (unsigned long)j->bad_key_val, (unsigned long)j->keys[k]);
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
		if (has_pauth())
			report_keys(c);
	}
}
ZT_SET(fp, 1, run_fp, "FP/SIMD registers, FPCR and FPSR survive ~1.5 s on every vCPU");
