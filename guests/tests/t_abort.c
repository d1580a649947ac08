/* abort: what a guest gets for accesses the hypervisor cannot satisfy. A load, store or
 * instruction fetch at an IPA outside RAM and devices must come back as a synchronous external
 * abort taken to EL1 (EC 0x25/0x21, FSC 0x10, FAR = the address); an IMPLEMENTATION DEFINED
 * system register must UNDEF (EC 0x00); an unknown hvc returns -1; WFE/WFI return. The guest
 * skips the faulting instruction and carries on.
 *
 * Native mode (zvmnative): QEMU virt maps its PCIe MMIO window at 0x10000000-0x3effffff, so a
 * load at 0x20000000 does not abort there; such a case is skipped natively (never under ZVM).
 * A native abort with another fault status code is accepted natively if it has the right EC. */
#include "zt.h"

#define SGI_WATCHDOG 15

static uint64_t load64(uint64_t addr, uint64_t *pc)
{
	uint64_t v = 0, at;
	__asm__ volatile("adr %1, 1f\n1:\tldr %0, [%2]"
			 : "=&r"(v), "=&r"(at)
			 : "r"(addr)
			 : "memory");
	*pc = at;
	return v;
}

static uint32_t load32(uint64_t addr, uint64_t *pc)
{
	uint32_t v = 0;
	uint64_t at;
	__asm__ volatile("adr %1, 1f\n1:\tldr %w0, [%2]"
			 : "=&r"(v), "=&r"(at)
			 : "r"(addr)
			 : "memory");
	*pc = at;
	return v;
}

static void store64(uint64_t addr, uint64_t v, uint64_t *pc)
{
	uint64_t at;
	__asm__ volatile("adr %0, 1f\n1:\tstr %1, [%2]" : "=&r"(at) : "r"(v), "r"(addr) : "memory");
	*pc = at;
}

static int check_abort(const char *what, uint64_t addr, const struct zt_exc *e, uint64_t pc,
		       unsigned want_ec)
{
	if (!e->count) {
		if (zt_plat.native)
			return zt_skip(
			    "native: %s at 0x%lx does not abort (QEMU maps something there)", what,
			    (unsigned long)addr);
		return zt_fail("%s at 0x%lx completed without an abort", what, (unsigned long)addr);
	}
	unsigned ec = ESR_EC(e->esr), fsc = e->esr & 0x3f;
	CHECK(e->count == 1, "%s at 0x%lx: %u exceptions", what, (unsigned long)addr, e->count);
	CHECK(ec == want_ec, "%s at 0x%lx: EC 0x%x (ESR 0x%lx), want 0x%x", what,
	      (unsigned long)addr, ec, (unsigned long)e->esr, want_ec);
	if (fsc != FSC_EXTABT && zt_plat.native) {
		zt_note("native: %s at 0x%lx gave FSC 0x%x, not 0x10 (ESR 0x%lx)", what,
			(unsigned long)addr, fsc, (unsigned long)e->esr);
	} else {
		CHECK(fsc == FSC_EXTABT,
		      "%s at 0x%lx: FSC 0x%x (ESR 0x%lx), want 0x10 (external abort)", what,
		      (unsigned long)addr, fsc, (unsigned long)e->esr);
	}
	CHECK(!(e->esr & (1u << 10)), "%s: ESR 0x%lx has FnV set: FAR not valid", what,
	      (unsigned long)e->esr);
	CHECK(e->far == addr, "%s: FAR 0x%lx, want 0x%lx", what, (unsigned long)e->far,
	      (unsigned long)addr);
	CHECK(e->elr == pc, "%s: ELR 0x%lx, want the faulting instruction 0x%lx", what,
	      (unsigned long)e->elr, (unsigned long)pc);
	return 0;
}

