/* el0: the guest's own EL0, in AArch64 and in AArch32 (A32 and T32). Whatever the guest's EL0
 * does, the hypervisor must take its exits like any other: a physical interrupt while EL0 runs,
 * a WFI trapped from EL0 (resumed after the instruction, 2 bytes for a 16-bit T32 one), an
 * emulated MMIO load into an AArch32 register, and an abort injected into EL1 through the
 * vectors for AArch32. Each case enters EL0 code that ends in a branch to itself (el0_code.S);
 * the virtual timer, or the exception under test, brings the CPU back to EL1. */
#include "zt.h"

#include "arch/gicv3_regs.h"

#define TIMER	    ZT_VTIMER_INTID
#define SPSR_EL0T   0x0ull	/* AArch64 EL0, interrupts unmasked */
#define SPSR_USR32  0x10ull	/* AArch32 User mode, interrupts unmasked */
#define SPSR_T	    (1ull << 5) /* T32 */
#define EC_DABT_LOW 0x24
#define NOWHERE	    0x20000000ull /* no RAM or device of a ZVM guest (native: PCIe window) */

extern char el0_a64_spin[], el0_a64_wfi[], el0_a32_spin[], el0_a32_wfi[], el0_a32_load[],
    el0_t32_wfi[], el0_t32_load[];

static volatile unsigned ticks;

static void h_timer(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	ticks = ticks + 1;
	zt_write_sysreg(CNTV_CTL_IMASK, cntv_ctl_el0); /* the level drops before the EOI */
	zt_isb();
}

/* Runs pc at EL0 with the timer due in ms; returns what brought the CPU back. */
static struct zt_lower_exit run_for(const char *pc, uint64_t spsr, uint64_t x0, uint64_t x1,
				    unsigned ms)
{
	zt_gic_set_priority(0, TIMER, 0x80);
	zt_gic_enable(0, TIMER);
	zt_vtimer_arm_at(zt_now() + zt_ms(ms));
	return zt_run_lower((uint64_t)(uintptr_t)pc, spsr, x0, x1);
}

/* The timer is what ends the case: due in 2 ms. */
static struct zt_lower_exit run(const char *pc, uint64_t spsr, uint64_t x0, uint64_t x1)
{
	return run_for(pc, spsr, x0, x1, 2);
}

static bool has_aarch32_el0(void)
{
	return ((zt_read_sysreg(id_aa64pfr0_el1) & 0xf) == 2); /* EL0: AArch64 and AArch32 */
}

static int no_aarch32(void)
{
	zt_note("this CPU has no AArch32 EL0: nothing to check");
	return 0;
}

static int check_irq(const struct zt_lower_exit *e, unsigned from, const char *elr)
{
	CHECK(e->type == (from | ZT_EXC_IRQ),
	      "came back by exception type 0x%lx (ESR 0x%lx), want an IRQ", (unsigned long)e->type,
	      (unsigned long)e->esr);
	CHECK(e->elr == (uint64_t)(uintptr_t)elr, "IRQ taken at 0x%lx, want 0x%lx",
	      (unsigned long)e->elr, (unsigned long)(uintptr_t)elr);
	CHECK(ticks == 1, "%u timer interrupts, want 1", ticks);
	return 0;
}

static int c_a64_irq(void)
{
	ticks = 0;
	struct zt_lower_exit e = run(el0_a64_spin, SPSR_EL0T, 0, 0);
	return check_irq(&e, ZT_EXC_LOWER64, el0_a64_spin);
}

static int c_a64_wfi(void)
{
	ticks = 0;
	struct zt_lower_exit e = run(el0_a64_wfi, SPSR_EL0T, 0, 0);
	return check_irq(&e, ZT_EXC_LOWER64, el0_a64_wfi + 4);
}

static int c_a32_irq(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	ticks = 0;
	struct zt_lower_exit e = run(el0_a32_spin, SPSR_USR32, 0, 0);
	CHECK((e.spsr & 0x1f) == SPSR_USR32, "SPSR 0x%lx: not AArch32 User", (unsigned long)e.spsr);
	return check_irq(&e, ZT_EXC_LOWER32, el0_a32_spin);
}

