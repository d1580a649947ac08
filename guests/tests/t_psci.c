/* psci: the hypervisor's PSCI 1.1 / SMCCC 1.1 implementation, as seen by an EL1 guest with two
 * vCPUs. Native mode (bootarg zvmnative, QEMU 7.2's own PSCI without EL2/EL3) skips what QEMU
 * does not implement: SMCCC_VERSION (-1 there), PSCI_FEATURES(SMCCC_VERSION), `smc #0` (UNDEFINED
 * without EL3) and CPU_ON with an entry point outside RAM (QEMU does not check it and would
 * start vCPU 1 there). */
#include "zt.h"

#include "arch/psci_defs.h"

#define SGI_WAKE     2
#define SGI_WATCHDOG 15

static uint64_t mpidr(unsigned cpu)
{
	return zt_plat.mpidr[cpu];
}

/* An SMCCC call with an exception fixup: an UNDEFINED hvc/smc comes back with e->count != 0. */
static struct zt_smccc_res guarded(bool smc, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3,
				   struct zt_exc *e)
{
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	struct zt_smccc_res r = smc ? zt_smc(fid, a1, a2, a3) : zt_hvc(fid, a1, a2, a3);
	*e = zt_exc_disarm();
	return r;
}

/* The verdict when the call trapped instead of returning. */
static int trapped(const char *what, const struct zt_exc *e)
{
	if (zt_plat.native && ESR_EC(e->esr) == EC_UNKNOWN)
		return zt_skip("native: %s is UNDEFINED without a hypervisor", what);
	return zt_fail("%s raised an exception in the guest: ESR=0x%lx ELR=0x%lx", what,
		       (unsigned long)e->esr, (unsigned long)e->elr);
}

static int c_version(void)
{
	int64_t v = zt_psci(PSCI_VERSION, 0, 0, 0);
	CHECK(v == PSCI_MK_VERSION(1, 1), "PSCI_VERSION 0x%lx, want 0x10001 (1.1)", (long)v);
	return 0;
}

static int c_version_smc(void)
{
	struct zt_exc e;
	struct zt_smccc_res r = guarded(true, PSCI_VERSION, 0, 0, 0, &e);
	if (e.count)
		return trapped("smc #0", &e);
	CHECK((int32_t)r.a0 == PSCI_MK_VERSION(1, 1), "PSCI_VERSION via smc: 0x%lx, want 0x10001",
	      (unsigned long)r.a0);
	return 0;
}

/* ---- PSCI_FEATURES: one case per implemented function ---- */
static const struct {
	const char *name;
	uint32_t fid;
} implemented[] = {
    {"psci_features_version", PSCI_VERSION},
    {"psci_features_cpu_suspend", PSCI_CPU_SUSPEND},
    {"psci_features_cpu_suspend_64", PSCI_CPU_SUSPEND_64},
    {"psci_features_cpu_off", PSCI_CPU_OFF},
    {"psci_features_cpu_on", PSCI_CPU_ON},
    {"psci_features_cpu_on_64", PSCI_CPU_ON_64},
    {"psci_features_affinity_info", PSCI_AFFINITY_INFO},
    {"psci_features_affinity_info_64", PSCI_AFFINITY_INFO_64},
    {"psci_features_migrate_info_type", PSCI_MIGRATE_INFO_TYPE},
    {"psci_features_system_off", PSCI_SYSTEM_OFF},
    {"psci_features_system_reset", PSCI_SYSTEM_RESET},
    {"psci_features_psci_features", PSCI_FEATURES},
};
static unsigned feature_idx;

static int c_features_one(void)
{
	uint32_t fid = implemented[feature_idx].fid;
	int64_t r = zt_psci(PSCI_FEATURES, fid, 0, 0);
	/* CPU_SUSPEND answers with flags (>= 0); everything else with 0. */
	if (fid == PSCI_CPU_SUSPEND || fid == PSCI_CPU_SUSPEND_64)
		CHECK(r >= 0 && r <= 3, "PSCI_FEATURES(0x%x) = %ld", fid, (long)r);
	else
		CHECK(r == PSCI_RET_SUCCESS, "PSCI_FEATURES(0x%x) = %ld, want 0", fid, (long)r);
	return 0;
}

