/* The guest's view of the ID registers (pure; tests/unit/test_id_regs.c). */
#include <zvm/id_regs.h>

#define FIELD(shift)  (0xfULL << (shift))
#define DEBUGVER_V8P8 0xa

/* PARange encodings, and the address sizes they stand for. */
static const unsigned pa_bits[] = {32, 36, 40, 42, 44, 48, 52};

static uint64_t clamp_parange(uint64_t mmfr0, unsigned ipa_bits)
{
	unsigned range = mmfr0 & 0xf;

	while (range > 0 &&
	       (range >= sizeof(pa_bits) / sizeof(pa_bits[0]) || pa_bits[range] > ipa_bits))
		range--;
	return (mmfr0 & ~0xfULL) | range;
}

/* DebugVer at most Armv8.8: 8.9 brings breakpoint banks past 16 (MDSELR_EL1), not emulated. */
static uint64_t clamp_debugver(uint64_t dfr0)
{
	if ((dfr0 & 0xf) > DEBUGVER_V8P8)
		dfr0 = (dfr0 & ~0xfULL) | DEBUGVER_V8P8;
	return dfr0;
}

uint64_t id_reg_guest_view(unsigned id, uint64_t hw, unsigned ipa_bits)
{
	switch (id) {
	case ID_AA64PFR0: /* SVE, MPAM, AMU, RME */
		return hw & ~(FIELD(32) | FIELD(40) | FIELD(44) | FIELD(52));
	case ID_AA64PFR1: /* MTE, MPAM_frac, SME, NMI, MTE_frac, GCS */
		return hw & ~(FIELD(8) | FIELD(16) | FIELD(24) | FIELD(36) | FIELD(40) | FIELD(44));
	case ID_AA64PFR2: /* MTE extensions, FPMR, ... */
	case ID_AA64ZFR0:
	case ID_AA64SMFR0:
	case ID_AA64MMFR3: /* TCR2, SCTLR2, permission indirection and overlays, ... */
		return 0;
	case ID_AA64ISAR2: /* WFxT: WFIT/WFET would trap as plain WFI/WFE, losing the timeout;
			    * MOPS: needs HCRX_EL2.MSCEn, which stays 0 */
		return hw & ~(FIELD(0) | FIELD(16));
	case ID_AA64DFR0: /* TraceVer, PMSVer (SPE), TraceFilt, TraceBuffer, BRBE. BRPs, WRPs
			   * and CTX_CMPs stay: each vCPU has them all (zvm/vdebug.c). */
		return clamp_debugver(hw &
				      ~(FIELD(4) | FIELD(32) | FIELD(40) | FIELD(44) | FIELD(52)));
	case ID_AA64DFR1: /* more than 16 breakpoints (v8.9, MDSELR_EL1 banks), ABLE, EBEP, ... */
		return 0;
	case ID_AA64MMFR0:
		return clamp_parange(hw, ipa_bits);
	case ID_AA64MMFR1: /* LO: LORegions */
		return hw & ~FIELD(16);
	default:
		return hw;
	}
}

int id_has_pauth(uint64_t isar1, uint64_t isar2)
{
	/* ISAR1: APA, API, GPA, GPI; ISAR2: GPA3, APA3. */
	return (isar1 & (FIELD(4) | FIELD(8) | FIELD(24) | FIELD(28))) ||
	       (isar2 & (FIELD(8) | FIELD(12)));
}
