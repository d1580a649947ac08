/* The host's GICv2 (GIC-400, QEMU's arm,cortex-a15-gic): the distributor and the memory-mapped
 * CPU interface. The distributor banks SGIs and PPIs per CPU at the same offsets as SPIs, so the
 * GICD_* offsets of arch/gicv3_regs.h serve both. No interrupt group is changed: with a single
 * security state everything stays group 0 and is signalled as IRQ (GICC_CTLR.FIQEn = 0); in
 * the Non-secure view of a GIC with security the firmware made our interrupts group 1. */
#ifndef DRIVERS_GICV2_H
#define DRIVERS_GICV2_H

#include <stdbool.h>
#include <stdint.h>

/* ---- CPU interface (GICC) ---- */
#define GICC_CTLR	    0x0000
#define GICC_PMR	    0x0004
#define GICC_BPR	    0x0008
#define GICC_IAR	    0x000c
#define GICC_EOIR	    0x0010
#define GICC_RPR	    0x0014
#define GICC_DIR	    0x1000
#define GICC_CTLR_EN	    (1u << 0) /* EnableGrp0, or EnableGrp1 in the Non-secure view */
#define GICC_CTLR_EOIMODE   (1u << 9) /* EOImode(NS): EOIR drops the priority, DIR deactivates */
#define GICC_DIR_SIZE	    0x2000u   /* a CPU interface this large has GICC_DIR */
#define GICC_ALIAS_SIZE	    0x20000u  /* GIC-400 pages aliased every 64 KiB: DIR not at 0x1000 */
#define GICC_IAR_INTID	    0x3ffu
#define GICC_IAR_CPUID(iar) (((iar) >> 10) & 0x7) /* an SGI's source; EOIR needs it back */

/* ---- Distributor, v2 only ---- */
#define GICD_CTLR_EN_V2		(1u << 0)
#define GICD_SGIR_TARGETS_SHIFT 16
#define GICD_NR_ITARGETSR_PRIV	8 /* ITARGETSR0..7: the banked bytes of SGIs and PPIs */
#define GIC_ARCHREV_GICV1	1
#define GIC_ARCHREV_GICV2	2

/* Boot CPU, once: the distributor (all SPIs disabled, level, default priority, targeted at the
 * boot CPU) and the CPU interface base. Returns 0 or a negative errno. */
/* gicc_size: the CPU interface's size in the tree; with GICC_DIR in it (GICC_DIR_SIZE) the
 * CPU interfaces split EOI as the GICv3 driver does (gicv2_eoi_split). */
int gicv2_init(uintptr_t gicd_base, uintptr_t gicc_base, uint64_t gicc_size);
/* EOI split mode is on: forwarded interrupts (passthrough) can be deactivated by a guest. */
bool gicv2_eoi_split(void);
/* Every CPU, IRQs masked: learns its CPU interface number, resets its banked SGIs/PPIs and
 * enables its CPU interface. Returns 0, or -ENODEV when the distributor gives it no number. */
int gicv2_cpu_init(void);

void gicv2_irq_enable(unsigned intid);
void gicv2_irq_disable(unsigned intid);
void gicv2_irq_set_pending(unsigned intid);
void gicv2_irq_clear_pending(unsigned intid);
int gicv2_irq_set_priority(unsigned intid, uint8_t prio);
int gicv2_irq_set_trigger(unsigned intid, bool edge);
/* SPIs only: targets the one CPU whose GICv2 interface number the CPU reported. */
int gicv2_irq_route(unsigned intid, unsigned cpu);
/* The distributor: its SGI/PPI registers are this CPU's (banked). 0 before gicv2_init(). */
uintptr_t gicv2_private_frame(void);

/* Hot path. The acknowledge keeps an SGI's source CPU for its EOI (per CPU and SGI number: the
 * kernel never takes an interrupt while handling one, so at most one of each is active). */
unsigned gicv2_ack(void);
/* Ends our own interrupt: priority drop, and deactivation (GICC_DIR) in split mode. */
void gicv2_eoi(unsigned intid);
/* The halves of a split EOI (passthrough): EOIR alone, DIR alone. */
void gicv2_priority_drop(unsigned intid);
void gicv2_deactivate(unsigned intid);
void gicv2_irq_clear_active(unsigned intid);
void gicv2_send_sgi(unsigned sgi, unsigned cpu);
unsigned gicv2_nr_irqs(void);
unsigned gicv2_running_priority(void);

/* ---- Pure helpers (drivers/gicv2_encode.c; host unit tested) ---- */

/* This CPU's interface mask from ITARGETSR0..7 as it reads them: the first non-zero byte (a
 * uniprocessor GIC may read some as zero). 0 when all are. */
uint8_t gicv2_cpu_mask(const uint32_t itargetsr[GICD_NR_ITARGETSR_PRIV]);
/* GICD_SGIR value sending SGI sgi to the CPUs in target_mask (TargetListFilter 0). */
uint32_t gicv2_sgir_value(unsigned sgi, uint8_t target_mask);
/* The EOIR value ending the interrupt an IAR read returned as intid, with the source CPU the
 * acknowledge reported for it (used only for SGIs). */
uint32_t gicv2_eoir_value(unsigned intid, unsigned src_cpu);

#endif
