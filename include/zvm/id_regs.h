/* The ID registers a guest sees (HCR_EL2.TID3 traps its reads): the CPU's own values, minus
 * what ZVM does not give guests. Hidden: SVE and SME (their state is not switched), MTE (no tag
 * memory), AMU, MPAM, NMI, GCS, SPE, trace, BRBE, LORegions, WFxT, MOPS, and everything in PFR2 and
 * MMFR3 (features with EL1 registers ZVM would have to switch); the physical address range is
 * clamped to the VM's IPA size. */
#ifndef ZVM_ID_REGS_H
#define ZVM_ID_REGS_H

#include <stdint.h>

/* ID registers sit at op0=3, op1=0, CRn=0, CRm=1..7, op2=0..7 (unallocated ones read as 0). */
#define ID_REG(crm, op2) ((crm) << 3 | (op2))
#define ID_AA64PFR0	 ID_REG(4, 0)
#define ID_AA64PFR1	 ID_REG(4, 1)
#define ID_AA64PFR2	 ID_REG(4, 2)
#define ID_AA64ZFR0	 ID_REG(4, 4)
#define ID_AA64SMFR0	 ID_REG(4, 5)
#define ID_AA64DFR0	 ID_REG(5, 0)
#define ID_AA64DFR1	 ID_REG(5, 1)
#define ID_AA64ISAR1	 ID_REG(6, 1)
#define ID_AA64ISAR2	 ID_REG(6, 2)
#define ID_AA64MMFR0	 ID_REG(7, 0)
#define ID_AA64MMFR1	 ID_REG(7, 1)
#define ID_AA64MMFR3	 ID_REG(7, 3)

/* The guest's value of ID register id (ID_REG) whose hardware value is hw. */
uint64_t id_reg_guest_view(unsigned id, uint64_t hw, unsigned ipa_bits);

/* Pointer authentication (any algorithm, address or generic) in ISAR1/ISAR2 values. */
int id_has_pauth(uint64_t isar1, uint64_t isar2);

#endif
