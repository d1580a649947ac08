/* Trapped system register accesses (EC 0x18), by encoding. What is not listed is an undefined
 * instruction for the guest, as on a CPU without that register. */
#include <zvm/guest_log.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>

/* ISS fields of EC 0x18. */
#define ISS_READ(iss) ((iss)&1)
#define ISS_RT(iss)   (((iss) >> 5) & 0x1f)
/* Op0, Op2, Op1, CRn, CRm packed as in the ISS, direction and Rt masked out. */
#define ISS_SYSREG_MASK 0x3ffc1e
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))

#define SR_ICC_SGI1R  SYSREG(3, 0, 12, 11, 5)
#define SR_ICC_ASGI1R SYSREG(3, 1, 12, 11, 6)
#define SR_ICC_SGI0R  SYSREG(3, 2, 12, 11, 7)
#define SR_CNTP_TVAL  SYSREG(3, 3, 14, 2, 0)
#define SR_CNTP_CTL   SYSREG(3, 3, 14, 2, 1)
#define SR_CNTP_CVAL  SYSREG(3, 3, 14, 2, 2)
#define SR_ACTLR_EL1  SYSREG(3, 0, 1, 0, 1)
#define SR_DC_ISW     SYSREG(1, 0, 7, 6, 2)
#define SR_DC_CSW     SYSREG(1, 0, 7, 10, 2)
#define SR_DC_CISW    SYSREG(1, 0, 7, 14, 2)

void sysreg_trap_handle(struct vcpu *v, uint64_t esr)
{
	uint32_t iss = esr & 0x1ffffff;
	unsigned rt = ISS_RT(iss);
	bool read = ISS_READ(iss);

	switch (iss & ISS_SYSREG_MASK) {
	case SR_ICC_SGI1R:
		if (!read)
			vgic_write_sgi1r(v, vcpu_get_reg(v, rt));
		else
			vcpu_set_reg(v, rt, 0);
		break;
	case SR_ICC_ASGI1R:
	case SR_ICC_SGI0R: /* group 0 SGIs: the guest's interrupts are all group 1 */
	case SR_ACTLR_EL1: /* IMPLEMENTATION DEFINED: the guest sees none of ours */
	case SR_CNTP_TVAL: /* the EL1 physical timer is not offered (absent from the DT) */
	case SR_CNTP_CTL:
	case SR_CNTP_CVAL:
		if (read)
			vcpu_set_reg(v, rt, 0);
		break;
	case SR_DC_ISW: /* set/way maintenance: meaningless for a guest; coherency is by FB/VA */
	case SR_DC_CSW:
	case SR_DC_CISW:
		break;
	default:
		guest_log(v, "%s of unknown system register (ISS 0x%x) at pc 0x%llx: undefined",
			  read ? "read" : "write", iss, (unsigned long long)v->regs.pc);
		vcpu_inject_undef(v);
		return;
	}
	v->regs.pc += 4;
}