static int c_features_unknown(void)
{
	static const uint32_t unknown[] = {0x8400001f, 0xc400001f, 0x840000ff, 0x8600ff00};
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(unknown); i++) {
		int64_t r = zt_psci(PSCI_FEATURES, unknown[i], 0, 0);
		CHECK(r == PSCI_RET_NOT_SUPPORTED, "PSCI_FEATURES(0x%x) = %ld, want -1", unknown[i],
		      (long)r);
	}
	return 0;
}

/* SMCCC 1.1 is discovered through PSCI_FEATURES(SMCCC_VERSION) (Arm DEN 0028). */
static int c_features_smccc_version(void)
{
	int64_t r = zt_psci(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
	if (r == PSCI_RET_NOT_SUPPORTED && zt_plat.native)
		return zt_skip("native: QEMU's PSCI does not advertise SMCCC_VERSION");
	CHECK(r == 0, "PSCI_FEATURES(SMCCC_VERSION) = %ld, want 0", (long)r);
	return 0;
}

static int c_migrate_info_type(void)
{
	int64_t r = zt_psci(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
	CHECK(r == PSCI_TOS_NOT_PRESENT_MP, "MIGRATE_INFO_TYPE = %ld, want 2", (long)r);
	return 0;
}

static int c_affinity_self(void)
{
	int64_t r = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(zt_cpu_id()), 0, 0);
	CHECK(r == PSCI_AFFINITY_ON, "AFFINITY_INFO(self) = %ld, want 0 (ON)", (long)r);
	r = zt_psci(PSCI_AFFINITY_INFO, mpidr(zt_cpu_id()), 0, 0);
	CHECK(r == PSCI_AFFINITY_ON, "AFFINITY_INFO (SMC32) of self = %ld, want 0", (long)r);
	return 0;
}

static int c_affinity_off(void)
{
	int64_t r = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(1), 0, 0);
	CHECK(r == PSCI_AFFINITY_OFF, "AFFINITY_INFO(vCPU 1) = %ld before CPU_ON, want 1 (OFF)",
	      (long)r);
	return 0;
}

static int c_affinity_bad(void)
{
	int64_t r = zt_psci(PSCI_AFFINITY_INFO_64, 0xff00, 0, 0);
	CHECK(r == PSCI_RET_INVALID_PARAMS, "AFFINITY_INFO(MPIDR 0xff00) = %ld, want -2", (long)r);
	return 0;
}

static int c_cpu_on_bad_mpidr(void)
{
	static const uint64_t bad[] = {0xff00, 0xfe, 0x0100000000ULL};
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(bad); i++) {
		int64_t r =
		    zt_psci(PSCI_CPU_ON_64, bad[i], (uint64_t)(uintptr_t)zt_secondary_entry, 0);
		CHECK(r == PSCI_RET_INVALID_PARAMS, "CPU_ON(MPIDR 0x%lx) = %ld, want -2",
		      (unsigned long)bad[i], (long)r);
	}
	return 0;
}

/* PSCI 1.1 says INVALID_ADDRESS; older implementations (and Linux's KVM before 5.x) answer
 * INVALID_PARAMETERS: both are accepted. vCPU 1 must stay off either way. */
static int c_cpu_on_bad_entry(void)
{
	if (zt_plat.native)
		return zt_skip("native: QEMU does not validate the entry point");
	static const uint64_t bad[] = {0x1000, 0x100000000ULL};
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(bad); i++) {
		int64_t r = zt_psci(PSCI_CPU_ON_64, mpidr(1), bad[i], 0);
		CHECK(r == PSCI_RET_INVALID_ADDRESS || r == PSCI_RET_INVALID_PARAMS,
		      "CPU_ON(entry 0x%lx outside RAM) = %ld, want -9 or -2", (unsigned long)bad[i],
		      (long)r);
	}
	zt_delay_ms(10);
	int64_t a = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(1), 0, 0);
	CHECK(a == PSCI_AFFINITY_OFF, "vCPU 1 is not OFF (%ld) after the refused CPU_ONs", (long)a);
	return 0;
}

