/* Runtime core: boot, test-set dispatch, result protocol, exceptions, time, PSCI, SMP. */
#include "zt.h"

#include "arch/psci_defs.h"

struct zt_cpu zt_cpus[ZT_MAX_CPUS];
uint64_t zt_cpu_mpidr[ZT_MAX_CPUS];

void zt_gic_handle_irq(void);
void zt_gic_handle_fiq(void);
void zt_exception(struct zt_regs *r, uint64_t type);
void zt_main(uint64_t dtb);
void zt_secondary_main(uint64_t idx, uint64_t ctx);

extern const struct zt_set __zt_sets_start[], __zt_sets_end[];

static unsigned boot_cpu;
static bool gic_ready;

/* ---------------------------------------------------------------- time */

uint64_t zt_now(void)
{
	zt_isb();
	return zt_read_sysreg(cntvct_el0);
}

uint64_t zt_freq(void)
{
	uint64_t f = zt_read_sysreg(cntfrq_el0) & 0xffffffff;
	return f ? f : 62500000;
}

uint64_t zt_ms(uint64_t ms)
{
	return ms * zt_freq() / 1000;
}

uint64_t zt_us(uint64_t us)
{
	return us * zt_freq() / 1000000;
}

uint64_t zt_ticks_to_us(uint64_t t)
{
	return t * 1000000 / zt_freq();
}

void zt_delay_us(uint64_t us)
{
	uint64_t end = zt_now() + zt_us(us);
	while (zt_now() < end)
		zt_relax();
}

void zt_delay_ms(uint64_t ms)
{
	zt_delay_us(ms * 1000);
}

void zt_vtimer_stop(void)
{
	zt_write_sysreg(0, cntv_ctl_el0);
	zt_isb();
}

void zt_vtimer_arm_at(uint64_t cval)
{
	zt_write_sysreg(cval, cntv_cval_el0);
	zt_write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
	zt_isb();
}

unsigned zt_sleep_until(uint64_t deadline)
{
	unsigned wakeups = 0;
	uint64_t daif = zt_read_sysreg(daif);
	zt_irq_off();
	zt_gic_enable(zt_cpu_id(), ZT_VTIMER_INTID);
	zt_vtimer_arm_at(deadline);
	while (zt_now() < deadline) {
		zt_wfi();
		wakeups++;
	}
	zt_vtimer_stop();
	zt_write_sysreg(daif, daif);
	return wakeups;
}

/* ---------------------------------------------------------------- PSCI / SMCCC */

struct zt_smccc_res zt_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return (struct zt_smccc_res){x0, x1, x2, x3};
}

struct zt_smccc_res zt_smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fid;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14",
			   "x15", "x16", "x17", "memory");
	return (struct zt_smccc_res){x0, x1, x2, x3};
}

int64_t zt_psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	struct zt_smccc_res r =
	    zt_plat.psci_smc ? zt_smc(fid, a1, a2, a3) : zt_hvc(fid, a1, a2, a3);
	/* 32-bit functions return a 32-bit signed value in w0. */
	return (fid & SMCCC_64BIT) ? (int64_t)r.a0 : (int64_t)(int32_t)r.a0;
}

void zt_system_off(void)
{
	int64_t r = zt_psci(PSCI_SYSTEM_OFF, 0, 0, 0);
	zt_printf("# PSCI SYSTEM_OFF returned %ld; parking\n", (long)r);
	zt_irq_off();
	for (;;)
		zt_wfi();
}

/* ---------------------------------------------------------------- results */

static char reason[200];
static unsigned nr_pass, nr_total;

int zt_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return -1;
}

int zt_skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	zt_vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return ZT_SKIP;
}

void zt_note(const char *fmt, ...)
{
	va_list ap;
	zt_puts("# ");
	va_start(ap, fmt);
	zt_vprintf(fmt, ap);
	va_end(ap);
	zt_puts("\n");
}

void zt_result(const char *name, bool pass, const char *fmt, ...)
{
	nr_total++;
	if (pass) {
		nr_pass++;
		zt_printf("ZVMTEST %s PASS\n", name);
		return;
	}
	char buf[200];
	va_list ap;
	va_start(ap, fmt);
	zt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	zt_printf("ZVMTEST %s FAIL %s\n", name, buf);
}

static const char *exc_name(uint64_t type)
{
	static const char *const names[] = {"sync", "irq", "fiq", "serror", "bad-vector"};
	if (type & (ZT_EXC_LOWER64 | ZT_EXC_LOWER32))
		return "lower-EL";
	return type < 5 ? names[type] : "?";
}