static int c_a32_wfi(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	ticks = 0;
	struct zt_lower_exit e = run(el0_a32_wfi, SPSR_USR32, 0, 0);
	return check_irq(&e, ZT_EXC_LOWER32, el0_a32_wfi + 4);
}

static int c_t32_wfi(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	ticks = 0;
	struct zt_lower_exit e = run(el0_t32_wfi, SPSR_USR32 | SPSR_T, 0, 0);
	CHECK(e.spsr & SPSR_T, "SPSR 0x%lx: not T32 any more", (unsigned long)e.spsr);
	return check_irq(&e, ZT_EXC_LOWER32, el0_t32_wfi + 2);
}

/* An emulated register (GICD_TYPER) loaded into r0 from A32 and T32. */
static int load_typer(const char *pc, uint64_t spsr, unsigned len)
{
	uint32_t want = zt_r32(zt_plat.gicd + 4);
	ticks = 0;
	/* The timer must not come before the load: 2 ms did on a loaded host (the IRQ was taken
	 * at the load itself), as for the abort case below. */
	struct zt_lower_exit e = run_for(pc, spsr, 0xdead, zt_plat.gicd + 4, 300);
	int rc = check_irq(&e, ZT_EXC_LOWER32, pc + len);
	if (rc)
		return rc;
	CHECK((uint32_t)e.x0 == want, "r0 = 0x%x after the load, GICD_TYPER is 0x%x",
	      (unsigned)e.x0, (unsigned)want);
	return 0;
}

static int c_a32_mmio(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	return load_typer(el0_a32_load, SPSR_USR32, 4);
}

static int c_t32_mmio(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	return load_typer(el0_t32_load, SPSR_USR32 | SPSR_T, 2);
}

/* A load from nowhere: the external abort arrives through the lower-EL AArch32 sync vector. */
static int c_a32_abort(void)
{
	if (!has_aarch32_el0())
		return no_aarch32();
	ticks = 0;
	/* The timer is only the way out where nothing aborts (natively): far enough that a
	 * loaded host cannot let it come before the abort (2 ms did, under TCG). */
	struct zt_lower_exit e = run_for(el0_a32_load, SPSR_USR32, 0, NOWHERE, 300);
	if (e.type == (ZT_EXC_LOWER32 | ZT_EXC_IRQ) && zt_plat.native)
		return zt_skip("native: a load at 0x%lx does not abort", (unsigned long)NOWHERE);
	CHECK(e.type == (ZT_EXC_LOWER32 | ZT_EXC_SYNC),
	      "came back by exception type 0x%lx, want a sync one", (unsigned long)e.type);
	CHECK(ESR_EC(e.esr) == EC_DABT_LOW, "EC 0x%x (ESR 0x%lx), want 0x%x",
	      (unsigned)ESR_EC(e.esr), (unsigned long)e.esr, EC_DABT_LOW);
	CHECK(e.elr == (uint64_t)(uintptr_t)el0_a32_load, "ELR 0x%lx, want the load at 0x%lx",
	      (unsigned long)e.elr, (unsigned long)(uintptr_t)el0_a32_load);
	CHECK(e.far == NOWHERE, "FAR 0x%lx, want 0x%lx", (unsigned long)e.far,
	      (unsigned long)NOWHERE);
	return 0;
}

static void run_el0(void)
{
	zt_irq_log_reset(0);
	zt_irq_set_handler(TIMER, h_timer);
	zt_case("el0_a64_irq", c_a64_irq);
	zt_case("el0_a64_wfi", c_a64_wfi);
	zt_case("el0_a32_irq", c_a32_irq);
	zt_case("el0_a32_wfi", c_a32_wfi);
	zt_case("el0_t32_wfi", c_t32_wfi);
	zt_case("el0_a32_mmio_load", c_a32_mmio);
	zt_case("el0_t32_mmio_load", c_t32_mmio);
	zt_case("el0_a32_abort", c_a32_abort);
}
ZT_SET(el0, 1, run_el0, "EL0 in AArch64, A32 and T32: interrupts, WFI, MMIO and aborts from there");