static int c_cpu_on(void)
{
	struct zt_cpu *c = &zt_cpus[1];
	const uint64_t ctx = 0x5a5aa5a5c0ffee01ULL;
	uint64_t before = c->entries;
	CHECK(!c->online, "vCPU 1 is already online");
	int64_t r = zt_cpu_on(1, ctx);
	CHECK(r == PSCI_RET_SUCCESS, "CPU_ON_64(vCPU 1) = %ld", (long)r);
	CHECK(zt_cpu_wait_online(1, before, 1000),
	      "vCPU 1 did not reach its entry point within 1 s");
	CHECK(c->ctx == ctx, "context id 0x%lx arrived in x0 as 0x%lx", (unsigned long)ctx,
	      (unsigned long)c->ctx);
	CHECK((c->mpidr_read & ZT_MPIDR_AFF_MASK) == mpidr(1),
	      "vCPU 1 reads MPIDR 0x%lx, want 0x%lx", (unsigned long)c->mpidr_read,
	      (unsigned long)mpidr(1));
	CHECK(c->init_rc == 0, "vCPU 1 could not set up its GIC CPU interface");
	return 0;
}

static int c_cpu_on_already_on(void)
{
	int64_t r = zt_cpu_on(1, 0);
	CHECK(r == PSCI_RET_ALREADY_ON, "CPU_ON of running vCPU 1 = %ld, want -4", (long)r);
	r = zt_cpu_on(0, 0);
	CHECK(r == PSCI_RET_ALREADY_ON, "CPU_ON of the caller itself = %ld, want -4", (long)r);
	return 0;
}

static int c_affinity_on(void)
{
	int64_t r = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(1), 0, 0);
	CHECK(r == PSCI_AFFINITY_ON, "AFFINITY_INFO(vCPU 1) = %ld after CPU_ON, want 0", (long)r);
	return 0;
}

/* CPU_SUSPEND(standby) acts like WFI: with IRQs masked at PSTATE, a pending interrupt wakes it.
 * vCPU 1 sends a watchdog SGI after 500 ms so a lost wake-up cannot hang the guest. */
static int c_cpu_suspend_timer(void)
{
	struct zt_cpu *wd = &zt_cpus[1];
	CHECK(wd->online, "vCPU 1 (the watchdog) is not online");
	zt_irq_off();
	zt_gic_enable(0, ZT_VTIMER_INTID);
	zt_gic_enable(0, SGI_WATCHDOG);
	uint64_t fired = wd->wd_fired;
	uint64_t t0 = zt_now(), cval = t0 + zt_ms(10);
	zt_vtimer_arm_at(cval);
	zt_watchdog_arm(1, 0, SGI_WATCHDOG, 500);
	/* Standby may return early (any wake-up event): suspend again until the timer is due. */
	int64_t r;
	unsigned n = 0;
	do {
		r = zt_psci(PSCI_CPU_SUSPEND_64, 0, (uint64_t)(uintptr_t)zt_secondary_entry, 0);
		n++;
	} while (r == PSCI_RET_SUCCESS && zt_now() < cval && wd->wd_fired == fired);
	uint64_t t1 = zt_now();
	zt_watchdog_cancel(1);
	uint64_t ctl = zt_read_sysreg(cntv_ctl_el0);
	zt_vtimer_stop();
	zt_gic_disable(0, ZT_VTIMER_INTID);
	zt_irq_on(); /* take the watchdog SGI, if any */
	zt_delay_ms(1);
	zt_irq_off();
	CHECK(r == PSCI_RET_SUCCESS, "CPU_SUSPEND(standby) = %ld, want 0", (long)r);
	CHECK(wd->wd_fired == fired,
	      "woken only by the watchdog SGI after %lu us (timer ctl 0x%lx)",
	      (unsigned long)zt_ticks_to_us(t1 - t0), (unsigned long)ctl);
	zt_note("%u CPU_SUSPEND(s), back after %lu us (timer due at 10000 us)", n,
		(unsigned long)zt_ticks_to_us(t1 - t0));
	return 0;
}

static volatile int suspend_returned;

static void w_sgi_later(uint64_t ms)
{
	zt_delay_ms(ms);
	zt_gic_sgi_to(SGI_WAKE, 0);
	uint64_t end = zt_now() + zt_ms(500);
	while (!suspend_returned && zt_now() < end)
		zt_relax();
	if (!suspend_returned) {
		zt_this_cpu()->wd_fired++;
		zt_gic_sgi_to(SGI_WATCHDOG, 0);
	}
}

