/* GICv3 guest driver: distributor with affinity routing, redistributor wake-up, the system
 * register CPU interface, group 1 interrupts only. Register accesses follow Linux's choices
 * (32-bit, except GICR_TYPER and GICD_IROUTER which are 64-bit) so a virtual GIC that serves
 * Linux serves this too. When the DTB's GIC is a GICv2, every public function hands over to
 * gic_v2.c instead. */
#include "zt.h"

#include "gic_v2.h"

#include "arch/gicv3_regs.h"
#include "drivers/gicv2.h"

static zt_irq_fn handlers[GIC_INTID_SPECIAL];

static uint64_t dist(void)
{
	return zt_plat.gicd;
}

static uint64_t sgi_base(unsigned cpu)
{
	return zt_cpus[cpu].gicr + GICR_SGI_OFFSET;
}

void zt_gic_wait_rwp(void)
{
	if (zt_gic_v2())
		return; /* a GICv2 has no RWP: its writes take effect at once */
	uint64_t end = zt_now() + zt_ms(100);
	while ((zt_r32(dist() + GICD_CTLR) & GICD_CTLR_RWP) && zt_now() < end)
		zt_relax();
}

static void wait_rwp_r(unsigned cpu)
{
	uint64_t end = zt_now() + zt_ms(100);
	while ((zt_r32(zt_cpus[cpu].gicr + GICR_CTLR) & GICR_CTLR_RWP) && zt_now() < end)
		zt_relax();
}

static unsigned nr_lines(void)
{
	unsigned n = 32 * (GICD_TYPER_ITLINES(zt_r32(dist() + GICD_TYPER)) + 1);
	return n > 1020 ? 1020 : n;
}

int zt_gic_init_dist(void)
{
	if (zt_gic_v2())
		return zt_gic2_init_dist();
	uint64_t d = dist();
	uint32_t pidr2 = zt_r32(d + GICD_PIDR2);
	unsigned rev = GIC_PIDR2_ARCHREV(pidr2);
	if (rev != GIC_ARCHREV_GICV3 && rev != GIC_ARCHREV_GICV4)
		return zt_fail("GICD_PIDR2 0x%x: not a GICv3 at 0x%lx", pidr2, (unsigned long)d);

	zt_w32(d + GICD_CTLR, 0);
	zt_gic_wait_rwp();
	unsigned n = nr_lines();
	for (unsigned i = 32; i < n; i += 32) {
		zt_w32(d + GICD_ICENABLER(i), ~0u);
		zt_w32(d + GICD_ICPENDR(i), ~0u);
		zt_w32(d + GICD_ICACTIVER(i), ~0u);
		zt_w32(d + GICD_IGROUPR(i), ~0u); /* everything Non-secure group 1 */
	}
	for (unsigned i = 32; i < n; i += 4)
		zt_w32(d + GICD_IPRIORITYR(i), 0xa0a0a0a0);
	uint64_t me = zt_plat.mpidr[zt_cpu_id()];
	for (unsigned i = 32; i < n; i++)
		zt_w64(d + GICD_IROUTER(i), me);
	zt_gic_wait_rwp();
	zt_w32(d + GICD_CTLR, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1);
	zt_gic_wait_rwp();
	uint32_t ctlr = zt_r32(d + GICD_CTLR);
	if (!(ctlr & GICD_CTLR_ARE_NS))
		return zt_fail("GICD_CTLR 0x%x: ARE did not stick", ctlr);
	if (!(ctlr & (GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1)))
		return zt_fail("GICD_CTLR 0x%x: group 1 not enabled", ctlr);
	return 0;
}

