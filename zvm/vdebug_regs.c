/* Validation of a guest's breakpoint and watchpoint values (include/zvm/vdebug_regs.h). */
#include <stdbool.h>
#include <zvm/vdebug_regs.h>

/* Defined bits: DBGBCR E, PMC, BAS[8:5], HMC, SSC, LBN, BT; DBGWCR E, PAC, LSC, BAS[12:5],
 * HMC, SSC, LBN, WT, MASK[28:24]. */
#define BCR_VALID 0x00ffe1e7ULL
#define WCR_VALID 0x1f1fffffULL

struct vdebug_limits vdebug_limits_from_dfr0(uint64_t dfr0)
{
	struct vdebug_limits l = {
	    .brps = ((dfr0 >> 12) & 0xf) + 1,
	    .wrps = ((dfr0 >> 20) & 0xf) + 1,
	    .ctx_cmps = ((dfr0 >> 28) & 0xf) + 1,
	};

	if (l.ctx_cmps > l.brps) /* architecturally impossible; never trust it further */
		l.ctx_cmps = l.brps;
	return l;
}

static unsigned min_u(unsigned a, unsigned b)
{
	return a < b ? a : b;
}

static unsigned max_u(unsigned a, unsigned b)
{
	return a > b ? a : b;
}

struct vdebug_limits vdebug_limits_common(const struct vdebug_limits *a,
					  const struct vdebug_limits *b)
{
	unsigned brps = min_u(a->brps, b->brps);
	/* On each CPU the context-aware ones are the top ctx_cmps of its brps. */
	unsigned first_ctx = max_u(a->brps - a->ctx_cmps, b->brps - b->ctx_cmps);

	return (struct vdebug_limits){
	    .brps = brps,
	    .wrps = min_u(a->wrps, b->wrps),
	    .ctx_cmps = first_ctx < brps ? brps - first_ctx : 0,
	};
}

uint64_t vdebug_dfr0_view(uint64_t dfr0, const struct vdebug_limits *lim)
{
	unsigned ctx = lim->ctx_cmps ? lim->ctx_cmps : 1;

	dfr0 &= ~((0xfULL << 12) | (0xfULL << 20) | (0xfULL << 28));
	return dfr0 | (uint64_t)(lim->brps - 1) << 12 | (uint64_t)(lim->wrps - 1) << 20 |
	       (uint64_t)(ctx - 1) << 28;
}

uint64_t vdebug_bcr_store(uint64_t v)
{
	return v & BCR_VALID;
}

uint64_t vdebug_wcr_store(uint64_t v)
{
	return v & WCR_VALID;
}

uint64_t vdebug_vr_store(uint64_t v)
{
	return v & ~3ULL;
}

static bool context_aware(unsigned n, const struct vdebug_limits *lim)
{
	return n < lim->brps && n >= lim->brps - lim->ctx_cmps;
}

/* Only at EL1/EL0, Non-secure. */
static uint64_t confine(uint64_t v)
{
	v &= ~(DBGCR_HMC | DBGCR_SSC_MASK);
	v |= DBGCR_SSC_NS;
	if (!DBGCR_PRIV(v)) /* HMC 0, SSC 01, PMC 00: reserved */
		v &= ~DBGCR_E;
	return v;
}

/* Breakpoint lbn can be the target of a link: a context-aware CONTEXTIDR_EL1 link target. */
static bool link_target_ok(const uint64_t *bcr, unsigned lbn, const struct vdebug_limits *lim)
{
	return context_aware(lbn, lim) && DBGBCR_BT(bcr[lbn]) == BT_CTXID_LINKED;
}

uint64_t vdebug_bcr_hw(const uint64_t *bcr, unsigned n, const struct vdebug_limits *lim)
{
	uint64_t v = confine(vdebug_bcr_store(bcr[n]));
	bool ok;

	switch (DBGBCR_BT(v)) {
	case BT_ADDR:
		ok = true;
		break;
	case BT_ADDR_LINKED:
		ok = link_target_ok(bcr, DBGCR_LBN(v), lim);
		break;
	case BT_CTXID:
	case BT_CTXID_LINKED:
		ok = context_aware(n, lim);
		break;
	default: /* address mismatch, VMID, CONTEXTIDR_EL2 and the rest */
		ok = false;
	}
	if (!ok) /* not a type the CPU could read as a link target either */
		v &= ~(DBGCR_E | (0xfULL << 20));
	return v;
}

uint64_t vdebug_wcr_hw(uint64_t wcr, const uint64_t *bcr, const struct vdebug_limits *lim)
{
	uint64_t v = confine(vdebug_wcr_store(wcr));

	if (!DBGWCR_LSC(v) || ((v & DBGWCR_WT) && !link_target_ok(bcr, DBGCR_LBN(v), lim)))
		v &= ~DBGCR_E;
	return v;
}