static int c_cpu_suspend_sgi(void)
{
	struct zt_cpu *c1 = &zt_cpus[1];
	zt_irq_off();
	zt_gic_enable(0, SGI_WAKE);
	zt_gic_enable(0, SGI_WATCHDOG);
	zt_irq_log_reset(0);
	uint64_t fired = c1->wd_fired;
	suspend_returned = 0;
	uint64_t t0 = zt_now();
	CHECK(zt_cpu_post(1, w_sgi_later, 5), "vCPU 1 (the SGI sender) is not online");
	int64_t r;
	unsigned n = 0;
	do {
		r = zt_psci(PSCI_CPU_SUSPEND_64, 0, (uint64_t)(uintptr_t)zt_secondary_entry, 0);
		n++;
	} while (r == PSCI_RET_SUCCESS && !zt_gic_is_pending(0, SGI_WAKE) &&
		 !zt_gic_is_pending(0, SGI_WATCHDOG) && zt_now() < t0 + zt_ms(2000));
	uint64_t t1 = zt_now();
	suspend_returned = 1;
	zt_dmb();
	bool done = zt_cpu_wait_done(1, 1000);
	zt_irq_on();
	zt_wait(zt_cpus[0].irq_count[SGI_WAKE] != 0, ZT_DELIVERY_MS);
	zt_irq_off();
	CHECK(r == PSCI_RET_SUCCESS, "CPU_SUSPEND(standby) = %ld, want 0", (long)r);
	CHECK(done, "vCPU 1 did not finish sending the SGI");
	CHECK(c1->wd_fired == fired, "woken only by the watchdog SGI after %lu us",
	      (unsigned long)zt_ticks_to_us(t1 - t0));
	CHECK(zt_cpus[0].irq_count[SGI_WAKE] == 1, "SGI %u from vCPU 1 delivered %u times",
	      SGI_WAKE, zt_cpus[0].irq_count[SGI_WAKE]);
	zt_note("%u CPU_SUSPEND(s), back after %lu us (SGI sent ~5000 us after the request)", n,
		(unsigned long)zt_ticks_to_us(t1 - t0));
	return 0;
}

static void w_cpu_off(uint64_t arg)
{
	ZT_UNUSED(arg);
	struct zt_cpu *c = zt_this_cpu();
	zt_irq_off();
	c->online = 0;
	zt_dsb();
	c->result = zt_psci(PSCI_CPU_OFF, 0, 0, 0);
	c->online = 1; /* CPU_OFF returned: it failed */
}

static int c_cpu_off(void)
{
	struct zt_cpu *c = &zt_cpus[1];
	c->result = 12345;
	CHECK(zt_cpu_post(1, w_cpu_off, 0), "vCPU 1 is not online");
	uint64_t end = zt_now() + zt_ms(1000);
	int64_t a = -100;
	while (zt_now() < end) {
		a = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(1), 0, 0);
		if (a == PSCI_AFFINITY_OFF || c->result != 12345)
			break;
		zt_delay_us(200);
	}
	CHECK(c->result == 12345, "CPU_OFF returned to vCPU 1 with %ld", (long)c->result);
	CHECK(a == PSCI_AFFINITY_OFF, "AFFINITY_INFO(vCPU 1) = %ld 1 s after its CPU_OFF, want 1",
	      (long)a);
	return 0;
}

static void w_nop(uint64_t arg)
{
	ZT_UNUSED(arg);
}

/* The SMC32 CPU_ON: a 32-bit context id. */
static int c_cpu_on_again(void)
{
	struct zt_cpu *c = &zt_cpus[1];
	const uint64_t ctx = 0x600dcafe;
	uint64_t before = c->entries;
	int64_t r = zt_psci(PSCI_CPU_ON, mpidr(1), (uint64_t)(uintptr_t)zt_secondary_entry, ctx);
	CHECK(r == PSCI_RET_SUCCESS, "CPU_ON (SMC32) of vCPU 1 after CPU_OFF = %ld", (long)r);
	CHECK(zt_cpu_wait_online(1, before, 1000), "vCPU 1 did not come back within 1 s");
	CHECK(c->ctx == ctx, "context id 0x%lx arrived as 0x%lx", (unsigned long)ctx,
	      (unsigned long)c->ctx);
	int64_t a = zt_psci(PSCI_AFFINITY_INFO_64, mpidr(1), 0, 0);
	CHECK(a == PSCI_AFFINITY_ON, "AFFINITY_INFO(vCPU 1) = %ld, want 0", (long)a);
	CHECK(zt_cpu_call(1, w_nop, 0, 1000), "vCPU 1 does not run work after coming back");
	return 0;
}