uint64_t zt_gicr_find(uint64_t mpidr, unsigned *frame_index)
{
	uint32_t aff = (uint32_t)(((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff));
	uint64_t a = zt_plat.gicr, end = zt_plat.gicr + zt_plat.gicr_size;
	for (unsigned i = 0; a < end && i < 64; i++) {
		uint64_t typer = zt_r64(a + GICR_TYPER);
		if (GICR_TYPER_AFFINITY(typer) == aff) {
			if (frame_index)
				*frame_index = i;
			return a;
		}
		if (typer & GICR_TYPER_LAST)
			break;
		uint64_t stride = zt_plat.gicr_stride;
		if (!stride)
			stride = (typer & GICR_TYPER_VLPIS) ? GICR_STRIDE_V4 : GICR_STRIDE_V3;
		a += stride;
	}
	return 0;
}

int zt_gic_init_cpu(void)
{
	if (zt_gic_v2())
		return zt_gic2_init_cpu();
	unsigned cpu = zt_cpu_id();
	struct zt_cpu *c = &zt_cpus[cpu];
	c->gicr = zt_gicr_find(zt_plat.mpidr[cpu], NULL);
	if (!c->gicr)
		return zt_fail("no redistributor for MPIDR 0x%lx",
			       (unsigned long)zt_plat.mpidr[cpu]);

	uint32_t w = zt_r32(c->gicr + GICR_WAKER);
	zt_w32(c->gicr + GICR_WAKER, w & ~GICR_WAKER_PROCESSOR_SLEEP);
	uint64_t end = zt_now() + zt_ms(100);
	while ((zt_r32(c->gicr + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP) && zt_now() < end)
		zt_relax();
	if (zt_r32(c->gicr + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		return zt_fail("GICR_WAKER.ChildrenAsleep stuck at 1");

	uint64_t s = sgi_base(cpu);
	zt_w32(s + GICR_ICENABLER0, ~0u);
	zt_w32(s + GICR_ICPENDR0, ~0u);
	zt_w32(s + GICR_ICACTIVER0, ~0u);
	zt_w32(s + GICR_IGROUPR0, ~0u);
	for (unsigned i = 0; i < 32; i += 4)
		zt_w32(s + GICR_IPRIORITYR(i), 0xa0a0a0a0);
	wait_rwp_r(cpu);

	uint64_t sre = zt_read_sysreg_s(SYS_ICC_SRE_EL1);
	zt_write_sysreg_s(sre | ICC_SRE_SRE | ICC_SRE_DFB | ICC_SRE_DIB, SYS_ICC_SRE_EL1);
	zt_isb();
	if (!(zt_read_sysreg_s(SYS_ICC_SRE_EL1) & ICC_SRE_SRE))
		return zt_fail("ICC_SRE_EL1.SRE stays 0");
	zt_write_sysreg_s(0xff, SYS_ICC_PMR_EL1);
	zt_write_sysreg_s(0, SYS_ICC_BPR1_EL1);
	zt_write_sysreg_s(0, SYS_ICC_CTLR_EL1); /* EOImode 0: EOIR drops and deactivates */
	zt_write_sysreg_s(ICC_IGRPEN_ENABLE, SYS_ICC_IGRPEN1_EL1);
	zt_isb();

	zt_gic_enable(cpu, 0); /* SGI 0: wake-up kicks (see kick() in runtime.c) */
	return 0;
}

void zt_irq_set_handler(unsigned intid, zt_irq_fn fn)
{
	if (intid < GIC_INTID_SPECIAL)
		handlers[intid] = fn;
}

void zt_gic_handle_irq(void)
{
	unsigned cpu = zt_cpu_id();
	struct zt_cpu *c = &zt_cpus[cpu];
	uint64_t iar = zt_gic_ack();
	unsigned intid = zt_gic_intid(iar);
	if (intid >= GIC_INTID_SPECIAL) {
		c->spurious = c->spurious + 1;
		return;
	}
	if (intid < ZT_ARRAY_SIZE(c->irq_count))
		c->irq_count[intid] = c->irq_count[intid] + 1;
	uint32_t n = c->irq_log_n;
	if (n < ZT_ARRAY_SIZE(c->irq_log))
		c->irq_log[n] = intid;
	c->irq_log_n = n + 1;
	if (handlers[intid])
		handlers[intid](intid, cpu);
	zt_gic_eoi(iar);
}

void zt_gic_handle_fiq(void)
{
	if (zt_gic_v2())
		return; /* group 0 is signalled as IRQ (GICC_CTLR.FIQEn = 0): none comes */
	uint64_t iar = zt_read_sysreg_s(SYS_ICC_IAR0_EL1);
	if ((iar & ICC_IAR_INTID_MASK) < GIC_INTID_SPECIAL)
		zt_write_sysreg_s(iar, SYS_ICC_EOIR0_EL1);
	zt_isb();
}

/* One-bit-per-INTID registers: SGIs/PPIs in the redistributor's SGI frame, SPIs in GICD. */
static uint64_t bitreg(unsigned cpu, unsigned intid, uint32_t gicr_off, uint32_t gicd_off)
{
	if (intid < 32)
		return sgi_base(cpu) + gicr_off;
	return dist() + gicd_off + 4 * (intid / 32);
}

#define BIT_OF(intid) (1u << ((intid) % 32))

void zt_gic_enable(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2()) {
		zt_gic2_enable(cpu, intid);
		return;
	}
	zt_w32(bitreg(cpu, intid, GICR_ISENABLER0, GICD_ISENABLER(0)), BIT_OF(intid));
}

void zt_gic_disable(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2()) {
		zt_gic2_disable(cpu, intid);
		return;
	}
	zt_w32(bitreg(cpu, intid, GICR_ICENABLER0, GICD_ICENABLER(0)), BIT_OF(intid));
	if (intid < 32)
		wait_rwp_r(cpu);
	else
		zt_gic_wait_rwp();
}

bool zt_gic_is_enabled(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2())
		return zt_gic2_is_enabled(cpu, intid);
	return zt_r32(bitreg(cpu, intid, GICR_ISENABLER0, GICD_ISENABLER(0))) & BIT_OF(intid);
}

void zt_gic_set_pending(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2()) {
		zt_gic2_set_pending(cpu, intid);
		return;
	}
	zt_w32(bitreg(cpu, intid, GICR_ISPENDR0, GICD_ISPENDR(0)), BIT_OF(intid));
}

