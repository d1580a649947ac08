/* GICv2 guest driver: the distributor at its DT address (SGIs and PPIs banked per CPU at the
 * SPIs' offsets), the memory-mapped CPU interface (GICC) and SGIs through GICD_SGIR. Every
 * interrupt stays group 0, signalled as IRQ (GICC_CTLR.FIQEn = 0), as Linux's GICv2 driver
 * leaves them; EOImode 0, so GICC_EOIR also deactivates and GICC_DIR is never needed. */
#include "gic_v2.h"

#include "arch/gicv3_regs.h" /* the GICD_* offsets a GICv2 shares */
#include "drivers/gicv2.h"

#define GICD_PIDR2_V2	   0xfe8 /* in the 4 KiB frame (a GICv3 has it at 0xffe8) */
#define GICC_HPPIR	   0x18
#define SGIR_FILTER_LIST   (0u << 24)
#define SGIR_FILTER_OTHERS (1u << 24)

static uint64_t dist(void)
{
	return zt_plat.gicd;
}

static uint64_t cpuif(void)
{
	return zt_plat.gicc;
}

static unsigned nr_lines(void)
{
	unsigned n = 32 * (GICD_TYPER_ITLINES(zt_r32(dist() + GICD_TYPER)) + 1);
	return n > 1020 ? 1020 : n;
}

/* This CPU's interface bit, as Linux finds it: ITARGETSR0..7 read back only the reader's own
 * bit. A uniprocessor GIC may read 0 there; it has interface 0 alone. */
static uint32_t own_mask(void)
{
	for (unsigned i = 0; i < 32; i += 4) {
		uint32_t v = zt_r32(dist() + GICD_ITARGETSR(i));
		v |= v >> 16;
		v |= v >> 8;
		if (v & 0xff)
			return v & 0xff;
	}
	return 0;
}

/* A vCPU's interface bit: what it read at its init, or (not yet up) its index, which is
 * what ZVM and QEMU give. */
static uint32_t mask_of(unsigned cpu)
{
	uint32_t m = cpu < ZT_MAX_CPUS ? zt_cpus[cpu].gic_mask : 0;
	return m ? m : 1u << (cpu & 7);
}

int zt_gic2_init_dist(void)
{
	uint64_t d = dist();
	uint32_t pidr2 = zt_r32(d + GICD_PIDR2_V2);
	if (GIC_PIDR2_ARCHREV(pidr2) != GIC_ARCHREV_GICV2)
		return zt_fail("GICD_PIDR2 0x%x: not a GICv2 at 0x%lx", pidr2, (unsigned long)d);
	if (!cpuif())
		return zt_fail("no GICC in the GIC node");

	zt_w32(d + GICD_CTLR, 0);
	unsigned n = nr_lines();
	for (unsigned i = 32; i < n; i += 32) {
		zt_w32(d + GICD_ICENABLER(i), ~0u);
		zt_w32(d + GICD_ICPENDR(i), ~0u);
		zt_w32(d + GICD_ICACTIVER(i), ~0u);
		zt_w32(d + GICD_IGROUPR(i), 0); /* group 0: IRQs while FIQEn = 0 */
	}
	uint32_t me = mask_of(zt_cpu_id()) * 0x01010101u;
	for (unsigned i = 32; i < n; i += 4) {
		zt_w32(d + GICD_IPRIORITYR(i), 0xa0a0a0a0);
		zt_w32(d + GICD_ITARGETSR(i), me);
	}
	zt_w32(d + GICD_CTLR, GICD_CTLR_EN_V2);
	uint32_t ctlr = zt_r32(d + GICD_CTLR);
	if (!(ctlr & GICD_CTLR_EN_V2))
		return zt_fail("GICD_CTLR 0x%x: not enabled", ctlr);
	return 0;
}

int zt_gic2_init_cpu(void)
{
	unsigned cpu = zt_cpu_id();
	struct zt_cpu *c = &zt_cpus[cpu];
	uint64_t d = dist();
	uint32_t m = own_mask();

	c->gic_mask = m ? m : 1u << cpu;
	c->gicr = cpuif(); /* no redistributor: its banked CPU interface stands for it */
	zt_w32(d + GICD_ICENABLER(0), ~0u);
	zt_w32(d + GICD_ICPENDR(0), ~0u); /* the PPIs: SGI bits ignore it */
	for (unsigned i = 0; i < 16; i += 4)
		zt_w32(d + GICD_CPENDSGIR(i), ~0u); /* the SGIs, from every source */
	zt_w32(d + GICD_ICACTIVER(0), ~0u);
	zt_w32(d + GICD_IGROUPR(0), 0);
	for (unsigned i = 0; i < 32; i += 4)
		zt_w32(d + GICD_IPRIORITYR(i), 0xa0a0a0a0);

	uint64_t cc = cpuif();
	zt_w32(cc + GICC_PMR, 0xff);
	zt_w32(cc + GICC_BPR, 0);
	zt_w32(cc + GICC_CTLR, GICC_CTLR_EN); /* EOImode 0, FIQEn 0 */
	zt_dsb();
	uint32_t ctlr = zt_r32(cc + GICC_CTLR);
	if (!(ctlr & GICC_CTLR_EN))
		return zt_fail("GICC_CTLR 0x%x: not enabled", ctlr);

	zt_gic2_enable(cpu, 0); /* SGI 0: wake-up kicks (see kick() in runtime.c) */
	return 0;
}

