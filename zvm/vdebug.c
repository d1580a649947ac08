/* Guests and the debug architecture. MDCR_EL2.TDA/TDOSA/TDRA trap every debug register access
 * (op0 = 2), so the guest's values live in its vCPU and ZVM decides what reaches the hardware.
 *
 * Breakpoints and watchpoints: each vCPU has all the CPU has (ID_AA64DFR0_EL1 BRPs/WRPs, shown
 * to the guest unchanged), stored as written minus RES0 bits (vdebug_regs.c). Numbers past the
 * CPU's count are UNDEFINED, as on the CPU itself. The hardware gets a sanitised copy that
 * only matches at EL1/EL0, Non-secure, never by VMID or CONTEXTIDR_EL2, so a guest's setting
 * cannot fire at EL2 (where MDCR_EL2.TDE = 0 and HCR_EL2.TGE = 0 disable debug exceptions
 * anyway), in another VM or in another world. Lazily: the hardware ones stay off (as
 * vdebug_init_cpu leaves them) while the loaded vCPU has none enabled, or has its OS lock set
 * (which disables them architecturally); once it enables one (v->dbg_live) they are written
 * at every change and at vcpu_load, and turned off at vcpu_put. A guest that never enables
 * one costs one test at each load and put and nothing on the exit path.
 *
 * MDSCR_EL1 (software step, debug exception enables) is the guest's and is switched with the
 * vCPU (vcpu_sr.c). The OS lock is a per-vCPU bit, shown in OSLSR_EL1 with "OS lock
 * implemented". Everything else (claim tags, DCC, OS double lock, power control, ROM address,
 * trace) reads as zero. The PMU stays the guests' (HPMN = all counters). */
#include <arch/sysreg.h>
#include <arch/irq.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdebug_hw.h>

#define SR_MDSCR_EL1 SYSREG(2, 0, 0, 2, 2)
#define SR_OSLAR_EL1 SYSREG(2, 0, 1, 0, 4)
#define SR_OSLSR_EL1 SYSREG(2, 0, 1, 1, 4)
#define OSLSR_OSLM1  (1u << 3)
#define OSLSR_OSLK   (1u << 1)

/* DBGBVRn, DBGBCRn, DBGWVRn, DBGWCRn: op0 = 2, op1 = 0, CRn = 0, CRm = n, op2 = 4..7. */
#define SR_DBG_MASK	SYSREG(3, 7, 15, 0, 4)
#define SR_DBG		SYSREG(2, 0, 0, 0, 4)
#define SR_DBG_N(reg)	(((reg) >> 1) & 0xf)
#define SR_DBG_OP2(reg) (((reg) >> 17) & 3)

#define MDCR_TDA   (1ULL << 9)
#define MDCR_TDOSA (1ULL << 10)
#define MDCR_TDRA  (1ULL << 11)
#define MDCR_TPMS  (1ULL << 14)
#define MDCR_TTRF  (1ULL << 19)

/* What every CPU has: the smallest counts over the CPUs brought up, so a vCPU's registers
 * exist wherever it runs (on a board mixing cores, more would be UNDEFINED at EL2 on the
 * smaller ones). Guests see these counts in ID_AA64DFR0_EL1 (vdebug_dfr0_view). */
static struct vdebug_limits lim;
static struct k_spinlock lim_lock;

static bool wanted(const struct vcpu *v)
{
	return v->dbg.enabled && !v->sys.oslk;
}

/* The hardware to match v's registers, v loaded on this CPU, IRQs masked. A load rewrites
 * every one (a link makes one breakpoint's validity depend on another's type). */
void vdebug_sync(struct vcpu *v)
{
	if (wanted(v)) {
		vdebug_hw_load(&v->dbg, &lim);
		v->dbg_live = true;
	} else if (v->dbg_live) {
		vdebug_hw_off(&lim);
		v->dbg_live = false;
	}
}

void vdebug_off(struct vcpu *v)
{
	vdebug_hw_off(&lim);
	v->dbg_live = false;
}

static uint64_t *bank_reg(struct vcpu_debug *d, unsigned op2, unsigned n)
{
	uint64_t *banks[] = {d->bvr, d->bcr, d->wvr, d->wcr}; /* by op2 & 3 */

	if (n >= ((op2 & 2) ? lim.wrps : lim.brps))
		return NULL;
	return &banks[op2][n];
}

static bool bp_wp_access(struct vcpu *v, uint32_t reg, bool read, unsigned rt)
{
	struct vcpu_debug *d = &v->dbg;
	unsigned n = SR_DBG_N(reg), op2 = SR_DBG_OP2(reg);
	uint64_t *r = bank_reg(d, op2, n);

	if (!r)
		return false;
	if (read) {
		vcpu_set_reg(v, rt, *r);
		return true;
	}
	uint64_t val = vcpu_get_reg(v, rt);
	unsigned bit = op2 == 1 ? n : 16 + n;

	if (op2 == 1)
		*r = vdebug_bcr_store(val);
	else if (op2 == 3)
		*r = vdebug_wcr_store(val);
	else
		*r = vdebug_vr_store(val);
	if (op2 & 1)
		d->enabled = (d->enabled & ~(1u << bit)) | ((*r & DBGCR_E) ? 1u << bit : 0);
	/* A trapped access is handled in the exit's exception context, IRQs masked: no switch
	 * comes between the copy and the hardware. */
	if (v->dbg_live || wanted(v))
		vdebug_sync(v);
	return true;
}

bool vdebug_access(struct vcpu *v, uint32_t reg, bool read, unsigned rt)
{
	if ((reg & SR_DBG_MASK) == SR_DBG)
		return bp_wp_access(v, reg, read, rt);
	switch (reg) {
	case SR_MDSCR_EL1:
		if (read)
			vcpu_set_reg(v, rt, read_sysreg(mdscr_el1));
		else
			write_sysreg(mdscr_el1, vcpu_get_reg(v, rt));
		return true;
	case SR_OSLAR_EL1:
		if (!read) {
			v->sys.oslk = vcpu_get_reg(v, rt) & 1;
			if (v->dbg_live || wanted(v))
				vdebug_sync(v); /* IRQs masked, as above */
		}
		return true;
	case SR_OSLSR_EL1:
		if (read)
			vcpu_set_reg(v, rt, OSLSR_OSLM1 | (v->sys.oslk ? OSLSR_OSLK : 0));
		return true;
	}
	if (read)
		vcpu_set_reg(v, rt, 0);
	return true;
}

void vdebug_init_cpu(void)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	struct vdebug_limits here = vdebug_limits_from_dfr0(dfr0);
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
	vdebug_hw_off(&here);
	k_spinlock_key_t key = k_spin_lock(&lim_lock);

	struct vdebug_limits was = lim;

	lim = lim.brps ? vdebug_limits_common(&lim, &here) : here;
	k_spin_unlock(&lim_lock, key);
	if (was.brps &&
	    (here.brps != was.brps || here.wrps != was.wrps || here.ctx_cmps != was.ctx_cmps))
		pr_warn("vdebug: CPU %u has other breakpoint/watchpoint counts: guests get %u/%u "
			"(%u context-aware)\n",
			cpu_id(), lim.brps, lim.wrps, lim.ctx_cmps);
}

uint64_t vdebug_guest_dfr0(uint64_t dfr0)
{
	return vdebug_dfr0_view(dfr0, &lim);
}
