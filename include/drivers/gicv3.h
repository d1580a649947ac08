/* The host's GICv3 (also a GICv4 used as a v3): the distributor, one redistributor per CPU and
 * the system-register CPU interface. All interrupts are Non-secure group 1 and reach EL2 as IRQs.
 * SGI/PPI calls act on the calling CPU's redistributor (those INTIDs are banked per CPU); SPI
 * calls act on the distributor. */
#ifndef DRIVERS_GICV3_H
#define DRIVERS_GICV3_H

#include <stdbool.h>
#include <stdint.h>

#define GICV3_PRIO_DEFAULT 0xa0 /* lower value = more urgent; keep a multiple of 0x10 */
#define GICV3_PRIO_HIGH	   0x80

/* Boot CPU, once, before any gicv3_cpu_init(). The redistributor regions are the GIC node's
 * second and following reg entries. Returns 0 or a negative errno. */
int gicv3_init(uintptr_t gicd_base, const uint64_t *gicr_bases, const uint64_t *gicr_sizes,
	       unsigned n_gicr);
/* Every CPU (the boot CPU too), with TPIDR_EL2 already pointing at its struct cpu and IRQs
 * masked: finds and wakes its redistributor, sets up its SGIs/PPIs and its CPU interface.
 * Returns 0, or -ENODEV when no redistributor matches MPIDR_EL1. */
int gicv3_cpu_init(void);
/* EOImode for this and every later gicv3_cpu_init() CPU (true, split, from boot): false = ICC_EOIR1
 * drops the priority and deactivates; true = it only drops it and deactivation is separate
 * (ICC_DIR), which lets a guest deactivate a forwarded hardware interrupt itself. Set it before
 * IRQs are unmasked. */
void gicv3_set_eoi_split(bool split);

void gicv3_irq_enable(unsigned intid);
void gicv3_irq_disable(unsigned intid);
/* This CPU's SGI/PPI frame (GICR_ISENABLER0 ... at the GICD offsets), or 0 before its
 * redistributor is known: for code that masks a PPI on its own CPU often. */
uintptr_t gicv3_private_frame(void);
/* Deactivation through the distributor (GICD_ICACTIVER), from any CPU and context: for a
 * forwarded interrupt its guest will no longer deactivate (reset, delete, ICACTIVER). */
void gicv3_irq_clear_active(unsigned intid);
bool gicv3_irq_is_active(unsigned intid);
void gicv3_irq_set_pending(unsigned intid);
void gicv3_irq_clear_pending(unsigned intid);
/* 0 on success, -EINVAL for an INTID the GIC does not implement. */
int gicv3_irq_set_priority(unsigned intid, uint8_t prio);
/* Call with the interrupt disabled (the GIC leaves a change on an enabled one UNPREDICTABLE).
 * SGIs are always edge; some PPIs are fixed too. */
int gicv3_irq_set_trigger(unsigned intid, bool edge);
/* SPIs only: routes to the one CPU with this MPIDR. */
int gicv3_irq_set_affinity(unsigned intid, uint64_t mpidr);

/* Hot path (interrupt entry): acknowledge the highest-priority pending group 1 interrupt;
 * 1020..1023 mean none. Not ordered against later memory accesses: before reading what the
 * interrupt announces (an IPI's message, a device's DMA'd data) the caller needs a dsb(sy). */
unsigned gicv3_ack(void);
/* Ends it: priority drop, plus deactivation when EOImode is split. */
void gicv3_eoi(unsigned intid);
/* The same without the isb that makes it take effect at once: for an exception handler whose
 * return (eret, context synchronizing) comes before interrupts are unmasked. */
void gicv3_eoi_relaxed(unsigned intid);
/* Split EOImode only (the boot default): priority drop, and the deactivation unless the
 * interrupt was forwarded to a guest, whose deactivation through a HW list register (or
 * gicv3_irq_clear_active) ends it. */
void gicv3_end(unsigned intid, bool deactivate);
/* The two halves of a split EOI, for forwarding to guests. */
void gicv3_priority_drop(unsigned intid);
void gicv3_deactivate(unsigned intid);

/* SGI 0..15 to the one CPU with this MPIDR (may be the caller). */
void gicv3_send_sgi(unsigned sgi, uint64_t target_mpidr);

/* Number of implemented INTIDs (SGIs + PPIs + SPIs, at most 1020). 0 before gicv3_init(). */
unsigned gicv3_nr_irqs(void);

/* ---- Pure helpers (drivers/gicv3_encode.c; host unit tested) ---- */

/* MPIDR_EL1 affinity as GICR_TYPER[63:32] holds it: Aff3.Aff2.Aff1.Aff0. */
uint32_t gicv3_mpidr_to_aff(uint64_t mpidr);
/* GICD_IROUTER value routing to exactly that CPU (IRM=0). */
uint64_t gicv3_mpidr_to_irouter(uint64_t mpidr);
/* ICC_SGI1R_EL1 value for one SGI to one CPU; Aff0 >= 16 needs the RS field (ICC_CTLR.RSS). */
uint64_t gicv3_sgi1r_value(unsigned sgi, uint64_t mpidr);
/* Implemented INTIDs from GICD_TYPER. */
unsigned gicv3_typer_nr_irqs(uint32_t gicd_typer);
/* Walks the redistributor regions for the frame whose GICR_TYPER affinity matches mpidr.
 * Regions whose first frame is not GICv3/v4 are skipped; a walk stops at GICR_TYPER.Last or at
 * the end of the region. Returns the RD_base, or 0 when none matches. */
uintptr_t gicv3_rdist_find(const uint64_t *bases, const uint64_t *sizes, unsigned n,
			   uint64_t mpidr);

#endif
