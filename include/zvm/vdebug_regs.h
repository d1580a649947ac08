/* A guest's breakpoint and watchpoint registers (pure: zvm/vdebug_regs.c, unit-tested in
 * tests/unit/test_vdebug.c). A vCPU keeps what the guest wrote, minus RES0 bits, and reads it
 * back as written; the hardware gets a sanitised copy that can only match at the guest's own
 * EL1/EL0 in Non-secure state and only link to context breakpoints on CONTEXTIDR_EL1. Layout
 * of Armv8.0 AArch64 (DBGBCR/DBGWCR bits [31:0]; later extensions read as RES0). */
#ifndef ZVM_VDEBUG_REGS_H
#define ZVM_VDEBUG_REGS_H

#include <stdint.h>

#define VDEBUG_MAX 16 /* ID_AA64DFR0_EL1.BRPs/WRPs are 4-bit counts minus one */

/* Fields shared by DBGBCR and DBGWCR. */
#define DBGCR_E	       (1ULL << 0)
#define DBGCR_PRIV(v)  (((v) >> 1) & 3) /* PMC / PAC: 1 EL1, 2 EL0, 3 both, 0 reserved here */
#define DBGCR_HMC      (1ULL << 13)
#define DBGCR_SSC_MASK (3ULL << 14)
#define DBGCR_SSC_NS   (1ULL << 14) /* Non-secure state only */
#define DBGCR_LBN(v)   (((v) >> 16) & 0xf)
#define DBGBCR_BT(v)   (((v) >> 20) & 0xf)
#define DBGWCR_WT      (1ULL << 20)
#define DBGWCR_LSC(v)  (((v) >> 3) & 3)

/* Breakpoint types (BT) a guest may use. */
#define BT_ADDR		0x0 /* unlinked instruction address match */
#define BT_ADDR_LINKED	0x1 /* address match linked to a context breakpoint */
#define BT_CTXID	0x2 /* unlinked CONTEXTIDR_EL1 match */
#define BT_CTXID_LINKED 0x3 /* CONTEXTIDR_EL1 match, linked to by address breakpoints */

/* What the CPU has: counts from ID_AA64DFR0_EL1 (BRPs + 1, WRPs + 1, CTX_CMPs + 1). The
 * context-aware breakpoints are the highest-numbered ctx_cmps of the brps. */
struct vdebug_limits {
	unsigned brps, wrps, ctx_cmps;
};
struct vdebug_limits vdebug_limits_from_dfr0(uint64_t dfr0);
/* What two CPUs have in common: the smaller counts, and as context-aware breakpoints those
 * numbers below both counts that are context-aware on both (possibly none: ctx_cmps 0, and
 * no breakpoint may then take a context type). */
struct vdebug_limits vdebug_limits_common(const struct vdebug_limits *a,
					  const struct vdebug_limits *b);
/* ID_AA64DFR0_EL1 with BRPs, WRPs and CTX_CMPs replaced by lim's counts (at least one
 * context-aware breakpoint is shown: the field cannot say none). */
uint64_t vdebug_dfr0_view(uint64_t dfr0, const struct vdebug_limits *lim);

/* The values a vCPU stores (and reads back) for a guest write. */
uint64_t vdebug_bcr_store(uint64_t v);
uint64_t vdebug_wcr_store(uint64_t v);
uint64_t vdebug_vr_store(uint64_t v); /* DBGBVR and DBGWVR: bits [1:0] are RES0 */

/* The control values the hardware gets for breakpoint / watchpoint n, from the stored bank
 * bcr[lim->brps] (links are checked against it). HMC = 0 and SSC = Non-secure, so it never
 * matches at EL2, EL3 or in Secure state; E cleared for anything a guest may not use: reserved
 * PMC/PAC or LSC, VMID and CONTEXTIDR_EL2 types, address mismatch, a context type on a
 * breakpoint that is not context-aware, a link to anything but a CONTEXTIDR_EL1 breakpoint. */
uint64_t vdebug_bcr_hw(const uint64_t *bcr, unsigned n, const struct vdebug_limits *lim);
uint64_t vdebug_wcr_hw(uint64_t wcr, const uint64_t *bcr, const struct vdebug_limits *lim);

#endif