void zt_gic_clear_pending(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2()) {
		zt_gic2_clear_pending(cpu, intid);
		return;
	}
	zt_w32(bitreg(cpu, intid, GICR_ICPENDR0, GICD_ICPENDR(0)), BIT_OF(intid));
}

bool zt_gic_is_pending(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2())
		return zt_gic2_is_pending(cpu, intid);
	return zt_r32(bitreg(cpu, intid, GICR_ISPENDR0, GICD_ISPENDR(0))) & BIT_OF(intid);
}

bool zt_gic_is_active(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2())
		return zt_gic2_is_active(cpu, intid);
	return zt_r32(bitreg(cpu, intid, GICR_ISACTIVER0, GICD_ISACTIVER(0))) & BIT_OF(intid);
}

void zt_gic_clear_active(unsigned cpu, unsigned intid)
{
	if (zt_gic_v2()) {
		zt_gic2_clear_active(cpu, intid);
		return;
	}
	zt_w32(bitreg(cpu, intid, GICR_ICACTIVER0, GICD_ICACTIVER(0)), BIT_OF(intid));
}

void zt_gic_set_priority(unsigned cpu, unsigned intid, uint8_t prio)
{
	if (zt_gic_v2()) {
		zt_gic2_set_priority(cpu, intid, prio);
		return;
	}
	uint64_t a = intid < 32 ? sgi_base(cpu) + GICR_IPRIORITYR(intid & ~3u)
				: dist() + GICD_IPRIORITYR(intid & ~3u);
	unsigned sh = 8 * (intid % 4);
	uint32_t v = zt_r32(a);
	v = (v & ~(0xffu << sh)) | ((uint32_t)prio << sh);
	zt_w32(a, v);
}

void zt_gic_set_edge(unsigned cpu, unsigned intid, bool edge)
{
	if (zt_gic_v2()) {
		zt_gic2_set_edge(cpu, intid, edge);
		return;
	}
	uint64_t a = intid < 32 ? sgi_base(cpu) + GICR_ICFGR0 + 4 * (intid / 16)
				: dist() + GICD_ICFGR(intid);
	unsigned sh = 2 * (intid % 16);
	uint32_t v = zt_r32(a);
	v = (v & ~(3u << sh)) | ((edge ? GIC_ICFGR_EDGE : 0u) << sh);
	zt_w32(a, v);
}

void zt_gic_route(unsigned intid, uint64_t mpidr)
{
	if (zt_gic_v2()) {
		zt_gic2_route(intid, mpidr);
		return;
	}
	zt_w64(dist() + GICD_IROUTER(intid), mpidr & GICD_IROUTER_AFF_MASK);
}