static int c_smccc_version(void)
{
	struct zt_exc e;
	struct zt_smccc_res r = guarded(zt_plat.psci_smc, SMCCC_VERSION, 0, 0, 0, &e);
	if (e.count)
		return trapped("SMCCC_VERSION", &e);
	int32_t v = (int32_t)r.a0;
	if (v == SMCCC_NOT_SUPPORTED && zt_plat.native)
		return zt_skip("native: QEMU's PSCI answers SMCCC_VERSION with NOT_SUPPORTED");
	CHECK(v >= 0x10001, "SMCCC_VERSION = 0x%x, want >= 0x10001", (unsigned)v);
	return 0;
}

static int c_smccc_arch_features_unknown(void)
{
	struct zt_exc e;
	static const uint32_t unknown[] = {0x8000ff00, 0x80001234};
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(unknown); i++) {
		struct zt_smccc_res r =
		    guarded(zt_plat.psci_smc, SMCCC_ARCH_FEATURES, unknown[i], 0, 0, &e);
		if (e.count)
			return trapped("SMCCC_ARCH_FEATURES", &e);
		CHECK((int32_t)r.a0 == SMCCC_NOT_SUPPORTED,
		      "SMCCC_ARCH_FEATURES(0x%x) = %d, want -1", unknown[i], (int32_t)r.a0);
	}
	return 0;
}

static int c_unknown_hvc(void)
{
	static const uint32_t unknown[] = {0x86000000, 0xc6000000, 0x82000000,
					   0xc4000099, 0x840000ff, 0x8f00ffff};
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(unknown); i++) {
		struct zt_exc e;
		struct zt_smccc_res r = guarded(false, unknown[i], 1, 2, 3, &e);
		if (e.count)
			return trapped("an unknown hvc function", &e);
		CHECK((int32_t)r.a0 == SMCCC_NOT_SUPPORTED, "hvc 0x%x returned 0x%lx, want -1",
		      unknown[i], (unsigned long)r.a0);
	}
	/* Still alive, and PSCI still answers. */
	CHECK(zt_psci(PSCI_VERSION, 0, 0, 0) == PSCI_MK_VERSION(1, 1), "PSCI broken afterwards");
	return 0;
}

/* SMCCC 1.1: x4-x17 (and of course x18-x30, sp) survive a call that returns in x0-x3.
 * Returns a mask of the registers (bit n = xn) that changed. */
