/* The EL1 physical timer's registers as a guest sees them (CNTP_CTL_EL0, CNTP_CVAL_EL0,
 * CNTP_TVAL_EL0), as pure functions of the stored state and the physical count. The guest's
 * physical counter is the host's (CNTHCTL_EL2.EL1PCTEN, no offset), so CVAL is in host
 * counter ticks. Host unit-tested (tests/unit/test_vptimer_regs.c). */
#ifndef ZVM_VDEV_VPTIMER_REGS_H
#define ZVM_VDEV_VPTIMER_REGS_H

#include <stdbool.h>
#include <stdint.h>

#define CNTP_CTL_ENABLE	 (1u << 0)
#define CNTP_CTL_IMASK	 (1u << 1)
#define CNTP_CTL_ISTATUS (1u << 2) /* read-only: the timer condition */

enum vptimer_reg { VPTIMER_CTL, VPTIMER_CVAL, VPTIMER_TVAL };

/* Invariant: ctl holds only ENABLE and IMASK; ISTATUS is computed on each read. */
struct vptimer_regs {
	uint64_t ctl, cval;
};

uint64_t vptimer_regs_read(const struct vptimer_regs *r, enum vptimer_reg reg, uint64_t now);
void vptimer_regs_write(struct vptimer_regs *r, enum vptimer_reg reg, uint64_t val, uint64_t now);
/* The interrupt line: enabled, not masked, and the count has reached CVAL. */
bool vptimer_regs_level(const struct vptimer_regs *r, uint64_t now);
/* The count at which the line rises with no further write (possibly past), or UINT64_MAX
 * when it never will (disabled or masked). */
uint64_t vptimer_regs_deadline(const struct vptimer_regs *r);

#endif
