/* Which emulation a trapped system register access (EC 0x18) gets, from its ISS alone: pure,
 * unit-tested and fuzzed on the host; zvm/sysreg_trap.c carries it out. What is not listed is
 * an undefined instruction for the guest, as on a CPU without that register. */
#ifndef ZVM_SYSREG_DECODE_H
#define ZVM_SYSREG_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* SYSREG() packs Op0, Op1, CRn, CRm, Op2 the way the ISS of EC 0x18 holds them (direction and
 * Rt left out): a trapped access matches iss & SYSREG_ISS_MASK. */
#define SYSREG(op0, op1, crn, crm, op2)                                                            \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))
#define SYSREG_ISS_MASK 0x3ffc1e

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

enum sysreg_class {
	SR_UNDEF,      /* an undefined instruction for the guest */
	SR_SGI1R,      /* ICC_SGI1R_EL1: the vGIC's SGI generation */
	SR_RAZ_WI,     /* group 0 SGIs, ACTLR_EL1, RAS error records: reads 0, writes ignored */
	SR_PTIMER_CTL, /* the EL1 physical timer, emulated per vCPU */
	SR_PTIMER_CVAL,
	SR_PTIMER_TVAL,
	SR_SETWAY, /* DC ISW/CSW/CISW: a flush of the VM's RAM instead */
	SR_TVM,	   /* a register HCR_EL2.TVM traps (setway.h) */
	SR_ID,	   /* a read of the ID register space: the guest's view (id_regs.h) */
	SR_DEBUG,  /* op0 = 2: the debug registers decide (vdebug.c), else undefined */
	SR_TLBI,   /* a TLB invalidation (HCR_EL2.TTLB): done on this CPU only (sysreg_trap.c) */
};

/* SR_TLBI's id: the local (non-shareable) TLBI that replaces the trapped one, as its CRm and
 * Op2 (op1 0, CRn 8): TLBI_LOCAL(7, op2) for the whole-entry forms (VMALLE1, VAE1, ASIDE1,
 * VAAE1, VALE1, VAALE1), TLBI_LOCAL(6, op2) for the ranges (RVAE1, RVAAE1, RVALE1, RVAALE1). */
#define TLBI_LOCAL(crm, op2) ((crm) << 3 | (op2))

struct sysreg_access {
	enum sysreg_class cls;
	uint32_t enc; /* iss & SYSREG_ISS_MASK */
	unsigned rt;  /* the general register, 31: XZR */
	bool read;    /* MRS */
	unsigned id;  /* SR_ID: ID_REG(CRm, Op2), below 64; SR_TLBI: TLBI_LOCAL() */
};

struct sysreg_access sysreg_decode(uint32_t iss);

#endif