uint64_t zt_gic_irouter(unsigned intid)
{
	if (zt_gic_v2())
		return zt_gic2_irouter(intid);
	return zt_r64(dist() + GICD_IROUTER(intid));
}

static void sgi1r(uint64_t v)
{
	zt_dsb();
	zt_write_sysreg_s(v, SYS_ICC_SGI1R_EL1);
	zt_isb();
}

void zt_gic_sgi_to(unsigned sgi, unsigned cpu)
{
	if (zt_gic_v2()) {
		zt_gic2_sgi_to(sgi, cpu);
		return;
	}
	uint64_t m = zt_plat.mpidr[cpu];
	unsigned aff0 = m & 0xff;
	sgi1r(((m >> 32) & 0xff) << ICC_SGI1R_AFF3_SHIFT |
	      ((m >> 16) & 0xff) << ICC_SGI1R_AFF2_SHIFT |
	      ((m >> 8) & 0xff) << ICC_SGI1R_AFF1_SHIFT |
	      (uint64_t)(aff0 >> 4) << ICC_SGI1R_RS_SHIFT |
	      (uint64_t)(sgi & 0xf) << ICC_SGI1R_INTID_SHIFT | (1u << (aff0 & 0xf)));
}

void zt_gic_sgi_list(unsigned sgi, uint64_t aff_list_mask)
{
	if (zt_gic_v2()) {
		zt_gic2_sgi_list(sgi, aff_list_mask);
		return;
	}
	uint64_t m = zt_plat.mpidr[0];
	sgi1r(((m >> 32) & 0xff) << ICC_SGI1R_AFF3_SHIFT |
	      ((m >> 16) & 0xff) << ICC_SGI1R_AFF2_SHIFT |
	      ((m >> 8) & 0xff) << ICC_SGI1R_AFF1_SHIFT |
	      (uint64_t)(sgi & 0xf) << ICC_SGI1R_INTID_SHIFT |
	      (aff_list_mask & ICC_SGI1R_TARGET_LIST_MASK));
}

void zt_gic_sgi_others(unsigned sgi)
{
	if (zt_gic_v2()) {
		zt_gic2_sgi_others(sgi);
		return;
	}
	sgi1r(ICC_SGI1R_IRM | (uint64_t)(sgi & 0xf) << ICC_SGI1R_INTID_SHIFT);
}

/* ---- the CPU interface ---- */

void zt_gic_set_pmr(uint8_t pmr)
{
	if (zt_gic_v2()) {
		zt_gic2_set_pmr(pmr);
		return;
	}
	zt_write_sysreg_s(pmr, SYS_ICC_PMR_EL1);
	zt_isb();
}

void zt_gic_cpu_enable(bool on)
{
	if (zt_gic_v2()) {
		zt_gic2_cpu_enable(on);
		return;
	}
	zt_write_sysreg_s(on ? ICC_IGRPEN_ENABLE : 0, SYS_ICC_IGRPEN1_EL1);
	zt_isb();
}

uint64_t zt_gic_ack(void)
{
	if (zt_gic_v2())
		return zt_gic2_ack();
	return zt_read_sysreg_s(SYS_ICC_IAR1_EL1);
}

void zt_gic_eoi(uint64_t iar)
{
	if (zt_gic_v2()) {
		zt_gic2_eoi(iar);
		return;
	}
	zt_write_sysreg_s(iar, SYS_ICC_EOIR1_EL1);
	zt_isb();
}

unsigned zt_gic_intid(uint64_t iar)
{
	/* GICv2: bits [12:10] are an SGI's source CPU */
	return (unsigned)(iar & (zt_gic_v2() ? GICC_IAR_INTID : ICC_IAR_INTID_MASK));
}

unsigned zt_gic_hppi(void)
{
	if (zt_gic_v2())
		return zt_gic2_hppi();
	return zt_read_sysreg_s(SYS_ICC_HPPIR1_EL1) & ICC_IAR_INTID_MASK;
}

unsigned zt_gic_rpr(void)
{
	if (zt_gic_v2())
		return zt_gic2_rpr();
	return zt_read_sysreg_s(SYS_ICC_RPR_EL1) & 0xff;
}
