/* Synchronous exceptions injected into a guest, as the CPU would take them at EL1. The vCPU's
 * EL1 registers are live in the CPU whenever its thread runs, so they are written directly. */
#include <arch/sysreg.h>
#include <zvm/aarch32.h>
#include <zvm/vcpu_internal.h>

#define EC_UNKNOWN	0x00
#define EC_IABT_CUR	0x21
#define EC_DABT_CUR	0x25
#define ESR_IL		(1ULL << 25)
#define FSC_EXT_ABORT	0x10
#define PSTATE_MODE	0xf
#define MODE_EL1T	0x4
#define MODE_EL1H	0x5
#define VECTOR_CUR_SP0	0x000
#define VECTOR_CUR_SPX	0x200
#define VECTOR_LOWER_64 0x400
#define VECTOR_LOWER_32 0x600

/* Which vector the exception uses depends on where the guest was: EL1 with SP_EL1 or SP_EL0,
 * or EL0 in AArch64 or AArch32. An abort taken from EL0 has the "lower EL" class, one lower
 * than the current-EL class. IL is 1: it is for these classes (and aborts without ISV). */
static void inject_sync(struct vcpu *v, unsigned ec_cur, uint64_t iss, bool has_far, uint64_t far)
{
	uint64_t mode = v->regs.pstate & PSTATE_MODE;
	uint64_t offset = (v->regs.pstate & PSR_AA32) ? VECTOR_LOWER_32
			  : mode == MODE_EL1H	      ? VECTOR_CUR_SPX
			  : mode == MODE_EL1T	      ? VECTOR_CUR_SP0
						      : VECTOR_LOWER_64;
	unsigned ec = ec_cur;

	if (offset >= VECTOR_LOWER_64 && ec_cur != EC_UNKNOWN)
		ec = ec_cur - 1;
	write_sysreg(esr_el1, ((uint64_t)ec << 26) | ESR_IL | iss);
	if (has_far)
		write_sysreg(far_el1, far);
	write_sysreg(elr_el1, v->regs.pc);
	write_sysreg(spsr_el1, v->regs.pstate);
	v->regs.pstate = PSTATE_EL1H_MASKED;
	v->regs.pc = read_sysreg(vbar_el1) + offset;
}

void vcpu_inject_undef(struct vcpu *v)
{
	inject_sync(v, EC_UNKNOWN, 0, false, 0);
}

/* Every stage-2 abort class reaches the guest as a synchronous external abort (FSC 0x10), as
 * KVM does: the fault is not in the guest's own translation tables, so a translation or
 * permission code would send its handler looking at the wrong tables; alignment at stage 2
 * cannot happen (no Device mapping at stage 2), and hardware errors are external aborts from
 * the guest's point of view too. */
void vcpu_inject_dabt(struct vcpu *v, uint64_t far)
{
	/* Keep WnR from the original syndrome; the guest sees a synchronous external abort. */
	inject_sync(v, EC_DABT_CUR, (v->esr & (1u << 6)) | FSC_EXT_ABORT, true, far);
}

void vcpu_inject_iabt(struct vcpu *v, uint64_t far)
{
	inject_sync(v, EC_IABT_CUR, FSC_EXT_ABORT, true, far);
}