/* ---- one-INTID operations; SGIs and PPIs only on the caller's own bank ---- */

enum op {
	OP_ENABLE,
	OP_DISABLE,
	OP_IS_ENABLED,
	OP_SET_PEND,
	OP_CLEAR_PEND,
	OP_IS_PEND,
	OP_IS_ACTIVE,
	OP_CLEAR_ACTIVE,
	OP_PRIO,
	OP_EDGE
};

#define BIT_OF(intid) (1u << ((intid) % 32))

static uint32_t bit_rd(uint32_t off, unsigned intid)
{
	return (zt_r32(dist() + off + 4 * (intid / 32)) & BIT_OF(intid)) != 0;
}

static void bit_wr(uint32_t off, unsigned intid)
{
	zt_w32(dist() + off + 4 * (intid / 32), BIT_OF(intid));
}

static uint32_t local_op(enum op op, unsigned intid, uint32_t val)
{
	uint64_t d = dist();
	switch (op) {
	case OP_ENABLE:
		bit_wr(GICD_ISENABLER(0), intid);
		break;
	case OP_DISABLE:
		bit_wr(GICD_ICENABLER(0), intid);
		break;
	case OP_IS_ENABLED:
		return bit_rd(GICD_ISENABLER(0), intid);
	case OP_SET_PEND:
		/* An SGI's pending state is per source: set it as sent by this CPU. */
		if (intid < 16)
			zt_w8(d + GICD_SPENDSGIR(intid), (uint8_t)zt_this_cpu()->gic_mask);
		else
			bit_wr(GICD_ISPENDR(0), intid);
		break;
	case OP_CLEAR_PEND:
		if (intid < 16)
			zt_w8(d + GICD_CPENDSGIR(intid), 0xff);
		else
			bit_wr(GICD_ICPENDR(0), intid);
		break;
	case OP_IS_PEND:
		return bit_rd(GICD_ISPENDR(0), intid);
	case OP_IS_ACTIVE:
		return bit_rd(GICD_ISACTIVER(0), intid);
	case OP_CLEAR_ACTIVE:
		bit_wr(GICD_ICACTIVER(0), intid);
		break;
	case OP_PRIO:
		zt_w8(d + GICD_IPRIORITYR(intid), (uint8_t)val);
		break;
	case OP_EDGE: {
		uint64_t a = d + GICD_ICFGR(intid);
		unsigned sh = 2 * (intid % 16);
		uint32_t v = zt_r32(a);
		zt_w32(a, (v & ~(3u << sh)) | ((val ? GIC_ICFGR_EDGE : 0u) << sh));
		break;
	}
	}
	return 0;
}

static void w_op(uint64_t arg)
{
	zt_this_cpu()->result = local_op((enum op)(arg >> 40), (arg >> 8) & 0x3ff, arg & 0xff);
}

/* Another vCPU's SGIs and PPIs: that vCPU does it, from its idle loop. Only a secondary has
 * one (entries != 0); for the boot vCPU, or one that is off, nothing happens. */
static uint32_t op(unsigned cpu, enum op o, unsigned intid, uint32_t val)
{
	if (intid >= 32 || cpu == zt_cpu_id() || cpu >= zt_plat.nr_cpus)
		return local_op(o, intid, val);
	if (!zt_cpus[cpu].entries)
		return 0;
	uint64_t arg = (uint64_t)o << 40 | (uint64_t)intid << 8 | (val & 0xff);
	if (!zt_cpu_call(cpu, w_op, arg, ZT_DELIVERY_MS))
		return 0;
	return (uint32_t)zt_cpus[cpu].result;
}

void zt_gic2_enable(unsigned cpu, unsigned intid)
{
	op(cpu, OP_ENABLE, intid, 0);
}

