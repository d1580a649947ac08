/* Guests and the debug architecture. MDCR_EL2.TDA/TDOSA/TDRA trap every debug register access
 * (op0 = 2). Breakpoints and watchpoints are not given to guests: their registers read as zero
 * and ignore writes, so a VM's settings never reach another VM or the host, and the hardware
 * ones stay disabled. MDSCR_EL1 (software step, debug exception enables) is the guest's and is
 * switched with the vCPU (vcpu_sr.c). The OS lock is a per-vCPU bit, shown in OSLSR_EL1 with
 * "OS lock implemented". Everything else (claim tags, DCC, OS double lock, power control, ROM
 * address, trace) reads as zero. The PMU stays the guests' (HPMN = all counters). */
#include <arch/sysreg.h>
#include <zvm/vcpu_internal.h>

#define SR_MDSCR_EL1 SYSREG(2, 0, 0, 2, 2)
#define SR_OSLAR_EL1 SYSREG(2, 0, 1, 0, 4)
#define SR_OSLSR_EL1 SYSREG(2, 0, 1, 1, 4)
#define OSLSR_OSLM1  (1u << 3)
#define OSLSR_OSLK   (1u << 1)

#define MDCR_TDA   (1ULL << 9)
#define MDCR_TDOSA (1ULL << 10)
#define MDCR_TDRA  (1ULL << 11)
#define MDCR_TPMS  (1ULL << 14)
#define MDCR_TTRF  (1ULL << 19)

void vdebug_access(struct vcpu *v, uint32_t reg, bool read, unsigned rt)
{
	switch (reg) {
	case SR_MDSCR_EL1:
		if (read)
			vcpu_set_reg(v, rt, read_sysreg(mdscr_el1));
		else
			write_sysreg(mdscr_el1, vcpu_get_reg(v, rt));
		return;
	case SR_OSLAR_EL1:
		if (!read)
			v->sys.oslk = vcpu_get_reg(v, rt) & 1;
		return;
	case SR_OSLSR_EL1:
		if (read)
			vcpu_set_reg(v, rt, OSLSR_OSLM1 | (v->sys.oslk ? OSLSR_OSLK : 0));
		return;
	}
	if (read)
		vcpu_set_reg(v, rt, 0);
}

/* Breakpoint or watchpoint n's control register, by name in the instruction. */
#define CR_OFF(kind, n)                                                                            \
	case n:                                                                                    \
		write_sysreg(dbg##kind##cr##n##_el1, 0);                                           \
		break
#define CR_OFF_ALL(kind)                                                                           \
	CR_OFF(kind, 0);                                                                           \
	CR_OFF(kind, 1);                                                                           \
	CR_OFF(kind, 2);                                                                           \
	CR_OFF(kind, 3);                                                                           \
	CR_OFF(kind, 4);                                                                           \
	CR_OFF(kind, 5);                                                                           \
	CR_OFF(kind, 6);                                                                           \
	CR_OFF(kind, 7);                                                                           \
	CR_OFF(kind, 8);                                                                           \
	CR_OFF(kind, 9);                                                                           \
	CR_OFF(kind, 10);                                                                          \
	CR_OFF(kind, 11);                                                                          \
	CR_OFF(kind, 12);                                                                          \
	CR_OFF(kind, 13);                                                                          \
	CR_OFF(kind, 14);                                                                          \
	CR_OFF(kind, 15)

static void breakpoint_off(unsigned n)
{
	switch (n) {
		CR_OFF_ALL(b);
	}
}

static void watchpoint_off(unsigned n)
{
	switch (n) {
		CR_OFF_ALL(w);
	}
}

void vdebug_init_cpu(void)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned brps = ((dfr0 >> 12) & 0xf) + 1, wrps = ((dfr0 >> 20) & 0xf) + 1;
	unsigned pmuver = (dfr0 >> 8) & 0xf;
	uint64_t mdcr = MDCR_TDA | MDCR_TDOSA | MDCR_TDRA;

	if (pmuver && pmuver != 0xf) /* PMUv3: every counter to the guests */
		mdcr |= (read_sysreg(pmcr_el0) >> 11) & 0x1f;
	if (dfr0 & (0xfULL << 40)) /* TraceFilt: TRFCR_EL1 exists */
		mdcr |= MDCR_TTRF;
	if (dfr0 & (0xfULL << 32)) { /* SPE: its controls trap, its buffer (EL2's) stays off */
		mdcr |= MDCR_TPMS;
		write_sysreg_s("S3_0_C9_C10_0", 0); /* PMBLIMITR_EL1 */
	}
	write_sysreg(mdcr_el2, mdcr);
	/* The OS lock (1 after a cold reset) would hold back the guests' software step: the
	 * one a guest sets is emulated per vCPU, the real one stays open. */
	write_sysreg(oslar_el1, 0);
	/* They reset to UNKNOWN values: disable every one the CPU has. */
	for (unsigned n = 0; n < brps; n++)
		breakpoint_off(n);
	for (unsigned n = 0; n < wrps; n++)
		watchpoint_off(n);
}
