/* Saving and restoring a vCPU's EL1 state. It stays in the CPU for as long as the vCPU thread
 * runs there; the scheduler calls vcpu_put() when the thread is switched out and vcpu_load()
 * when it is switched back in (on whichever CPU), so exits never pay for it. */
#include <arch/sysreg.h>
#include <kernel/percpu.h>
#include <zvm/stage2.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>
#include <zvm/vm.h>

#define SCTLR_EL1_RESET 0x30d00800ULL /* RES1 bits; MMU and caches off */

/* The key registers by encoding (APIAKeyLo_EL1 ... APGAKeyHi_EL1), in pauth_keys[] order. */
#define KEYS(op)                                                                                   \
	op(0, "S3_0_C2_C1_0");                                                                     \
	op(1, "S3_0_C2_C1_1");                                                                     \
	op(2, "S3_0_C2_C1_2");                                                                     \
	op(3, "S3_0_C2_C1_3");                                                                     \
	op(4, "S3_0_C2_C2_0");                                                                     \
	op(5, "S3_0_C2_C2_1");                                                                     \
	op(6, "S3_0_C2_C2_2");                                                                     \
	op(7, "S3_0_C2_C2_3");                                                                     \
	op(8, "S3_0_C2_C3_0");                                                                     \
	op(9, "S3_0_C2_C3_1")
#define KEY_SAVE(i, enc) s->pauth_keys[i] = read_sysreg_s(enc)
#define KEY_RESTORE(i, enc)                                                                        \
	do {                                                                                       \
		if (read_sysreg_s(enc) != s->pauth_keys[i])                                        \
			write_sysreg_s(enc, s->pauth_keys[i]);                                     \
	} while (0)

/* Loads a register only when it holds another value (correct whoever wrote it meanwhile:
 * the live value is compared). Host threads do not touch them, so after a switch to one and
 * back they still hold the vCPU's values, and QEMU's TCG pays for every system register write (it
 * ends the translation block; a TCR_EL1 or SCTLR_EL1 write may flush its whole TLB, the host's
 * entries too): a vCPU switch cost about 12 us of wall time in writes alone. On hardware a read
 * costs no more than the write it saves. */
#define SET(reg, val)                                                                              \
	do {                                                                                       \
		uint64_t val_ = (val);                                                             \
		if (read_sysreg(reg) != val_)                                                      \
			write_sysreg(reg, val_);                                                   \
	} while (0)

void vcpu_sysregs_reset(struct vcpu *v)
{
	v->sys = (struct vcpu_sysregs){.sctlr = SCTLR_EL1_RESET, .oslk = true};
	vdebug_put(v); /* live only while loaded here: a reset by the vCPU's thread, IRQs masked */
	v->dbg = (struct vcpu_debug){0};
}

void vcpu_write_sysregs(struct vcpu *v)
{
	const struct vcpu_sysregs *s = &v->sys;

	SET(sctlr_el1, s->sctlr);
	SET(actlr_el1, s->actlr);
	SET(cpacr_el1, s->cpacr);
	SET(ttbr0_el1, s->ttbr0);
	SET(ttbr1_el1, s->ttbr1);
	SET(tcr_el1, s->tcr);
	SET(mair_el1, s->mair);
	SET(amair_el1, s->amair);
	SET(vbar_el1, s->vbar);
	SET(contextidr_el1, s->contextidr);
	SET(esr_el1, s->esr);
	SET(far_el1, s->far);
	SET(afsr0_el1, s->afsr0);
	SET(afsr1_el1, s->afsr1);
	SET(par_el1, s->par);
	SET(sp_el0, s->sp_el0);
	SET(sp_el1, s->sp_el1);
	SET(elr_el1, s->elr_el1);
	SET(spsr_el1, s->spsr_el1);
	SET(tpidr_el0, s->tpidr_el0);
	SET(tpidrro_el0, s->tpidrro_el0);
	SET(tpidr_el1, s->tpidr_el1);
	SET(csselr_el1, s->csselr);
	SET(cntkctl_el1, s->cntkctl);
	SET(mdscr_el1, s->mdscr);
	SET(cntv_cval_el0, s->cntv_cval);
	/* ISTATUS (bit 2) is read-only: it differs once the timer expired, without a write. */
	if ((read_sysreg(cntv_ctl_el0) ^ s->cntv_ctl) & ~(uint64_t)4)
		write_sysreg(cntv_ctl_el0, s->cntv_ctl);
	if (el2_guests_have_pauth()) {
		KEYS(KEY_RESTORE);
	}
	SET(vmpidr_el2, v->mpidr);
	SET(vttbr_el2, v->vm->s2.vttbr);
	isb();
}

void vcpu_load(struct vcpu *v)
{
	unsigned cpu = cpu_id();

	vcpu_write_sysregs(v);
	/* The vCPUs of a VM share its VMID, and each CPU's TLB is its own: entries one vCPU
	 * left here (its own ASIDs and non-global mappings, which another vCPU of the guest may
	 * use differently) could answer the next one's accesses. As KVM does, the VM's EL1
	 * entries go when another of its vCPUs was loaded here last. A vCPU whose invalidations
	 * are done locally (local_tlbi) also drops what it left here before running elsewhere:
	 * those missed the invalidations it made there. */
	if (v->vm->last_loaded[cpu] != v || (v->local_tlbi && v->tlb_cpu != (int)cpu)) {
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		dsb(nsh);
		isb();
		v->vm->last_loaded[cpu] = v;
	}
	v->tlb_cpu = (int)cpu;
	vdebug_load(v); /* breakpoints and watchpoints, if it has any enabled */
	vtimer_load(v);
	vgic_restore(v);
	this_cpu()->loaded_vcpu = v;
}

void vcpu_put(struct vcpu *v, bool stop_timer)
{
	struct vcpu_sysregs *s = &v->sys;

	/* A vCPU switched out while still runnable (preempted, or handing its CPU to its device
	 * worker) leaves the guest's timer live: a host thread running next takes at most one
	 * expiry, which vtimer_irq() silences (CNTV_CTL 0; the value saved here is what counts),
	 * and the next vCPU's load overwrites it. Coming back after a host thread, the load then
	 * finds every register as it left them and writes none (SET): a CNTV_CTL_EL0 write costs
	 * QEMU's TCG a timer reprogramming under its big lock, 9 us of wall time. One that blocks
	 * stops it: its wait's own timeout wakes it, and an expiry meanwhile would only be a
	 * second interrupt. */
	s->cntv_ctl = read_sysreg(cntv_ctl_el0);
	s->cntv_cval = read_sysreg(cntv_cval_el0);
	if (stop_timer)
		write_sysreg(cntv_ctl_el0, 0);
	vtimer_put(v);
	s->sctlr = read_sysreg(sctlr_el1);
	s->actlr = read_sysreg(actlr_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->par = read_sysreg(par_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->sp_el1 = read_sysreg(sp_el1);
	s->elr_el1 = read_sysreg(elr_el1);
	s->spsr_el1 = read_sysreg(spsr_el1);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
	s->tpidr_el1 = read_sysreg(tpidr_el1);
	s->csselr = read_sysreg(csselr_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->mdscr = read_sysreg(mdscr_el1);
	vdebug_put(v); /* the next thread must not inherit them (v->dbg is always current) */
	if (el2_guests_have_pauth()) {
		KEYS(KEY_SAVE);
	}
	vgic_save(v);
	this_cpu()->loaded_vcpu = NULL;
}
