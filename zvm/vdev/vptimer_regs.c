/* EL1 physical timer register semantics (Arm ARM D11 "The Generic Timer"): see the header. */
#include <zvm/vdev/vptimer_regs.h>

/* The condition is met when the 64-bit count has reached CVAL (unsigned: it never wraps). A
 * disabled timer reports no condition (the architecture leaves ISTATUS UNKNOWN then). */
static bool condition_met(const struct vptimer_regs *r, uint64_t now)
{
	return (r->ctl & CNTP_CTL_ENABLE) && now >= r->cval;
}

uint64_t vptimer_regs_read(const struct vptimer_regs *r, enum vptimer_reg reg, uint64_t now)
{
	switch (reg) {
	case VPTIMER_CTL:
		return r->ctl | (condition_met(r, now) ? CNTP_CTL_ISTATUS : 0);
	case VPTIMER_CVAL:
		return r->cval;
	case VPTIMER_TVAL:
		/* A 32-bit down-counter view of CVAL - count; bits 63:32 are RES0. */
		return (uint32_t)(r->cval - now);
	}
	return 0;
}

void vptimer_regs_write(struct vptimer_regs *r, enum vptimer_reg reg, uint64_t val, uint64_t now)
{
	switch (reg) {
	case VPTIMER_CTL:
		r->ctl = val & (CNTP_CTL_ENABLE | CNTP_CTL_IMASK);
		break;
	case VPTIMER_CVAL:
		r->cval = val;
		break;
	case VPTIMER_TVAL:
		/* CVAL = count + SignExtend(TVAL[31:0]). */
		r->cval = now + (uint64_t)(int64_t)(int32_t)(uint32_t)val;
		break;
	}
}

bool vptimer_regs_level(const struct vptimer_regs *r, uint64_t now)
{
	return condition_met(r, now) && !(r->ctl & CNTP_CTL_IMASK);
}

uint64_t vptimer_regs_deadline(const struct vptimer_regs *r)
{
	if ((r->ctl & (CNTP_CTL_ENABLE | CNTP_CTL_IMASK)) != CNTP_CTL_ENABLE)
		return UINT64_MAX;
	return r->cval;
}