/* Puts the CPU back into a sane state after a case, whatever the case did. */
static void case_cleanup(void)
{
	struct zt_cpu *c = zt_this_cpu();
	zt_irq_off();
	zt_vtimer_stop();
	c->exc_armed = 0;
	c->lower_armed = 0;
	if (gic_ready) {
		zt_gic_set_pmr(0xff);
		zt_gic_cpu_enable(true);
	}
}

void zt_case(const char *name, zt_case_fn fn)
{
	struct zt_cpu *volatile c = zt_this_cpu();
	volatile int rc;
	reason[0] = '\0';
	if (zt_setjmp(c->recover) == 0) {
		c->recover_armed = 1;
		rc = fn();
		c->recover_armed = 0;
	} else {
		zt_snprintf(reason, sizeof(reason),
			    "unexpected %s exception ESR=0x%lx ELR=0x%lx FAR=0x%lx",
			    exc_name(c->unexp_type), (unsigned long)c->unexp_esr,
			    (unsigned long)c->unexp_elr, (unsigned long)c->unexp_far);
		rc = -1;
	}
	case_cleanup();
	if (rc == ZT_SKIP) {
		zt_printf("# skip %s: %s\n", name, reason);
		return;
	}
	zt_result(name, rc == 0, "%s", reason[0] ? reason : "(no reason given)");
}

/* ---------------------------------------------------------------- exceptions */

void zt_exc_arm(enum zt_resume mode, uint64_t addr)
{
	struct zt_cpu *c = zt_this_cpu();
	c->exc.count = 0;
	c->exc.esr = c->exc.far = c->exc.elr = 0;
	c->exc_mode = mode;
	c->exc_addr = addr;
	zt_dmb();
	c->exc_armed = 1;
}

struct zt_exc zt_exc_disarm(void)
{
	struct zt_cpu *c = zt_this_cpu();
	c->exc_armed = 0;
	zt_dmb();
	struct zt_exc e = {c->exc.count, c->exc.esr, c->exc.far, c->exc.elr};
	return e;
}

void zt_exception(struct zt_regs *r, uint64_t type)
{
	struct zt_cpu *c = zt_this_cpu();

	if (type == ZT_EXC_IRQ) {
		zt_gic_handle_irq();
		return;
	}
	if (type == ZT_EXC_FIQ && gic_ready) {
		zt_gic_handle_fiq();
		c->unexpected++;
		c->unexp_type = type;
		return;
	}
	if ((type & (ZT_EXC_LOWER64 | ZT_EXC_LOWER32)) && c->lower_armed) {
		if ((type & 0xf) == ZT_EXC_IRQ)
			zt_gic_handle_irq();
		c->lower = (struct zt_lower_exit){type, r->esr, r->elr, r->spsr, r->far, r->x[0]};
		c->lower_armed = 0;
		zt_longjmp(c->lower_jmp, 1); /* back into zt_run_lower, at EL1, masked */
	}
	if (type == ZT_EXC_SYNC && c->exc_armed) {
		c->exc.count++;
		c->exc.esr = r->esr;
		c->exc.far = r->far;
		c->exc.elr = r->elr;
		if (c->exc_mode == ZT_RESUME_LR)
			r->elr = r->x[30];
		else if (c->exc_mode == ZT_RESUME_ADDR)
			r->elr = c->exc_addr;
		else if (c->exc_mode == ZT_RESUME_DEBUG_OFF)
			zt_write_sysreg(zt_read_sysreg(mdscr_el1) & ~(uint64_t)MDSCR_MDE,
					mdscr_el1);
		else
			r->elr += 4;
		return;
	}

	c->unexpected++;
	c->unexp_type = type;
	c->unexp_esr = r->esr;
	c->unexp_elr = r->elr;
	c->unexp_far = r->far;
	if (c->recover_armed) {
		/* Return into zt_longjmp(c->recover, 1) at EL1h with everything masked. */
		c->recover_armed = 0;
		r->x[0] = (uint64_t)(uintptr_t)c->recover;
		r->x[1] = 1;
		r->elr = (uint64_t)(uintptr_t)zt_longjmp;
		r->spsr = 0x3c5;
		return;
	}
	if (zt_cpu_id() == boot_cpu) {
		zt_printf(
		    "ZVMTEST crash FAIL unexpected %s exception ESR=0x%lx ELR=0x%lx FAR=0x%lx\n",
		    exc_name(type), (unsigned long)r->esr, (unsigned long)r->elr,
		    (unsigned long)r->far);
		zt_printf("ZVMTEST DONE %u/%u\n", nr_pass, nr_total + 1);
		zt_system_off();
	}
	extern char zt_park[];
	r->elr = (uint64_t)(uintptr_t)zt_park;
	r->spsr = 0x3c5;
}

