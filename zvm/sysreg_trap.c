/* Trapped system register accesses (EC 0x18), by encoding. What is not listed is an undefined
 * instruction for the guest, as on a CPU without that register. */
#include <arch/sysreg.h>
#include <zvm/guest_log.h>
#include <zvm/id_regs.h>
#include <zvm/setway.h>
#include <zvm/stage2.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vptimer.h>

/* ISS fields of EC 0x18. */
#define ISS_READ(iss) ((iss)&1)
#define ISS_RT(iss)   (((iss) >> 5) & 0x1f)

#define SR_ICC_SGI1R  SYSREG(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R SYSREG(3, 0, 12, 11, 6)
#define SR_ICC_SGI0R  SYSREG(3, 0, 12, 11, 7)
#define SR_CNTP_TVAL  SYSREG(3, 3, 14, 2, 0)
#define SR_CNTP_CTL   SYSREG(3, 3, 14, 2, 1)
#define SR_CNTP_CVAL  SYSREG(3, 3, 14, 2, 2)
#define SR_ACTLR_EL1  SYSREG(3, 0, 1, 0, 1)
#define SR_DC_ISW     SYSREG(1, 0, 7, 6, 2)
#define SR_DC_CSW     SYSREG(1, 0, 7, 10, 2)
#define SR_DC_CISW    SYSREG(1, 0, 7, 14, 2)

/* The ID register space (HCR_EL2.TID3): op0=3, op1=0, CRn=0, CRm=1..7. */
#define SR_ID_SPACE_MASK SYSREG(3, 7, 15, 8, 0)
#define SR_ID_SPACE	 SYSREG(3, 0, 0, 0, 0)
#define SR_CRM(iss)	 (((iss) >> 1) & 0xf)
/* RAS error record registers: op0=3, op1=0, CRn=5, CRm=3..5 (ERRIDR ... ERXMISC3). */
#define SR_ERR_SPACE_MASK SYSREG(3, 7, 15, 0, 0)
#define SR_ERR_SPACE	  SYSREG(3, 0, 5, 0, 0)
#define SR_OP0(iss)	  (((iss) >> 20) & 3)
#define SR_OP2(iss)	  (((iss) >> 17) & 7)

/* The register's name is part of the instruction: one case per encoding. */
#define ID_CASE(crm, op2)                                                                          \
	case ID_REG(crm, op2):                                                                     \
		return read_sysreg_s("S3_0_C0_C" #crm "_" #op2)
#define ID_CASES(crm)                                                                              \
	ID_CASE(crm, 0);                                                                           \
	ID_CASE(crm, 1);                                                                           \
	ID_CASE(crm, 2);                                                                           \
	ID_CASE(crm, 3);                                                                           \
	ID_CASE(crm, 4);                                                                           \
	ID_CASE(crm, 5);                                                                           \
	ID_CASE(crm, 6);                                                                           \
	ID_CASE(crm, 7)

static uint64_t id_reg_read_hw(unsigned id)
{
	switch (id) {
		ID_CASES(1);
		ID_CASES(2);
		ID_CASES(3);
		ID_CASES(4);
		ID_CASES(5);
		ID_CASES(6);
		ID_CASES(7);
	}
	return 0;
}

void sysreg_trap_handle(struct vcpu *v, uint64_t esr)
{
	uint32_t iss = esr & 0x1ffffff;
	unsigned rt = ISS_RT(iss);
	bool read = ISS_READ(iss);

	/* The one trapped register on a hot path (every IPI a guest sends): first, ahead of the
	 * switch's search over the other encodings. */
	if (__builtin_expect((iss & SYSREG_ISS_MASK) == SR_ICC_SGI1R, 1)) {
		if (!read)
			vgic_write_sgi1r(v, vcpu_get_reg(v, rt));
		else
			vcpu_set_reg(v, rt, 0);
		vcpu_skip_a64(v);
		return;
	}
	switch (iss & SYSREG_ISS_MASK) {
	case SR_ICC_ASGI1R:
	case SR_ICC_SGI0R: /* group 0 SGIs: the guest's interrupts are all group 1 */
	case SR_ACTLR_EL1: /* IMPLEMENTATION DEFINED: the guest sees none of ours */
		if (read)
			vcpu_set_reg(v, rt, 0);
		break;
	case SR_CNTP_CTL: /* the EL1 physical timer, emulated per vCPU */
		vptimer_access(v, VPTIMER_CTL, read, rt);
		break;
	case SR_CNTP_CVAL:
		vptimer_access(v, VPTIMER_CVAL, read, rt);
		break;
	case SR_CNTP_TVAL:
		vptimer_access(v, VPTIMER_TVAL, read, rt);
		break;
	case SR_DC_ISW: /* set/way maintenance: a flush of the VM's RAM instead (setway.c) */
	case SR_DC_CSW:
	case SR_DC_CISW:
		setway_dc(v);
		break;
		TVM_CASES /* HCR_EL2.TVM, on while set/way maintenance is tracked (setway.c) */
		    if (!setway_tvm_access(v, iss & SYSREG_ISS_MASK, read, rt)) return;
		break;
	default:
		if ((iss & SR_ID_SPACE_MASK) == SR_ID_SPACE && SR_CRM(iss) && read) {
			unsigned id = ID_REG(SR_CRM(iss), SR_OP2(iss));
			uint64_t val = id_reg_guest_view(id, id_reg_read_hw(id), stage2_ipa_bits());

			/* The breakpoint counts every CPU has, not just this one (vdebug.c). */
			vcpu_set_reg(v, rt, id == ID_AA64DFR0 ? vdebug_guest_dfr0(val) : val);
		} else if ((iss & SR_ERR_SPACE_MASK) == SR_ERR_SPACE && SR_CRM(iss) >= 3 &&
			   SR_CRM(iss) <= 5) {
			/* RAS error records (HCR_EL2.TERR): the guest has none (ERRIDR = 0). */
			if (read)
				vcpu_set_reg(v, rt, 0);
		} else if (SR_OP0(iss) == 2 && vdebug_access(v, iss & SYSREG_ISS_MASK, read, rt)) {
			/* a debug register (false: one the CPU does not have, undefined) */
		} else {
			guest_log(
			    v, "%s of unknown system register (ISS 0x%x) at pc 0x%llx: undefined",
			    read ? "read" : "write", iss, (unsigned long long)v->regs.pc);
			vcpu_inject_undef(v);
			return;
		}
	}
	vcpu_skip_a64(v);
}
