/* Trapped system register accesses by encoding (include/zvm/sysreg_decode.h). */
#include <zvm/id_regs.h>
#include <zvm/setway.h>
#include <zvm/sysreg_decode.h>

#define ISS_OP0(iss) (((iss) >> 20) & 3)
#define ISS_OP2(iss) (((iss) >> 17) & 7)
#define ISS_OP1(iss) (((iss) >> 14) & 7)
#define ISS_CRN(iss) (((iss) >> 10) & 0xf)
#define ISS_RT(iss)  (((iss) >> 5) & 0x1f)
#define ISS_CRM(iss) (((iss) >> 1) & 0xf)

/* The EL1 TLB invalidations, in CRn 8 (and CRn 9, their nXS forms, for which the plain form
 * is at least as strong) of op1 0: outer-shareable (CRm 1 whole entry, 5 range),
 * inner-shareable (3, 2) and local (7, 6). Each becomes its local form; -1 for an encoding that
 * is none (an unallocated one is undefined at EL1 and never traps here). */
static int tlbi_local(uint32_t iss)
{
	unsigned crm = ISS_CRM(iss), op2 = ISS_OP2(iss);
	bool range = crm == 2 || crm == 5 || crm == 6;

	if (ISS_OP0(iss) != 1 || ISS_OP1(iss) != 0 || (ISS_CRN(iss) != 8 && ISS_CRN(iss) != 9) ||
	    (iss & 1))
		return -1;
	if (!range && crm != 1 && crm != 3 && crm != 7)
		return -1;
	if (range ? !(op2 & 1) : op2 == 4 || op2 == 6)
		return -1; /* ranges are the odd op2; 4 and 6 are no whole-entry TLBI */
	return TLBI_LOCAL(range ? 6 : 7, op2);
}

struct sysreg_access sysreg_decode(uint32_t iss)
{
	struct sysreg_access a = {SR_UNDEF, iss & SYSREG_ISS_MASK, ISS_RT(iss), iss & 1, 0};
	bool sys = ISS_OP0(iss) == 3 && ISS_OP1(iss) == 0;

	switch (a.enc) {
	case SR_ICC_SGI1R:
		a.cls = SR_SGI1R;
		return a;
	case SR_ICC_ASGI1R:
	case SR_ICC_SGI0R: /* group 0 SGIs: the guest's interrupts are all group 1 */
	case SR_ACTLR_EL1: /* IMPLEMENTATION DEFINED: the guest sees none of ours */
		a.cls = SR_RAZ_WI;
		return a;
	case SR_CNTP_CTL:
		a.cls = SR_PTIMER_CTL;
		return a;
	case SR_CNTP_CVAL:
		a.cls = SR_PTIMER_CVAL;
		return a;
	case SR_CNTP_TVAL:
		a.cls = SR_PTIMER_TVAL;
		return a;
	case SR_DC_ISW:
	case SR_DC_CSW:
	case SR_DC_CISW:
		a.cls = SR_SETWAY;
		return a;
	}
	int tlbi = tlbi_local(iss);

	if (tlbi >= 0) {
		a.cls = SR_TLBI;
		a.id = (unsigned)tlbi;
	} else if (tvm_reg_decode(a.enc) >= 0)
		a.cls = SR_TVM;
	else if (sys && ISS_CRN(iss) == 0 && ISS_CRM(iss) && ISS_CRM(iss) < 8 && a.read) {
		a.cls = SR_ID; /* CRm 1-7 (op1 0, CRn 0): unallocated ones read as 0 */
		a.id = ID_REG(ISS_CRM(iss), ISS_OP2(iss));
	} else if (sys && ISS_CRN(iss) == 5 && ISS_CRM(iss) >= 3 && ISS_CRM(iss) <= 5)
		a.cls = SR_RAZ_WI; /* RAS error records (HCR_EL2.TERR): the guest has none */
	else if (ISS_OP0(iss) == 2)
		a.cls = SR_DEBUG;
	return a;
}
