/* The one interrupt-controller API the kernel calls; the driver behind it (GICv3 or GICv2) is
 * chosen from the boot device tree. Each call site picks its driver with a static branch
 * (gic_v2_branch): a nop in the image, so a GICv3 host runs exactly the v3 code; on a GICv2 host
 * gic_select() rewrites every such nop into a branch to the v2 code, once, at boot. */
#ifndef DRIVERS_GIC_H
#define DRIVERS_GIC_H

#include <drivers/gicv2.h>
#include <drivers/gicv3.h>
#include <kernel/percpu.h>
#include <stdbool.h>
#include <stdint.h>

#define GIC_PRIO_DEFAULT GICV3_PRIO_DEFAULT
#define GIC_PRIO_HIGH	 GICV3_PRIO_HIGH
#define GIC_PRIO_IDLE	 0xff /* the running priority with no interrupt active */

struct board;

/* Written once by gic_select(), then only read. */
extern bool gic_is_v2;

/* Boot CPU, once, with its MMU still off (the text is writable and no other CPU runs): the
 * driver for GIC version 2 or 3 (board.gic.version). On 2 it patches every static branch. */
void gic_select(unsigned version);
/* Boot CPU, once, after gic_select: the driver the tree's GIC node asks for. 0 or a negative
 * errno (said why). */
int gic_init(const struct board *b);
/* Every CPU (the boot CPU too), IRQs masked, after gic_init(). */
int gic_cpu_init(void);
/* 2 or 3; 0 before gic_init(). */
unsigned gic_version(void);

void gic_irq_enable(unsigned intid);
/* Returns once the interrupt is no longer signalled. */
void gic_irq_disable(unsigned intid);
void gic_irq_set_pending(unsigned intid);
void gic_irq_clear_pending(unsigned intid);
int gic_irq_set_priority(unsigned intid, uint8_t prio);
/* Call with the interrupt disabled. */
int gic_irq_set_trigger(unsigned intid, bool edge);
/* SPIs only: delivered to logical CPU cpu (which must have run gic_cpu_init()). */
int gic_irq_route(unsigned intid, unsigned cpu);
/* This CPU's SGI/PPI enable registers, at GICD_ISENABLER(0)/GICD_ICENABLER(0) offsets: the
 * redistributor's SGI frame (v3) or the banked distributor (v2). 0 when not known yet. */
uintptr_t gic_private_frame(void);
/* Implemented INTIDs (at most 1020); 0 before gic_init(). */
unsigned gic_nr_irqs(void);
/* This CPU's running priority: GIC_PRIO_IDLE outside any interrupt handler. */
unsigned gic_running_priority(void);
/* The two halves of a split EOI (passthrough). */
void gic_priority_drop(unsigned intid);
void gic_deactivate(unsigned intid);
/* Whether the halves are split (always on GICv3; on GICv2 when GICC_DIR exists): a guest can
 * then deactivate a forwarded interrupt. */
bool gic_eoi_split(void);
void gic_irq_clear_active(unsigned intid);

/* One entry of the table gic_select() patches: the nop's address and the v2 code's. */
struct gic_branch_site {
	uint64_t site, target;
};

#ifndef UNIT_TEST
/* False on a GICv3 host at no cost (a nop falls through); true on a GICv2 host (the nop became
 * a branch to the `v2` label). Inlined: every copy records its own site. */
static inline __attribute__((always_inline)) bool gic_v2_branch(void)
{
	/* inline: the inliner counts it as one instruction, not its five lines, so that call
	 * sites inline as they did before the branch existed. */
	__asm__ __inline__ goto("1:	nop\n"
				"	.pushsection gic_v2_sites, \"a\"\n"
				"	.balign 8\n"
				"	.quad 1b, %l[v2]\n"
				"	.popsection\n"
				:
				:
				:
				: v2);
	return false;
v2:
	return true;
}
#else
static inline bool gic_v2_branch(void)
{
	return gic_is_v2;
}
#endif

/* The A64 B instruction at address from that jumps to to (within +-128 MiB). */
uint32_t gic_branch_insn(uint64_t from, uint64_t to);

/* Acknowledges the highest-priority pending interrupt: its INTID, 1020..1023 for none. Not
 * ordered against later memory accesses (see gicv3_ack). */
static inline unsigned gic_ack(void)
{
	if (gic_v2_branch())
		return gicv2_ack();
	return gicv3_ack();
}

/* Ends the interrupt gic_ack() returned, taking effect at once. */
static inline void gic_eoi(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_eoi(intid);
	else
		gicv3_eoi(intid);
}

/* The same for an exception handler whose eret comes before interrupts are unmasked. */
static inline void gic_eoi_relaxed(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_eoi(intid);
	else
		gicv3_eoi_relaxed(intid);
}

/* SGI 0..15 to logical CPU cpu (may be the caller). Inline: on the kick and reschedule paths. */
static inline void gic_send_sgi(unsigned sgi, unsigned cpu)
{
	if (cpu >= CONFIG_MAX_CPUS)
		return;
	if (gic_v2_branch())
		gicv2_send_sgi(sgi, cpu);
	else
		gicv3_send_sgi(sgi, cpus[cpu].mpidr);
}

#endif
