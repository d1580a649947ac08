/* AArch32 guest EL0 helpers (pure; host unit tested in tests/unit/test_aarch32.c). */
#include <zvm/aarch32.h>

#define ISS_CV	      (1u << 24)
#define ISS_COND(iss) (((iss) >> 20) & 0xf)

/* ITSTATE[7:0] lives in PSTATE bits 15:10 (IT[7:2]) and 26:25 (IT[1:0]). */
static unsigned itstate(uint64_t pstate)
{
	return (unsigned)(((pstate >> 8) & 0xfc) | ((pstate >> 25) & 3));
}

uint64_t aa32_itstate_advance(uint64_t pstate)
{
	unsigned it = itstate(pstate);

	if (!(pstate & PSR_AA32_T) || !it)
		return pstate;
	/* The base condition stays in IT[7:5]; the mask IT[4:0] shifts, and ends the block when
	 * its last instruction was the one skipped. */
	it = (it & 7) ? (it & 0xe0) | ((it << 1) & 0x1f) : 0;
	pstate &= ~((0x3fULL << 10) | (3ULL << 25));
	return pstate | (uint64_t)(it >> 2) << 10 | (uint64_t)(it & 3) << 25;
}

bool aa32_condition_passed(uint32_t iss, uint64_t pstate)
{
	bool n = pstate >> 31 & 1, z = pstate >> 30 & 1, c = pstate >> 29 & 1, v = pstate >> 28 & 1;
	unsigned cond;

	if (iss & ISS_CV) {
		cond = ISS_COND(iss);
	} else {
		unsigned it = itstate(pstate);

		if (!it)
			return true; /* unconditional */
		cond = it >> 4;
	}
	bool pass;

	switch (cond >> 1) {
	case 0: /* EQ / NE */
		pass = z;
		break;
	case 1: /* CS / CC */
		pass = c;
		break;
	case 2: /* MI / PL */
		pass = n;
		break;
	case 3: /* VS / VC */
		pass = v;
		break;
	case 4: /* HI / LS */
		pass = c && !z;
		break;
	case 5: /* GE / LT */
		pass = n == v;
		break;
	case 6: /* GT / LE */
		pass = !z && n == v;
		break;
	default: /* AL */
		return true;
	}
	/* An odd condition is the inverse of the even one before it. */
	return (cond & 1) ? !pass : pass;
}