static uint64_t regs_clobbered(uint32_t fid)
{
	uint64_t mask;
	__asm__ volatile(
	    "mov w0, %w1\n\t"
	    "stp x19, x20, [sp, #-16]!\n\t"
	    "stp x21, x22, [sp, #-16]!\n\t"
	    "mov x4, #0x4444\n\tmov x5, #0x5555\n\tmov x6, #0x6666\n\tmov x7, #0x7777\n\t"
	    "mov x8, #0x8888\n\tmov x9, #0x9999\n\tmov x10, #0xaaaa\n\tmov x11, #0xbbbb\n\t"
	    "mov x12, #0xcccc\n\tmov x13, #0xdddd\n\tmov x14, #0xeeee\n\tmov x15, #0xffff\n\t"
	    "mov x16, #0x1616\n\tmov x17, #0x1717\n\tmov x18, #0x1818\n\tmov x19, #0x1919\n\t"
	    "mov x20, sp\n\t"
	    "mov x1, xzr\n\tmov x2, xzr\n\tmov x3, xzr\n\t"
	    "hvc #0\n\t"
	    "mov x0, xzr\n\tmov x1, sp\n\tcmp x1, x20\n\tb.eq 1f\n\torr x0, x0, #(1 << 31)\n1:\t"
	    "mov x2, #0x4444\n\tcmp x4, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 4)\n1:\t"
	    "mov x2, #0x5555\n\tcmp x5, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 5)\n1:\t"
	    "mov x2, #0x6666\n\tcmp x6, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 6)\n1:\t"
	    "mov x2, #0x7777\n\tcmp x7, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 7)\n1:\t"
	    "mov x2, #0x8888\n\tcmp x8, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 8)\n1:\t"
	    "mov x2, #0x9999\n\tcmp x9, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 9)\n1:\t"
	    "mov x2, #0xaaaa\n\tcmp x10, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 10)\n1:\t"
	    "mov x2, #0xbbbb\n\tcmp x11, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 11)\n1:\t"
	    "mov x2, #0xcccc\n\tcmp x12, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 12)\n1:\t"
	    "mov x2, #0xdddd\n\tcmp x13, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 13)\n1:\t"
	    "mov x2, #0xeeee\n\tcmp x14, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 14)\n1:\t"
	    "mov x2, #0xffff\n\tcmp x15, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 15)\n1:\t"
	    "mov x2, #0x1616\n\tcmp x16, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 16)\n1:\t"
	    "mov x2, #0x1717\n\tcmp x17, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 17)\n1:\t"
	    "mov x2, #0x1818\n\tcmp x18, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 18)\n1:\t"
	    "mov x2, #0x1919\n\tcmp x19, x2\n\tb.eq 1f\n\torr x0, x0, #(1 << 19)\n1:\t"
	    "ldp x21, x22, [sp], #16\n\t"
	    "ldp x19, x20, [sp], #16\n\t"
	    "mov %0, x0"
	    : "=r"(mask)
	    : "r"(fid)
	    : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12",
	      "x13", "x14", "x15", "x16", "x17", "x18", "cc", "memory");
	return mask;
}

static int c_regs_preserved(void)
{
	if (zt_plat.psci_smc)
		return zt_skip("the DTB's PSCI conduit is smc; this case uses hvc");
	uint64_t m = regs_clobbered(PSCI_VERSION);
	CHECK(m == 0, "PSCI_VERSION changed registers (mask 0x%lx: bit n = xn, bit 31 = sp)",
	      (unsigned long)m);
	m = regs_clobbered(PSCI_AFFINITY_INFO_64);
	CHECK(m == 0, "AFFINITY_INFO changed registers (mask 0x%lx)", (unsigned long)m);
	return 0;
}

static void run_psci(void)
{
	zt_case("psci_version", c_version);
	for (feature_idx = 0; feature_idx < ZT_ARRAY_SIZE(implemented); feature_idx++)
		zt_case(implemented[feature_idx].name, c_features_one);
	zt_case("psci_features_unknown", c_features_unknown);
	zt_case("psci_features_smccc_version", c_features_smccc_version);
	zt_case("psci_migrate_info_type", c_migrate_info_type);
	zt_case("psci_affinity_info_self_on", c_affinity_self);
	zt_case("psci_affinity_info_bad_mpidr", c_affinity_bad);
	if (!zt_cpus[1].online) {
		zt_case("psci_affinity_info_off", c_affinity_off);
		zt_case("psci_cpu_on_bad_mpidr", c_cpu_on_bad_mpidr);
		zt_case("psci_cpu_on_bad_entry", c_cpu_on_bad_entry);
		zt_case("psci_cpu_on_context_id", c_cpu_on);
	}
	zt_case("psci_cpu_on_already_on", c_cpu_on_already_on);
	zt_case("psci_affinity_info_on", c_affinity_on);
	zt_case("psci_cpu_suspend_timer_wakeup", c_cpu_suspend_timer);
	zt_case("psci_cpu_suspend_sgi_wakeup", c_cpu_suspend_sgi);
	zt_case("psci_cpu_off", c_cpu_off);
	zt_case("psci_cpu_on_after_off", c_cpu_on_again);
	zt_case("psci_regs_preserved", c_regs_preserved);
	zt_case("psci_smccc_version", c_smccc_version);
	zt_case("psci_smccc_arch_features_unknown", c_smccc_arch_features_unknown);
	zt_case("psci_unknown_hvc", c_unknown_hvc);
	zt_case("psci_version_smc", c_version_smc);
}
ZT_SET(psci, 2, run_psci, "PSCI 1.1 and SMCCC calls, CPU_ON/OFF/SUSPEND with vCPU 1");
