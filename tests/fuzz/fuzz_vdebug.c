/* The sanitising of a guest's breakpoint and watchpoint controls (zvm/vdebug_regs.c), for any
 * CPU counts (ID_AA64DFR0_EL1) and any values the guest wrote to its banks. What reaches the
 * hardware must never match at EL2/EL3 or in Secure state, never use a type or link a guest
 * may not have, and a link must resolve to a breakpoint the hardware also sees as a
 * CONTEXTIDR_EL1 link target: otherwise a guest could make the CPU match outside itself or
 * hit a CONSTRAINED UNPREDICTABLE combination. */
#include <stdbool.h>
#include <stdlib.h>
#include <zvm/vdebug_regs.h>

#include "fuzz_input.h"

#define BCR_VALID 0x00ffe1e7ULL /* as documented in vdebug_regs.c */
#define WCR_VALID 0x1f1fffffULL

static bool context_aware(unsigned n, const struct vdebug_limits *l)
{
	return n < l->brps && n + l->ctx_cmps >= l->brps;
}

/* Common to both kinds: only EL1/EL0, Non-secure, a privilege the guest may ask for. */
static void check_common(uint64_t hw)
{
	if (hw & DBGCR_HMC)
		abort();
	if ((hw & DBGCR_SSC_MASK) != DBGCR_SSC_NS)
		abort();
	if ((hw & DBGCR_E) && !DBGCR_PRIV(hw))
		abort();
}

/* Breakpoint lbn as the hardware sees it is a CONTEXTIDR_EL1 link target. */
static bool hw_link_target(const uint64_t *bank, unsigned lbn, const struct vdebug_limits *l)
{
	return context_aware(lbn, l) && DBGBCR_BT(vdebug_bcr_hw(bank, lbn, l)) == BT_CTXID_LINKED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct vdebug_limits l = vdebug_limits_from_dfr0(fuzz_u64(&in));
	uint64_t bank[VDEBUG_MAX];

	if (!l.brps || l.brps > VDEBUG_MAX || !l.wrps || l.wrps > VDEBUG_MAX || !l.ctx_cmps ||
	    l.ctx_cmps > l.brps)
		abort();
	for (unsigned i = 0; i < l.brps; i++) {
		bank[i] = vdebug_bcr_store(fuzz_u64(&in));
		if (bank[i] & ~BCR_VALID || vdebug_bcr_store(bank[i]) != bank[i])
			abort(); /* stored values read back unchanged */
	}
	for (unsigned n = 0; n < l.brps; n++) {
		uint64_t hw = vdebug_bcr_hw(bank, n, &l);

		check_common(hw);
		if (hw & ~BCR_VALID)
			abort();
		if (!(hw & DBGCR_E))
			continue;
		switch (DBGBCR_BT(hw)) {
		case BT_ADDR:
			break;
		case BT_ADDR_LINKED:
			if (!hw_link_target(bank, DBGCR_LBN(hw), &l))
				abort();
			break;
		case BT_CTXID:
		case BT_CTXID_LINKED:
			if (!context_aware(n, &l))
				abort();
			break;
		default:
			abort(); /* mismatch, VMID, CONTEXTIDR_EL2: never enabled */
		}
	}
	while (in.n) {
		uint64_t wcr = fuzz_u64(&in);
		uint64_t hw = vdebug_wcr_hw(wcr, bank, &l);

		if (vdebug_wcr_store(wcr) & ~WCR_VALID)
			abort();
		check_common(hw);
		if (hw & ~WCR_VALID)
			abort();
		if (!(hw & DBGCR_E))
			continue;
		if (!DBGWCR_LSC(hw))
			abort();
		if ((hw & DBGWCR_WT) && !hw_link_target(bank, DBGCR_LBN(hw), &l))
			abort();
	}
	if (vdebug_vr_store(fuzz_u64(&in)) & 3)
		abort();
	return 0;
}
