/* Interrupt handlers by GIC INTID, and the dispatch loop the IRQ exception runs. */
#ifndef KERNEL_IRQ_H
#define KERNEL_IRQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IRQ_NR_INTIDS 1020 /* SGIs, PPIs and SPIs; 1020..1023 are special, LPIs unsupported */

/* Runs in interrupt context with IRQs masked, before the EOI. */
typedef void (*irq_handler_t)(unsigned intid, void *arg);

/* Installs the handler of intid (does not enable it: see gic_irq_enable). SGIs and PPIs are
 * banked per CPU but share one handler, so each CPU may connect the same handler and arg again.
 * Returns 0, -EINVAL for a bad INTID or NULL handler, -EBUSY if another handler owns it. */
int irq_connect(unsigned intid, irq_handler_t handler, void *arg);

/* The same for an interrupt forwarded to a guest (passthrough): after the handler, the
 * dispatch only drops its priority; it stays active until the guest deactivates it (a HW list
 * register) or its owner does (gicv3_irq_clear_active). */
int irq_connect_forwarded(unsigned intid, irq_handler_t handler, void *arg);
/* Whether some handler owns intid (a host driver, or a forwarded interrupt). */
bool irq_connected(unsigned intid);

/* Called by the IRQ exception path with IRQs masked: acknowledges, handles and ends interrupts
 * until none is pending. */
void irq_dispatch(void);
/* One interrupt the caller acknowledged (gic_ack; a special INTID is ignored): handled and
 * ended. For an exception about to return to a guest, which takes any other pending interrupt
 * as a new exit rather than paying for a second acknowledge on the common path. */
void irq_handle(unsigned intid);
/* Counts and ends an acknowledged interrupt its owner handled without the handler table (no
 * dsb after the acknowledge: it announced nothing in memory), in an exception that returns
 * with eret before interrupts are unmasked (no isb after the EOI). */
void irq_finish(unsigned intid);

/* Interrupts of intid taken on cpu so far (0 for out-of-range arguments). */
uint64_t irq_count(unsigned intid, unsigned cpu);
/* Interrupts taken that had no handler (all CPUs, any INTID). */
uint64_t irq_unhandled_count(void);

#endif
