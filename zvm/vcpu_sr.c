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
#define KEY_SAVE(i, enc)    s->pauth_keys[i] = read_sysreg_s(enc)
#define KEY_RESTORE(i, enc) write_sysreg_s(enc, s->pauth_keys[i])

void vcpu_sysregs_reset(struct vcpu *v)
{
	v->sys = (struct vcpu_sysregs){.sctlr = SCTLR_EL1_RESET, .oslk = true};
	vdebug_put(v); /* live only while loaded here: a reset by the vCPU's thread, IRQs masked */
	v->dbg = (struct vcpu_debug){0};
}

void vcpu_write_sysregs(struct vcpu *v)
{
	const struct vcpu_sysregs *s = &v->sys;

	write_sysreg(sctlr_el1, s->sctlr);
	write_sysreg(actlr_el1, s->actlr);
	write_sysreg(cpacr_el1, s->cpacr);
	write_sysreg(ttbr0_el1, s->ttbr0);
	write_sysreg(ttbr1_el1, s->ttbr1);
	/* Written only when it differs: QEMU (TCG) flushes its whole TLB, the host's entries too,
	 * at every TCR_EL1 write, which made each vCPU switch cost a TLB refill in wall time. On
	 * hardware rewriting the same value changes nothing. */
	if (read_sysreg(tcr_el1) != s->tcr)
		write_sysreg(tcr_el1, s->tcr);
	write_sysreg(mair_el1, s->mair);
	write_sysreg(amair_el1, s->amair);
	write_sysreg(vbar_el1, s->vbar);
	write_sysreg(contextidr_el1, s->contextidr);
	write_sysreg(esr_el1, s->esr);
	write_sysreg(far_el1, s->far);
	write_sysreg(afsr0_el1, s->afsr0);
	write_sysreg(afsr1_el1, s->afsr1);
	write_sysreg(par_el1, s->par);
	write_sysreg(sp_el0, s->sp_el0);
	write_sysreg(sp_el1, s->sp_el1);
	write_sysreg(elr_el1, s->elr_el1);
	write_sysreg(spsr_el1, s->spsr_el1);
	write_sysreg(tpidr_el0, s->tpidr_el0);
	write_sysreg(tpidrro_el0, s->tpidrro_el0);
	write_sysreg(tpidr_el1, s->tpidr_el1);
	write_sysreg(csselr_el1, s->csselr);
	write_sysreg(cntkctl_el1, s->cntkctl);
	write_sysreg(mdscr_el1, s->mdscr);
	write_sysreg(cntv_cval_el0, s->cntv_cval);
	write_sysreg(cntv_ctl_el0, s->cntv_ctl);
	if (el2_guests_have_pauth()) {
		KEYS(KEY_RESTORE);
	}
	write_sysreg(vmpidr_el2, v->mpidr);
	write_sysreg(vttbr_el2, v->vm->s2.vttbr);
	isb();
}

void vcpu_load(struct vcpu *v)
{
	unsigned cpu = cpu_id();

	vcpu_write_sysregs(v);
	/* The vCPUs of a VM share its VMID, and each CPU's TLB is its own: entries one vCPU
	 * left here (its own ASIDs and non-global mappings, which another vCPU of the guest may
	 * use differently) could answer the next one's accesses. As KVM does, the VM's EL1
	 * entries go when another of its vCPUs was loaded here last. */
	if (v->vm->last_loaded[cpu] != v) {
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		dsb(nsh);
		isb();
		v->vm->last_loaded[cpu] = v;
	}
	vdebug_load(v); /* breakpoints and watchpoints, if it has any enabled */
	vtimer_load(v);
	vgic_restore(v);
	this_cpu()->loaded_vcpu = v;
}

void vcpu_put(struct vcpu *v)
{
	struct vcpu_sysregs *s = &v->sys;

	/* Stop the guest's timer first, so it cannot fire for the next thread. */
	s->cntv_ctl = read_sysreg(cntv_ctl_el0);
	s->cntv_cval = read_sysreg(cntv_cval_el0);
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