void zt_gic2_disable(unsigned cpu, unsigned intid)
{
	op(cpu, OP_DISABLE, intid, 0);
}

bool zt_gic2_is_enabled(unsigned cpu, unsigned intid)
{
	return op(cpu, OP_IS_ENABLED, intid, 0);
}

void zt_gic2_set_pending(unsigned cpu, unsigned intid)
{
	op(cpu, OP_SET_PEND, intid, 0);
}

void zt_gic2_clear_pending(unsigned cpu, unsigned intid)
{
	op(cpu, OP_CLEAR_PEND, intid, 0);
}

bool zt_gic2_is_pending(unsigned cpu, unsigned intid)
{
	return op(cpu, OP_IS_PEND, intid, 0);
}

bool zt_gic2_is_active(unsigned cpu, unsigned intid)
{
	return op(cpu, OP_IS_ACTIVE, intid, 0);
}

void zt_gic2_clear_active(unsigned cpu, unsigned intid)
{
	op(cpu, OP_CLEAR_ACTIVE, intid, 0);
}

void zt_gic2_set_priority(unsigned cpu, unsigned intid, uint8_t prio)
{
	op(cpu, OP_PRIO, intid, prio);
}

void zt_gic2_set_edge(unsigned cpu, unsigned intid, bool edge)
{
	op(cpu, OP_EDGE, intid, edge);
}

/* ---- SPI targets ---- */

void zt_gic2_route(unsigned intid, uint64_t mpidr)
{
	uint8_t byte = 0;
	for (unsigned i = 0; i < zt_plat.nr_cpus; i++)
		if (zt_plat.mpidr[i] == (mpidr & ZT_MPIDR_AFF_MASK))
			byte = (uint8_t)mask_of(i);
	zt_w8(dist() + GICD_ITARGETSR(intid), byte);
}

uint64_t zt_gic2_irouter(unsigned intid)
{
	uint8_t byte = zt_r8(dist() + GICD_ITARGETSR(intid));
	for (unsigned i = 0; i < zt_plat.nr_cpus; i++)
		if (byte == mask_of(i))
			return zt_plat.mpidr[i];
	return GICD_IROUTER_IRM; /* no vCPU, or several */
}

/* ---- SGIs ---- */

static void sgir(uint32_t v)
{
	zt_dsb(); /* what the SGI announces is visible first */
	zt_w32(dist() + GICD_SGIR, v);
	zt_dsb();
}

void zt_gic2_sgi_to(unsigned sgi, unsigned cpu)
{
	sgir(SGIR_FILTER_LIST | mask_of(cpu) << GICD_SGIR_TARGETS_SHIFT | (sgi & 0xf));
}

/* The GICv3 list's bit k is the vCPU with Aff0 = k next to vCPU 0 (Aff3-1 as vCPU 0's). */
void zt_gic2_sgi_list(unsigned sgi, uint64_t aff_list_mask)
{
	uint32_t targets = 0;
	for (unsigned i = 0; i < zt_plat.nr_cpus; i++) {
		uint64_t m = zt_plat.mpidr[i];
		if ((m & ~0xfULL) == (zt_plat.mpidr[0] & ~0xffULL) &&
		    (aff_list_mask >> (m & 0xf) & 1))
			targets |= mask_of(i);
	}
	sgir(SGIR_FILTER_LIST | (targets & 0xff) << GICD_SGIR_TARGETS_SHIFT | (sgi & 0xf));
}

void zt_gic2_sgi_others(unsigned sgi)
{
	sgir(SGIR_FILTER_OTHERS | (sgi & 0xf));
}

/* ---- the CPU interface ---- */

void zt_gic2_set_pmr(uint8_t pmr)
{
	zt_w32(cpuif() + GICC_PMR, pmr);
	zt_dsb();
}

void zt_gic2_cpu_enable(bool on)
{
	uint32_t v = zt_r32(cpuif() + GICC_CTLR);
	zt_w32(cpuif() + GICC_CTLR, on ? v | GICC_CTLR_EN : v & ~GICC_CTLR_EN);
	zt_dsb();
}

uint64_t zt_gic2_ack(void)
{
	return zt_r32(cpuif() + GICC_IAR);
}

void zt_gic2_eoi(uint64_t iar)
{
	zt_w32(cpuif() + GICC_EOIR, (uint32_t)iar); /* with an SGI's source CPU, as acked */
	zt_dsb();
}

unsigned zt_gic2_hppi(void)
{
	return zt_r32(cpuif() + GICC_HPPIR) & GICC_IAR_INTID;
}

unsigned zt_gic2_rpr(void)
{
	return zt_r32(cpuif() + GICC_RPR) & 0xff;
}