struct zt_lower_exit zt_run_lower(uint64_t pc, uint64_t spsr, uint64_t x0, uint64_t x1)
{
	struct zt_cpu *c = zt_this_cpu();

	if (!zt_setjmp(c->lower_jmp)) {
		c->lower_armed = 1;
		zt_enter_lower(pc, spsr, x0, x1);
	}
	return c->lower;
}

/* ---------------------------------------------------------------- SMP */

void zt_irq_log_reset(unsigned cpu)
{
	struct zt_cpu *c = &zt_cpus[cpu];
	for (unsigned i = 0; i < ZT_ARRAY_SIZE(c->irq_count); i++)
		c->irq_count[i] = 0;
	c->irq_log_n = 0;
	c->spurious = 0;
	zt_dmb();
}

static void kick(unsigned idx)
{
	zt_sev();
	/* SGI 0 wakes an idle vCPU from its WFI (the SEV is for anyone waiting in WFE). */
	if (gic_ready && idx != zt_cpu_id())
		zt_gic_sgi_to(0, idx);
}

int64_t zt_cpu_on(unsigned idx, uint64_t ctx)
{
	return zt_psci(PSCI_CPU_ON_64, zt_plat.mpidr[idx], (uint64_t)(uintptr_t)zt_secondary_entry,
		       ctx);
}

bool zt_cpu_wait_online(unsigned idx, uint64_t entries_before, unsigned ms)
{
	struct zt_cpu *c = &zt_cpus[idx];
	return zt_wait(c->online && c->entries != entries_before, ms);
}

int zt_ensure_online(unsigned idx)
{
	if (idx >= zt_plat.nr_cpus)
		return -100;
	if (zt_cpus[idx].online)
		return 0;
	uint64_t before = zt_cpus[idx].entries;
	int64_t r = zt_cpu_on(idx, 0x5eed0000 + idx);
	if (r != PSCI_RET_SUCCESS && r != PSCI_RET_ALREADY_ON)
		return (int)r;
	if (!zt_cpu_wait_online(idx, before, 1000))
		return -101;
	return zt_cpus[idx].init_rc ? -102 : 0;
}

bool zt_cpu_post(unsigned idx, zt_work_fn fn, uint64_t arg)
{
	struct zt_cpu *c = &zt_cpus[idx];
	if (!c->online)
		return false;
	c->fn = fn;
	c->arg = arg;
	zt_dmb();
	c->posted = c->posted + 1;
	kick(idx);
	return true;
}

bool zt_cpu_wait_done(unsigned idx, unsigned ms)
{
	struct zt_cpu *c = &zt_cpus[idx];
	return zt_wait(c->done == c->posted, ms);
}

bool zt_cpu_call(unsigned idx, zt_work_fn fn, uint64_t arg, unsigned ms)
{
	return zt_cpu_post(idx, fn, arg) && zt_cpu_wait_done(idx, ms);
}

void zt_watchdog_arm(unsigned by, unsigned target, unsigned sgi, unsigned ms)
{
	struct zt_cpu *c = &zt_cpus[by];
	c->wd_target = target;
	c->wd_sgi = sgi;
	zt_dmb();
	c->wd_deadline = zt_now() + zt_ms(ms);
	kick(by);
}

void zt_watchdog_cancel(unsigned by)
{
	zt_cpus[by].wd_deadline = 0;
	zt_dmb();
}

void zt_secondary_main(uint64_t idx, uint64_t ctx)
{
	struct zt_cpu *c = &zt_cpus[idx];
	c->ctx = ctx;
	c->mpidr_read = zt_read_sysreg(mpidr_el1);
	c->wd_deadline = 0;
	c->done = c->posted;
	c->running = c->done;
	zt_write_sysreg(0, cntv_ctl_el0); /* no timer left on from work before a CPU_OFF */
	c->init_rc = zt_gic_init_cpu();
	zt_dmb();
	c->entries = c->entries + 1;
	c->online = 1;
	zt_sev();

	/* An unexpected exception in a work function comes back here, and only that work is
	 * finished: work posted since online = 1 above must still run (marking everything
	 * posted as done here once swallowed a post that came in before the loop started). */
	if (zt_setjmp(c->recover)) {
		zt_write_sysreg(0, cntv_ctl_el0);
		c->done = c->running;
	}
	c->recover_armed = 1;
	/* Idle: look for work with IRQs masked, then WFI; the poster's kick SGI stays pending
	 * across the WFI (no lost wake-up) and is taken when IRQs are unmasked again. */
	for (;;) {
		zt_irq_off();
		if (c->done != c->posted) {
			uint64_t seq = c->posted;
			c->running = seq;
			zt_dmb();
			zt_irq_on();
			c->fn(c->arg);
			zt_dmb();
			c->done = seq;
			zt_sev();
			continue;
		}
		uint64_t wd = c->wd_deadline;
		if (wd) {
			if (zt_now() >= wd) {
				c->wd_deadline = 0;
				c->wd_fired = c->wd_fired + 1;
				zt_gic_sgi_to(c->wd_sgi, c->wd_target);
			}
			zt_irq_on();
			zt_relax();
			continue;
		}
		zt_wfi();
		zt_irq_on();
		zt_isb();
	}
}