static int data_abort_load(uint64_t addr)
{
	uint64_t pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	load64(addr, &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_abort("64-bit load", addr, &e, pc, EC_DABT_CUR);
}

static int c_load_4g(void)
{
	return data_abort_load(0x100000000ULL);
}

static int c_load_512m(void)
{
	return data_abort_load(0x20000000ULL);
}

/* The first byte past the end of RAM (the DTB's /memory). The last word of RAM must load. */
static int c_load_past_ram(void)
{
	uint64_t end = zt_plat.ram_base + zt_plat.ram_size, pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	load64(end - 8, &pc);
	struct zt_exc e = zt_exc_disarm();
	CHECK(!e.count, "the last word of RAM (0x%lx) faults: ESR 0x%lx", (unsigned long)(end - 8),
	      (unsigned long)e.esr);
	return data_abort_load(end);
}

static int c_load32_4g(void)
{
	uint64_t pc, addr = 0x100000004ULL;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	load32(addr, &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_abort("32-bit load", addr, &e, pc, EC_DABT_CUR);
}

static int c_store_4g(void)
{
	uint64_t pc, addr = 0x100000008ULL;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	store64(addr, 0x1234, &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_abort("64-bit store", addr, &e, pc, EC_DABT_CUR);
}

/* A load pair from an emulated device carries no instruction syndrome (ESR.ISV = 0): the
 * hypervisor cannot emulate it and answers with an external abort. Natively the GIC answers. */
static int c_mmio_no_syndrome(void)
{
	uint64_t a = 0, b = 0, at, addr = zt_plat.gicd;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	__asm__ volatile("adr %2, 1f\n1:\tldp %0, %1, [%3]"
			 : "=&r"(a), "=&r"(b), "=&r"(at)
			 : "r"(addr)
			 : "memory");
	struct zt_exc e = zt_exc_disarm();
	if (zt_plat.native && !e.count)
		return zt_skip("native: the GIC itself answers a load pair");
	return check_abort("load pair from the GIC distributor", addr, &e, at, EC_DABT_CUR);
}

/* A branch to nowhere: instruction abort, ELR = FAR = target; we resume at the link address. */
static int c_fetch_4g(void)
{
	uint64_t addr = 0x100000000ULL;
	zt_exc_arm(ZT_RESUME_LR, 0);
	__asm__ volatile("blr %0" : : "r"(addr) : "x30", "memory");
	struct zt_exc e = zt_exc_disarm();
	return check_abort("instruction fetch", addr, &e, addr, EC_IABT_CUR);
}

/* A branch into a device region (the guest executes from device memory): under ZVM the
 * device is emulated, never mapped, so the fetch is a prefetch abort for the guest (EC 0x21,
 * external abort, FAR = ELR = the device address), and the guest carries on. Natively QEMU
 * does what the real device would do: skipped there. */
static int fetch_device(const char *what, uint64_t addr)
{
	if (zt_plat.native)
		return zt_skip("native: executing from the %s is up to QEMU", what);
	zt_exc_arm(ZT_RESUME_LR, 0);
	__asm__ volatile("blr %0" : : "r"(addr) : "x30", "memory");
	struct zt_exc e = zt_exc_disarm();
	return check_abort(what, addr, &e, addr, EC_IABT_CUR);
}

static int c_fetch_uart(void)
{
	return fetch_device("PL011 UART", zt_plat.uart);
}

static int c_fetch_gicd(void)
{
	return fetch_device("GIC distributor", zt_plat.gicd + 0x100);
}

/* The first instruction past the end of RAM. */
static int c_fetch_past_ram(void)
{
	uint64_t addr = zt_plat.ram_base + zt_plat.ram_size;
	zt_exc_arm(ZT_RESUME_LR, 0);
	__asm__ volatile("blr %0" : : "r"(addr) : "x30", "memory");
	struct zt_exc e = zt_exc_disarm();
	return check_abort("instruction fetch past RAM", addr, &e, addr, EC_IABT_CUR);
}

/* Many aborts in a row: the hypervisor's injection path must not leak or wedge. */
static int c_repeat(void)
{
	for (unsigned i = 0; i < 200; i++) {
		uint64_t pc, addr = 0x100000000ULL + 0x1000 * i;
		zt_exc_arm(ZT_RESUME_NEXT, 0);
		load64(addr, &pc);
		struct zt_exc e = zt_exc_disarm();
		if (!e.count || ESR_EC(e.esr) != EC_DABT_CUR || e.far != addr)
			return zt_fail("abort %u at 0x%lx: count %u ESR 0x%lx FAR 0x%lx", i,
				       (unsigned long)addr, e.count, (unsigned long)e.esr,
				       (unsigned long)e.far);
	}
	return 0;
}

/* ---- system registers ---- */
#define PROBE_MRS(enc, pcp)                                                                        \
	({                                                                                         \
		uint64_t __v = 0, __at;                                                            \
		__asm__ volatile("adr %1, 1f\n1:\tmrs %0, " enc                                    \
				 : "=&r"(__v), "=&r"(__at)                                         \
				 :                                                                 \
				 : "memory");                                                      \
		*(pcp) = __at;                                                                     \
		__v;                                                                               \
	})
#define PROBE_MSR(enc, val, pcp)                                                                   \
	({                                                                                         \
		uint64_t __at;                                                                     \
		__asm__ volatile("adr %0, 1f\n1:\tmsr " enc ", %1"                                 \
				 : "=&r"(__at)                                                     \
				 : "r"((uint64_t)(val))                                            \
				 : "memory");                                                      \
		*(pcp) = __at;                                                                     \
	})

static int check_undef(const char *what, const struct zt_exc *e, uint64_t pc)
{
	CHECK(e->count == 1, "%s: %u exceptions, want one UNDEF", what, e->count);
	CHECK(ESR_EC(e->esr) == EC_UNKNOWN, "%s: ESR 0x%lx (EC 0x%x), want EC 0x00 (UNDEF)", what,
	      (unsigned long)e->esr, (unsigned)ESR_EC(e->esr));
	CHECK(e->elr == pc, "%s: ELR 0x%lx, want 0x%lx", what, (unsigned long)e->elr,
	      (unsigned long)pc);
	return 0;
}

static int c_impdef_read(void)
{
	uint64_t pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	PROBE_MRS("S3_0_C15_C0_0", &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_undef("mrs S3_0_C15_C0_0", &e, pc);
}

static int c_impdef_write(void)
{
	uint64_t pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	PROBE_MSR("S3_0_C15_C0_0", 0, &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_undef("msr S3_0_C15_C0_0", &e, pc);
}

static int c_impdef_read2(void)
{
	uint64_t pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	PROBE_MRS("S3_0_C11_C0_0", &pc);
	struct zt_exc e = zt_exc_disarm();
	return check_undef("mrs S3_0_C11_C0_0", &e, pc);
}

/* The other SGI generation registers exist on every GICv3 CPU interface: writing them with an
 * empty target list must be accepted (nothing is sent), not UNDEF. */
static int c_sgi_regs(void)
{
	if (zt_gic_v2())
		return zt_skip("GICv3 only: a GICv2 has no GIC system registers");
	uint64_t pc[2];
	struct zt_exc e[2];
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	PROBE_MSR("S3_0_C12_C11_6", 0, &pc[0]); /* ICC_ASGI1R_EL1 */
	e[0] = zt_exc_disarm();
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	PROBE_MSR("S3_0_C12_C11_7", 0, &pc[1]); /* ICC_SGI0R_EL1 */
	e[1] = zt_exc_disarm();
	CHECK(e[0].count == 0, "ICC_ASGI1R_EL1 write: ESR 0x%lx", (unsigned long)e[0].esr);
	CHECK(e[1].count == 0, "ICC_SGI0R_EL1 write: ESR 0x%lx", (unsigned long)e[1].esr);
	return 0;
}

/* Debug and PMU registers: a hypervisor may emulate them or UNDEF them; either way the guest
 * must get a value or an EC 0x00 exception, never a hang or another exception. */
static int c_debug_regs(void)
{
	uint64_t pc[4], v[4];
	struct zt_exc e[4];
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	v[0] = PROBE_MRS("mdscr_el1", &pc[0]);
	e[0] = zt_exc_disarm();
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	v[1] = PROBE_MRS("dbgbvr0_el1", &pc[1]);
	e[1] = zt_exc_disarm();
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	v[2] = PROBE_MRS("oslsr_el1", &pc[2]);
	e[2] = zt_exc_disarm();
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	v[3] = PROBE_MRS("pmcr_el0", &pc[3]);
	e[3] = zt_exc_disarm();
	static const char *const names[] = {"MDSCR_EL1", "DBGBVR0_EL1", "OSLSR_EL1", "PMCR_EL0"};
	for (unsigned i = 0; i < 4; i++) {
		if (e[i].count) {
			int r = check_undef(names[i], &e[i], pc[i]);
			if (r)
				return r;
			zt_note("%s: UNDEF", names[i]);
		} else {
			zt_note("%s = 0x%lx", names[i], (unsigned long)v[i]);
		}
	}
	return 0;
}

/* The debug registers a guest owns (MDSCR_EL1, the OS lock, breakpoint and watchpoint 0)
 * behave as on hardware: each holds what was written (the debug set checks that they fire,
 * per vCPU and only in their VM). */
static int c_debug_owned(void)
{
	zt_write_sysreg(1u << 12, mdscr_el1); /* TDCC */
	zt_isb();
	uint64_t mdscr = zt_read_sysreg(mdscr_el1);
	zt_write_sysreg(0, mdscr_el1);
	CHECK(mdscr == 1u << 12, "MDSCR_EL1 reads 0x%lx after writing 0x1000",
	      (unsigned long)mdscr);
	zt_write_sysreg(1, oslar_el1);
	zt_isb();
	uint64_t locked = zt_read_sysreg(oslsr_el1);
	zt_write_sysreg(0, oslar_el1);
	zt_isb();
	uint64_t unlocked = zt_read_sysreg(oslsr_el1);
	CHECK((locked & 2) && !(unlocked & 2), "OSLSR_EL1.OSLK: 0x%lx locked, 0x%lx unlocked",
	      (unsigned long)locked, (unsigned long)unlocked);
	CHECK(locked & 8, "OSLSR_EL1 0x%lx: OS lock not shown as implemented",
	      (unsigned long)locked);

	uint64_t addr = (uint64_t)(uintptr_t)c_debug_owned;
	zt_write_sysreg(addr, dbgbvr0_el1);
	zt_write_sysreg(addr, dbgwvr0_el1);
	zt_write_sysreg(0x1e5, dbgbcr0_el1); /* enabled, EL1 and EL0, all byte lanes */
	zt_isb();
	uint64_t bvr = zt_read_sysreg(dbgbvr0_el1), bcr = zt_read_sysreg(dbgbcr0_el1);
	uint64_t wvr = zt_read_sysreg(dbgwvr0_el1);
	zt_write_sysreg(0, dbgbcr0_el1);
	zt_write_sysreg(0, dbgbvr0_el1);
	zt_write_sysreg(0, dbgwvr0_el1);
	zt_isb();
	CHECK(bvr == addr && wvr == addr && bcr == 0x1e5,
	      "DBGBVR0 0x%lx DBGBCR0 0x%lx DBGWVR0 0x%lx, want 0x%lx, 0x1e5, 0x%lx",
	      (unsigned long)bvr, (unsigned long)bcr, (unsigned long)wvr, (unsigned long)addr,
	      (unsigned long)addr);
	return 0;
}

/* The ID register space (op0=3, op1=0, CRn=0, CRm=1..7) reads without an exception, and shows
 * no feature whose state a hypervisor would have to switch without being asked: SVE, SME, MTE,
 * AMU, MPAM (checked under ZVM; natively the CPU shows what it has). Under ZVM the physical
 * address range is at most its 40-bit IPA space too. */
#define ID_READ(crm, op2) PROBE_MRS("S3_0_C0_C" #crm "_" #op2, &pc)
#define ID_READ_ROW(crm)                                                                           \
	ID_READ(crm, 0) | ID_READ(crm, 1) | ID_READ(crm, 2) | ID_READ(crm, 3) | ID_READ(crm, 4) |  \
	    ID_READ(crm, 5) | ID_READ(crm, 6) | ID_READ(crm, 7)
#define FIELD(v, shift) (((v) >> (shift)) & 0xf)

static int c_id_regs(void)
{
	uint64_t pc;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	uint64_t any = ID_READ_ROW(1) | ID_READ_ROW(2) | ID_READ_ROW(3) | ID_READ_ROW(4) |
		       ID_READ_ROW(5) | ID_READ_ROW(6) | ID_READ_ROW(7);
	struct zt_exc e = zt_exc_disarm();
	CHECK(e.count == 0,
	      "%u of the 56 ID register reads raised an exception (ESR 0x%lx at 0x%lx)", e.count,
	      (unsigned long)e.esr, (unsigned long)e.elr);
	CHECK(any, "every ID register reads as zero");
	uint64_t pfr0 = zt_read_sysreg(id_aa64pfr0_el1), pfr1 = zt_read_sysreg(id_aa64pfr1_el1);
	uint64_t mmfr0 = zt_read_sysreg(id_aa64mmfr0_el1);
	zt_note("ID_AA64PFR0 0x%lx PFR1 0x%lx MMFR0 0x%lx ISAR1 0x%lx", (unsigned long)pfr0,
		(unsigned long)pfr1, (unsigned long)mmfr0,
		(unsigned long)zt_read_sysreg(id_aa64isar1_el1));
	if (zt_plat.native)
		return 0; /* what the CPU has: nothing hidden */
	CHECK(FIELD(pfr0, 32) == 0, "ID_AA64PFR0 0x%lx shows SVE", (unsigned long)pfr0);
	CHECK(FIELD(pfr0, 40) == 0 && FIELD(pfr0, 44) == 0, "ID_AA64PFR0 0x%lx shows MPAM or AMU",
	      (unsigned long)pfr0);
	CHECK(FIELD(pfr1, 8) == 0 && FIELD(pfr1, 24) == 0, "ID_AA64PFR1 0x%lx shows MTE or SME",
	      (unsigned long)pfr1);
	CHECK(zt_read_sysreg_s("S3_0_C0_C4_4") == 0, "ID_AA64ZFR0 is not zero");
	CHECK(zt_read_sysreg_s("S3_0_C0_C4_5") == 0, "ID_AA64SMFR0 is not zero");
	CHECK((mmfr0 & 0xf) <= 2, "PARange %u: beyond a 40-bit IPA space", (unsigned)(mmfr0 & 0xf));
	return 0;
}

static int c_unknown_hvc(void)
{
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	struct zt_smccc_res r = zt_hvc(0x86000000, 0, 0, 0);
	struct zt_exc e = zt_exc_disarm();
	CHECK(!e.count, "hvc 0x86000000 raised an exception: ESR 0x%lx", (unsigned long)e.esr);
	CHECK((int32_t)r.a0 == -1, "hvc 0x86000000 returned 0x%lx, want -1", (unsigned long)r.a0);
	return 0;
}

/* ---- WFE / WFI ---- */
static volatile unsigned timer_irqs;

static void h_timer(unsigned intid, unsigned cpu)
{
	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	timer_irqs++;
	zt_write_sysreg(CNTV_CTL_IMASK, cntv_ctl_el0);
	zt_isb();
}

static int c_wfe(void)
{
	/* With the event register set, WFE returns at once. */
	__asm__ volatile("sevl\n\twfe" ::: "memory");
	/* Without: the timer interrupt (IRQs unmasked) is a wake-up event. */
	timer_irqs = 0;
	zt_irq_set_handler(ZT_VTIMER_INTID, h_timer);
	zt_gic_enable(zt_cpu_id(), ZT_VTIMER_INTID);
	uint64_t t0 = zt_now();
	zt_irq_on();
	zt_vtimer_arm_at(t0 + zt_ms(5));
	unsigned n = 0;
	uint64_t end = t0 + zt_ms(2000);
	while (!timer_irqs && zt_now() < end) {
		zt_wfe();
		n++;
	}
	zt_irq_off();
	zt_vtimer_stop();
	zt_irq_set_handler(ZT_VTIMER_INTID, NULL);
	CHECK(timer_irqs == 1, "%u timer interrupts around WFE within 2 s, want 1 (%u WFEs)",
	      timer_irqs, n);
	zt_note("%u WFE(s) until the 5 ms timer fired", n);
	return 0;
}

static int c_wfi_pending(void)
{
	bool wd = zt_plat.nr_cpus > 1 && zt_ensure_online(1) == 0;
	uint64_t wd_before = wd ? zt_cpus[1].wd_fired : 0;
	zt_irq_off();
	zt_gic_enable(zt_cpu_id(), ZT_VTIMER_INTID);
	zt_gic_enable(zt_cpu_id(), SGI_WATCHDOG);
	/* Already expired: the interrupt is pending before the WFI. */
	zt_vtimer_arm_at(zt_now() - 1);
	zt_delay_us(100);
	if (wd)
		zt_watchdog_arm(1, zt_cpu_id(), SGI_WATCHDOG, 1000);
	uint64_t t0 = zt_now();
	zt_wfi();
	uint64_t t1 = zt_now();
	if (wd)
		zt_watchdog_cancel(1);
	zt_vtimer_stop();
	zt_gic_disable(zt_cpu_id(), ZT_VTIMER_INTID);
	CHECK(!wd || zt_cpus[1].wd_fired == wd_before,
	      "WFI with a pending timer returned only on the watchdog SGI");
	zt_note("WFI with a pending timer returned after %lu us",
		(unsigned long)zt_ticks_to_us(t1 - t0));
	return 0;
}

/* ---- set/way cache maintenance and the registers HCR_EL2.TVM traps ---- */
#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)
#define SCTLR_I (1ULL << 12)

/* DC CISW (or CSW/ISW) on every set and way of every data or unified cache level (CLIDR_EL1,
 * CCSIDR_EL1), as firmware does before it turns its MMU on. */
static void dc_setway_all(void)
{
	uint64_t clidr = zt_read_sysreg(clidr_el1);
	unsigned loc = (clidr >> 24) & 7;

	for (unsigned lvl = 0; lvl < loc; lvl++) {
		unsigned ctype = (clidr >> (3 * lvl)) & 7;
		if (ctype < 2) /* none or instruction only */
			continue;
		zt_write_sysreg(lvl << 1, csselr_el1);
		zt_isb();
		uint64_t ccsidr = zt_read_sysreg(ccsidr_el1);
		unsigned line_shift = (ccsidr & 7) + 4;
		unsigned ways = ((ccsidr >> 3) & 0x3ff) + 1, sets = ((ccsidr >> 13) & 0x7fff) + 1;
		unsigned way_shift = ways > 1 ? (unsigned)__builtin_clz(ways - 1) : 0;
		for (unsigned w = 0; w < ways; w++)
			for (unsigned set = 0; set < sets; set++) {
				uint64_t op = ((uint64_t)w << way_shift) |
					      ((uint64_t)set << line_shift) | (lvl << 1);
				__asm__ volatile("dc cisw, %0" : : "r"(op) : "memory");
			}
	}
	zt_dsb();
	zt_isb();
}

/* Set/way maintenance over all caches, twice, then once more each of ISW and CSW: the guest
 * carries on (the host flushes its RAM once: tests/system counts it in `zvm info -n`). */
static int c_setway_survives(void)
{
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	dc_setway_all();
	dc_setway_all();
	__asm__ volatile("dc isw, %0\n\tdc csw, %0" : : "r"(0ULL) : "memory");
	struct zt_exc e = zt_exc_disarm();
	CHECK(!e.count, "set/way maintenance raised an exception: ESR 0x%lx at 0x%lx",
	      (unsigned long)e.esr, (unsigned long)e.elr);
	return 0;
}

/* One 1 GiB identity block per entry of a level-1 table (39-bit VA): devices below RAM. */
static uint64_t setway_l1[512] __attribute__((aligned(4096)));

#define PTE_BLOCK_DEV  (1ULL | (1ULL << 10))				 /* AttrIndx 0, AF */
#define PTE_BLOCK_NORM (1ULL | (1ULL << 2) | (3ULL << 8) | (1ULL << 10)) /* AttrIndx 1, ISH */
#define MAIR_VALUE     0xff00ULL /* attr0 Device-nGnRnE, attr1 Normal write-back */
/* T0SZ 25, inner/outer write-back, inner shareable, 4 KiB, no TTBR1 walks, 40-bit IPS. */
#define TCR_VALUE (25ULL | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (1ULL << 23) | (2ULL << 32))

static void identity_map_build(void)
{
	for (unsigned i = 0; i < 512; i++)
		setway_l1[i] = 0;
	setway_l1[0] = PTE_BLOCK_DEV;
	for (uint64_t a = zt_plat.ram_base & ~((1ULL << 30) - 1);
	     a < zt_plat.ram_base + zt_plat.ram_size; a += 1ULL << 30)
		setway_l1[a >> 30] = a | PTE_BLOCK_NORM;
}

/* A load through a stage-1 table descriptor that points at table_ipa, with the MMU on: the
 * guest's own walk faults at stage 2 (S1PTW). The hypervisor emulates no walk, so the guest
 * gets a data abort at the load (FAR = the VA), whether the IPA holds nothing or a device.
 * No set/way operation has run yet: TVM is off, none of this traps. */
#define S1PTW_VA 0x100000000ULL /* level-1 entry 4 */
static int s1ptw_load(const char *what, uint64_t table_ipa)
{
	uint64_t sctlr = zt_read_sysreg(sctlr_el1), pc;

	CHECK(!(sctlr & SCTLR_M), "SCTLR_EL1 0x%lx: the MMU is already on", (unsigned long)sctlr);
	identity_map_build();
	setway_l1[S1PTW_VA >> 30] = table_ipa | 3; /* a table descriptor */
	for (uintptr_t a = (uintptr_t)setway_l1; a < (uintptr_t)(setway_l1 + 512); a += 16)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	zt_dsb();
	zt_write_sysreg(MAIR_VALUE, mair_el1);
	zt_write_sysreg(TCR_VALUE, tcr_el1);
	zt_write_sysreg((uint64_t)(uintptr_t)setway_l1, ttbr0_el1);
	zt_isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	zt_write_sysreg(sctlr | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el1);
	zt_isb();
	load64(S1PTW_VA, &pc);
	zt_write_sysreg(sctlr, sctlr_el1);
	zt_isb();
	struct zt_exc e = zt_exc_disarm();
	zt_write_sysreg(0, ttbr0_el1);
	zt_write_sysreg(0, tcr_el1);
	zt_isb();
	return check_abort(what, S1PTW_VA, &e, pc, EC_DABT_CUR);
}

static int c_s1ptw_unmapped(void)
{
	return s1ptw_load("load through a stage-1 table at an unmapped IPA", 0x200000000ULL);
}

static int c_s1ptw_device(void)
{
	if (zt_plat.native)
		return zt_skip("native: a stage-1 table in the UART reads its registers");
	return s1ptw_load("load through a stage-1 table in the UART", zt_plat.uart);
}

/* Writes reg and reads it back; the first mismatch is kept for the end of the case (which
 * must not return early with the MMU on). */
struct readback {
	const char *name;
	uint64_t got, want;
};
#define WRITE_READ(rb, reg, val)                                                                   \
	do {                                                                                       \
		uint64_t __want = (val);                                                           \
		zt_write_sysreg(__want, reg);                                                      \
		zt_isb();                                                                          \
		uint64_t __got = zt_read_sysreg(reg);                                              \
		if (__got != __want && !(rb)->name)                                                \
			*(rb) = (struct readback){#reg, __got, __want};                            \
	} while (0)

/* With set/way maintenance just done, the registers HCR_EL2.TVM traps are written (under ZVM
 * each write is emulated) and read back; then the MMU and caches go on with an identity map and
 * off again around another set/way pass. Each write must read back what was written, and no
 * write may raise an exception. */
static int c_setway_tvm_regs(void)
{
	uint64_t sctlr = zt_read_sysreg(sctlr_el1), far = zt_read_sysreg(far_el1);
	uint64_t esr = zt_read_sysreg(esr_el1);

	CHECK(!(sctlr & SCTLR_M), "SCTLR_EL1 0x%lx: the MMU is already on", (unsigned long)sctlr);
	identity_map_build();
	dc_setway_all(); /* caches off: the tables are in memory */

	struct readback rb = {0};
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	WRITE_READ(&rb, mair_el1, MAIR_VALUE);
	WRITE_READ(&rb, tcr_el1, TCR_VALUE);
	WRITE_READ(&rb, ttbr0_el1, (uint64_t)(uintptr_t)setway_l1);
	WRITE_READ(&rb, ttbr1_el1, (uint64_t)(uintptr_t)setway_l1 | (5ULL << 48));
	WRITE_READ(&rb, contextidr_el1, 0x5a5aULL);
	WRITE_READ(&rb, far_el1, 0x123456789abcULL);
	WRITE_READ(&rb, esr_el1, 0x56000000ULL);
	zt_write_sysreg(0, afsr0_el1); /* IMPLEMENTATION DEFINED contents: written only */
	zt_write_sysreg(0, afsr1_el1);
	zt_write_sysreg(0, amair_el1);
	WRITE_READ(&rb, sctlr_el1, sctlr | SCTLR_I); /* caches still off: no toggle */
	struct zt_exc e = zt_exc_disarm();
	CHECK(!e.count, "%u exception(s) around the TVM register writes: ESR 0x%lx at 0x%lx",
	      e.count, (unsigned long)e.esr, (unsigned long)e.elr);
	CHECK(!rb.name, "%s reads 0x%lx after writing 0x%lx", rb.name, (unsigned long)rb.got,
	      (unsigned long)rb.want);
	uint64_t seen = 0;
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	WRITE_READ(&rb, sctlr_el1, sctlr | SCTLR_I | SCTLR_C | SCTLR_M); /* on */
	seen = *(volatile uint64_t *)&setway_l1[1];
	dc_setway_all();		   /* with caches on: trapping starts again */
	WRITE_READ(&rb, sctlr_el1, sctlr); /* off */
	zt_write_sysreg(sctlr, sctlr_el1);
	zt_isb();
	WRITE_READ(&rb, ttbr0_el1, 0ULL);
	WRITE_READ(&rb, tcr_el1, 0ULL);
	zt_write_sysreg(far, far_el1);
	zt_write_sysreg(esr, esr_el1);
	e = zt_exc_disarm();
	CHECK(!e.count, "%u exception(s) around the MMU toggle: ESR 0x%lx at 0x%lx", e.count,
	      (unsigned long)e.esr, (unsigned long)e.elr);
	CHECK(!rb.name, "%s reads 0x%lx after writing 0x%lx", rb.name, (unsigned long)rb.got,
	      (unsigned long)rb.want);
	CHECK(seen == setway_l1[1], "a load with the MMU on read 0x%lx, want 0x%lx",
	      (unsigned long)seen, (unsigned long)setway_l1[1]);
	return 0;
}

static void run_abort(void)
{
	zt_case("abort_load_4g", c_load_4g);
	zt_case("abort_load_512m", c_load_512m);
	zt_case("abort_load_past_ram", c_load_past_ram);
	zt_case("abort_load32_4g", c_load32_4g);
	zt_case("abort_store_4g", c_store_4g);
	zt_case("abort_fetch_4g", c_fetch_4g);
	zt_case("abort_fetch_past_ram", c_fetch_past_ram);
	zt_case("abort_fetch_uart_device", c_fetch_uart);
	zt_case("abort_fetch_gicd_device", c_fetch_gicd);
	zt_case("abort_repeat_200", c_repeat);
	zt_case("abort_mmio_no_syndrome", c_mmio_no_syndrome);
	zt_case("undef_impdef_sysreg_read", c_impdef_read);
	zt_case("undef_impdef_sysreg_write", c_impdef_write);
	zt_case("undef_impdef_sysreg_c11", c_impdef_read2);
	zt_case("sysreg_debug_pmu_survive", c_debug_regs);
	zt_case("sysreg_sgi0r_asgi1r_accepted", c_sgi_regs);
	zt_case("sysreg_id_regs_view", c_id_regs);
	zt_case("sysreg_debug_owned_and_private", c_debug_owned);
	zt_case("abort_unknown_hvc", c_unknown_hvc);
	zt_case("abort_wfe_returns", c_wfe);
	zt_case("abort_wfi_pending_timer_returns", c_wfi_pending);
	zt_case("abort_s1ptw_unmapped_table", c_s1ptw_unmapped);
	zt_case("abort_s1ptw_device_table", c_s1ptw_device);
	zt_case("setway_dc_cisw_all_survives", c_setway_survives);
	zt_case("setway_tvm_regs_and_mmu_toggle", c_setway_tvm_regs);
}
ZT_SET(abort, 1, run_abort, "external aborts outside RAM, UNDEF sysregs, unknown hvc, WFE/WFI");
