/* The ARM generic timer as the host's clock: CNTPCT_EL0 counts, CNTHP (the EL2 physical timer)
 * raises the one-shot interrupt that drives all kernel timeouts. */
#ifndef DRIVERS_ARCH_TIMER_H
#define DRIVERS_ARCH_TIMER_H

#include <stdint.h>

uint64_t arch_timer_now(void);
uint64_t arch_timer_freq(void);
/* Arms this CPU's one-shot interrupt at an absolute count; UINT64_MAX disarms it. */
void arch_timer_set_deadline(uint64_t ticks);
/* Per CPU: hands the EL2 timer interrupt (the DTB's hyp timer INTID) to timeout_announce(). */
void arch_timer_init_cpu(unsigned hyp_intid);

#endif