/* ---------------------------------------------------------------- main */

static const struct zt_set *find_set(const char *name, size_t len)
{
	for (const struct zt_set *s = __zt_sets_start; s < __zt_sets_end; s++)
		if (strlen(s->name) == len && !memcmp(s->name, name, len))
			return s;
	return NULL;
}

static void list_sets(void)
{
	for (const struct zt_set *s = __zt_sets_start; s < __zt_sets_end; s++)
		zt_printf("#   zvmtest=%-6s %s (vCPUs >= %u)\n", s->name, s->about, s->min_cpus);
}

void zt_main(uint64_t dtb)
{
	zt_fdt_parse(dtb);
	uint64_t me = zt_read_sysreg(mpidr_el1) & ZT_MPIDR_AFF_MASK;
	boot_cpu = 0;
	for (unsigned i = 0; i < ZT_MAX_CPUS; i++) {
		zt_cpu_mpidr[i] = i < zt_plat.nr_cpus ? zt_plat.mpidr[i] : ~0ULL;
		if (i < zt_plat.nr_cpus && zt_plat.mpidr[i] == me)
			boot_cpu = i;
	}
	zt_write_sysreg(boot_cpu, tpidr_el1);
	zt_cpus[boot_cpu].online = 1;
	zt_cpus[boot_cpu].mpidr_read = me;
	zt_dsb();

	zt_printf("\n# ZVM test guest, bootargs \"%s\"\n", zt_plat.bootargs);
	zt_printf("# DTB %s at 0x%lx; %u vCPU(s), boot vCPU %u; RAM 0x%lx+0x%lx\n",
		  zt_plat.dtb_ok ? "ok" : "missing", (unsigned long)dtb, zt_plat.nr_cpus, boot_cpu,
		  (unsigned long)zt_plat.ram_base, (unsigned long)zt_plat.ram_size);
	zt_printf("# GICv%u: GICD 0x%lx %s 0x%lx UART 0x%lx (INTID %u) PSCI %s%s\n",
		  zt_plat.gic_version, (unsigned long)zt_plat.gicd, zt_gic_v2() ? "GICC" : "GICR",
		  (unsigned long)(zt_gic_v2() ? zt_plat.gicc : zt_plat.gicr),
		  (unsigned long)zt_plat.uart, zt_plat.uart_intid, zt_plat.psci_smc ? "smc" : "hvc",
		  zt_plat.native ? " (native mode: ZVM-only checks relaxed)" : "");

	if (zt_gic_init_dist() || zt_gic_init_cpu()) {
		zt_result("init", false, "%s", reason);
		goto done;
	}
	gic_ready = true;

	char list[128];
	if (!zt_bootarg("zvmtest", list, sizeof(list)) || !list[0]) {
		zt_printf("# no zvmtest=<set>[,<set>...] in bootargs; sets:\n");
		list_sets();
		zt_result("bootargs", false, "no zvmtest= in bootargs");
		goto done;
	}
	for (const char *p = list; *p;) {
		const char *e = p;
		while (*e && *e != ',')
			e++;
		const struct zt_set *s = find_set(p, e - p);
		char name[32];
		zt_snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		if (!s) {
			zt_printf("# unknown test set; sets:\n");
			list_sets();
			zt_result(name, false, "unknown test set");
		} else if (zt_plat.nr_cpus < s->min_cpus) {
			zt_result(name, false, "needs %u vCPUs, the DTB lists %u", s->min_cpus,
				  zt_plat.nr_cpus);
		} else {
			zt_printf("# --- set %s: %s\n", s->name, s->about);
			s->run();
		}
		p = *e ? e + 1 : e;
	}
done:
	zt_printf("ZVMTEST DONE %u/%u\n", nr_pass, nr_total);
	zt_system_off();
}

/* zt_gic_init_* report failures through zt_fail(); the boot path prints `reason`. */
