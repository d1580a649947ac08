/* ZVM test guest runtime ("zt"): a bare-metal EL1 program with a console, a DTB reader, a GIC
 * driver (v3 or v2), the virtual timer, PSCI/SMCCC calls, secondary vCPUs and exception fixups,
 * plus the result protocol. Every result line is `ZVMTEST <case> PASS` or
 * `ZVMTEST <case> FAIL <reason>`, and the run ends with `ZVMTEST DONE <passed>/<total>` and PSCI
 * SYSTEM_OFF.
 *
 * Memory model: the MMU stays off, so every data access is Device-nGnRnE. The code is built
 * with -mstrict-align and shares data between vCPUs only through single-writer volatile
 * fields plus barriers (no exclusives, which need not work on Device memory). Only the boot
 * vCPU prints; secondaries report through their struct zt_cpu. */
#ifndef ZT_H
#define ZT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zt_platform.h"

/* ---- system registers and barriers ---- */
#define zt_read_sysreg(r)                                                                          \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                                       \
		__v;                                                                               \
	})
#define zt_write_sysreg(v, r) __asm__ volatile("msr " #r ", %x0" : : "rZ"((uint64_t)(v)) : "memory")
/* By encoding string, e.g. "S3_0_C12_C12_0" (see arch/gicv3_regs.h). */
#define zt_read_sysreg_s(s)                                                                        \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " s : "=r"(__v));                                        \
		__v;                                                                               \
	})
#define zt_write_sysreg_s(v, s)                                                                    \
	__asm__ volatile("msr " s ", %x0" : : "rZ"((uint64_t)(v)) : "memory")

#define zt_isb()	 __asm__ volatile("isb" : : : "memory")
#define zt_dsb()	 __asm__ volatile("dsb sy" : : : "memory")
#define zt_dmb()	 __asm__ volatile("dmb sy" : : : "memory")
#define zt_sev()	 __asm__ volatile("dsb sy\n\tsev" : : : "memory")
#define zt_wfi()	 __asm__ volatile("dsb sy\n\twfi" : : : "memory")
#define zt_wfe()	 __asm__ volatile("wfe" : : : "memory")
#define zt_relax()	 __asm__ volatile("yield" : : : "memory")
#define zt_irq_on()	 __asm__ volatile("msr daifclr, #2" : : : "memory")
#define zt_irq_off()	 __asm__ volatile("msr daifset, #2" : : : "memory")
#define ZT_UNUSED(x)	 ((void)(x))
#define ZT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* MMIO accessors: one plain load or store each, never with writeback or as a pair, so a
 * hypervisor trapping it gets a full syndrome (ESR.ISV = 1), as with Linux's readl/writel. */
#define ZT_MMIO_RW(bits, type, ldr, str, reg)                                                      \
	static inline type zt_r##bits(uint64_t a)                                                  \
	{                                                                                          \
		type v;                                                                            \
		__asm__ volatile(ldr " %" reg "0, [%1]" : "=r"(v) : "r"(a) : "memory");            \
		return v;                                                                          \
	}                                                                                          \
	static inline void zt_w##bits(uint64_t a, type v)                                          \
	{                                                                                          \
		__asm__ volatile(str " %" reg "0, [%1]" : : "rZ"(v), "r"(a) : "memory");           \
	}
ZT_MMIO_RW(8, uint8_t, "ldrb", "strb", "w")
ZT_MMIO_RW(32, uint32_t, "ldr", "str", "w")
ZT_MMIO_RW(64, uint64_t, "ldr", "str", "x")

#define ZT_MPIDR_AFF_MASK 0xff00ffffffULL

/* ---- platform, from the DTB (defaults from zt_platform.h) ---- */
#define ZT_MAX_VIRTIO 8

struct zt_platform {
	uint64_t dtb;
	bool dtb_ok;
	uint64_t ram_base, ram_size;
	uint64_t gicd, gicr, gicr_size, gicr_stride;
	unsigned gic_version; /* 3 ("arm,gic-v3"), or 2 ("arm,cortex-a15-gic", "arm,gic-400") */
	uint64_t gicc;	      /* GICv2: the CPU interface (reg's second entry); 0 on a GICv3 */
	uint64_t uart;
	unsigned uart_intid;
	uint64_t gpio; /* "arm,pl061", 0 = none */
	unsigned gpio_intid;
	unsigned power_pin; /* the gpio-keys poweroff key's pin on it */
	uint64_t pvpanic;   /* "qemu,pvpanic-mmio", 0 = none */
	uint64_t virtio;    /* the first "virtio,mmio" transport, 0 = none */
	unsigned virtio_intid;
	unsigned nr_virtio; /* every "virtio,mmio" node, in DT order */
	uint64_t virtio_all[ZT_MAX_VIRTIO];
	unsigned virtio_intids[ZT_MAX_VIRTIO];
	/* "zvm,shm-doorbell": the doorbell page and the first shared region (0 = none) */
	uint64_t shm_db, shm_base, shm_size;
	unsigned shm_intid;
	bool shm_ro; /* "zvm,read-only" cell of that region */
	unsigned nr_cpus;
	uint64_t mpidr[ZT_MAX_CPUS]; /* DTB order; index = zt cpu id */
	bool psci_smc;		     /* /psci method = "smc" */
	char bootargs[256];
	/* Options from bootargs */
	bool native;	/* "zvmnative": running without ZVM (relaxes the ZVM-only checks) */
	uint64_t seed;	/* "zvmseed=N" (fp) */
	unsigned fp_ms; /* "zvmfpms=N" (fp) */
};
extern struct zt_platform zt_plat;

void zt_fdt_parse(uint64_t dtb);
/* Value of "key=..." in bootargs (copied into buf), or NULL. A bare "key" gives "". */
const char *zt_bootarg(const char *key, char *buf, size_t len);
uint64_t zt_strtoull(const char *s, const char **end);

/* ---- console ---- */
void zt_putc(char c);
/* The next byte typed on the console, or -1 after timeout_ms. */
int zt_getc(unsigned timeout_ms);
void zt_puts(const char *s);
int zt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int zt_vprintf(const char *fmt, va_list ap);
int zt_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int zt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* ---- lib ---- */
void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* ---- time (virtual counter) ---- */
uint64_t zt_now(void);	     /* CNTVCT_EL0, ordered by an ISB */
uint64_t zt_freq(void);	     /* CNTFRQ_EL0 (62.5 MHz fallback if 0) */
uint64_t zt_ms(uint64_t ms); /* ms -> ticks */
uint64_t zt_us(uint64_t us);
uint64_t zt_ticks_to_us(uint64_t t);
void zt_delay_us(uint64_t us);
void zt_delay_ms(uint64_t ms);

/* Spins (yield) until cond or ms elapsed; evaluates to the final value of cond. */
#define zt_wait(cond, ms)                                                                          \
	({                                                                                         \
		uint64_t __end = zt_now() + zt_ms(ms);                                             \
		bool __ok;                                                                         \
		while (!(__ok = (cond)) && zt_now() < __end)                                       \
			zt_relax();                                                                \
		__ok || (cond);                                                                    \
	})

/* How long an interrupt may take to arrive before the tests call it lost: generous, since under
 * ZVM inside QEMU a delivery can wait for a host timer tick or a scheduling round. */
#define ZT_DELIVERY_MS 500

#define CNTV_CTL_ENABLE	 (1u << 0)
#define CNTV_CTL_IMASK	 (1u << 1)
#define CNTV_CTL_ISTATUS (1u << 2)
void zt_vtimer_stop(void);
void zt_vtimer_arm_at(uint64_t cval); /* enabled, unmasked */
/* WFI with IRQs masked until CNTVCT >= deadline, woken by the virtual timer (its PPI gets
 * enabled); returns the number of WFIs executed. */
unsigned zt_sleep_until(uint64_t deadline);

/* ---- exceptions ---- */
struct zt_regs {
	uint64_t x[31];
	uint64_t elr, spsr, esr, far;
	uint64_t pad;
};
#define ZT_EXC_SYNC    0
#define ZT_EXC_IRQ     1
#define ZT_EXC_FIQ     2
#define ZT_EXC_SERROR  3
#define ZT_EXC_BAD     4    /* from a vector we never expect (SP_EL0) */
#define ZT_EXC_LOWER64 0x10 /* or-ed with the type: from EL0 in AArch64 */
#define ZT_EXC_LOWER32 0x20 /* or-ed with the type: from EL0 in AArch32 */

#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)
#define ESR_IL	     (1u << 25)
#define EC_UNKNOWN   0x00
#define EC_WFX	     0x01
#define EC_HVC64     0x16
#define EC_SMC64     0x17
#define EC_SYS64     0x18
#define EC_IABT_CUR  0x21
#define EC_PC_ALIGN  0x22
#define EC_DABT_CUR  0x25
#define EC_SP_ALIGN  0x26
#define EC_BKPT_LOW  0x30 /* hardware breakpoint from a lower EL */
#define EC_BKPT_CUR  0x31 /* ... from the current EL */
#define EC_WATCH_LOW 0x34 /* watchpoint from a lower EL */
#define EC_WATCH_CUR 0x35 /* ... from the current EL */
#define MDSCR_KDE    (1u << 13)
#define MDSCR_MDE    (1u << 15)
#define FSC_EXTABT   0x10 /* synchronous external abort, not on a translation table walk */
#define ISS_DABT_WNR (1u << 6)

enum zt_resume {
	ZT_RESUME_NEXT, /* ELR + 4: skip the faulting instruction */
	ZT_RESUME_LR,	/* ELR = x30 at the time of the fault (e.g. after a blr to nowhere) */
	ZT_RESUME_ADDR, /* ELR = a given fixup address */
	/* A breakpoint or watchpoint exception: MDSCR_EL1.MDE cleared, then the same ELR, so
	 * the instruction runs for real (the case sets MDE again for the next one). */
	ZT_RESUME_DEBUG_OFF,
};
struct zt_exc {
	unsigned count; /* synchronous exceptions taken while armed */
	uint64_t esr, far, elr;
};
/* Arms this vCPU for synchronous exceptions: each one is recorded and resumed as mode says,
 * until zt_exc_disarm(), which returns what was recorded. */
void zt_exc_arm(enum zt_resume mode, uint64_t addr);
struct zt_exc zt_exc_disarm(void);

/* Runs code at EL0 (zt_enter_lower) until the first exception from there, which ends up here:
 * an interrupt is handled first (ack, handler, EOI). */
struct zt_lower_exit {
	uint64_t type; /* ZT_EXC_LOWER64/32 | ZT_EXC_SYNC/IRQ/... */
	uint64_t esr, elr, spsr, far;
	uint64_t x0;
};
void zt_enter_lower(uint64_t pc, uint64_t spsr, uint64_t x0, uint64_t x1) __attribute__((noreturn));
struct zt_lower_exit zt_run_lower(uint64_t pc, uint64_t spsr, uint64_t x0, uint64_t x1);

/* ---- per-vCPU state ---- */
typedef void (*zt_work_fn)(uint64_t arg);
struct zt_cpu {
	volatile uint64_t online;  /* set by the vCPU when it is up and waiting for work */
	volatile uint64_t ctx;	   /* x0 at its last (secondary) entry */
	volatile uint64_t entries; /* number of secondary entries */
	volatile uint64_t mpidr_read;
	volatile int init_rc;	    /* zt_gic_init_cpu() result of its last entry */
	uint64_t gicr;		    /* its redistributor RD frame, 0 if not found; GICv2: GICC */
	volatile uint32_t gic_mask; /* GICv2: its CPU interface bit (ITARGETSR0), 0 before init */

	/* Work mailbox: the boot vCPU posts, the vCPU runs it from its idle loop (IRQs on). */
	volatile zt_work_fn fn;
	volatile uint64_t arg;
	volatile uint64_t posted, done;
	volatile uint64_t running; /* the posted sequence a work function is running for */
	volatile int64_t result;   /* free for the work function */
	volatile uint64_t t_result;

	/* Watchdog served by this vCPU's idle loop: at wd_deadline send SGI wd_sgi to wd_target. */
	volatile uint64_t wd_deadline;
	volatile uint64_t wd_fired;
	volatile unsigned wd_target, wd_sgi;

	/* Armed synchronous exception fixup */
	volatile int exc_armed;
	int exc_mode;
	uint64_t exc_addr;
	volatile struct zt_exc exc;

	/* Unexpected exceptions (any type) */
	volatile unsigned unexpected;
	volatile uint64_t unexp_esr, unexp_elr, unexp_far, unexp_type;

	/* Interrupts received: per INTID counts, and the order of the last ones */
	volatile uint32_t irq_count[128];
	volatile uint32_t irq_log[32];
	volatile uint32_t irq_log_n;
	volatile uint32_t spurious;

	uint64_t recover[14]; /* zt_setjmp buffer for unexpected exceptions */
	volatile int recover_armed;

	/* zt_run_lower(): where the exception from EL0 returns to, and what it was */
	uint64_t lower_jmp[14];
	volatile int lower_armed;
	struct zt_lower_exit lower;
};
extern struct zt_cpu zt_cpus[ZT_MAX_CPUS];
extern uint64_t zt_cpu_mpidr[ZT_MAX_CPUS]; /* read by the secondary entry code */

static inline unsigned zt_cpu_id(void)
{
	return (unsigned)zt_read_sysreg(tpidr_el1);
}
static inline struct zt_cpu *zt_this_cpu(void)
{
	return &zt_cpus[zt_cpu_id()];
}
void zt_irq_log_reset(unsigned cpu);

int zt_setjmp(uint64_t *buf);
void zt_longjmp(uint64_t *buf, int val) __attribute__((noreturn));

/* ---- SMP ---- */
void zt_secondary_entry(void); /* start.S: the PSCI CPU_ON entry point */
/* PSCI CPU_ON_64 of cpu idx at zt_secondary_entry; returns the PSCI status. */
int64_t zt_cpu_on(unsigned idx, uint64_t ctx);
bool zt_cpu_wait_online(unsigned idx, uint64_t entries_before, unsigned ms);
/* Makes sure cpu idx runs the idle loop; returns 0 or a negative PSCI/timeout code. */
int zt_ensure_online(unsigned idx);
/* False (and nothing posted) if the vCPU is not online. */
bool zt_cpu_post(unsigned idx, zt_work_fn fn, uint64_t arg);
bool zt_cpu_wait_done(unsigned idx, unsigned ms);
/* Post and wait; false on timeout. */
bool zt_cpu_call(unsigned idx, zt_work_fn fn, uint64_t arg, unsigned ms);
/* Ask cpu `by` (an idle secondary) to send SGI sgi to cpu `target` after ms, unless cancelled. */
void zt_watchdog_arm(unsigned by, unsigned target, unsigned sgi, unsigned ms);
void zt_watchdog_cancel(unsigned by);

/* ---- PSCI / SMCCC ---- */
struct zt_smccc_res {
	uint64_t a0, a1, a2, a3;
};
/* Through the DTB's conduit (hvc by default). */
int64_t zt_psci(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
struct zt_smccc_res zt_hvc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
struct zt_smccc_res zt_smc(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3);
void zt_system_off(void) __attribute__((noreturn));

/* ---- GIC: a GICv3 (gic.c), or a GICv2 (gic_v2.c) when the DTB's node says so ---- */
typedef void (*zt_irq_fn)(unsigned intid, unsigned cpu);
static inline bool zt_gic_v2(void)
{
	return zt_plat.gic_version == 2;
}
int zt_gic_init_dist(void); /* boot vCPU, once; 0 or -1 (reason printed) */
int zt_gic_init_cpu(void);  /* every vCPU: redistributor wake-up, SGI/PPI defaults, ICC_* */
uint64_t zt_gicr_find(uint64_t mpidr, unsigned *frame_index);
void zt_irq_set_handler(unsigned intid, zt_irq_fn fn);
/* For INTIDs < 32 the cpu argument selects the redistributor; ignored for SPIs. On a GICv2
 * another vCPU's SGIs and PPIs are reached only by that vCPU: the call runs there, through its
 * work mailbox (it must be online and idle; nothing happens otherwise). */
void zt_gic_enable(unsigned cpu, unsigned intid);
void zt_gic_disable(unsigned cpu, unsigned intid);
void zt_gic_set_priority(unsigned cpu, unsigned intid, uint8_t prio);
void zt_gic_set_pending(unsigned cpu, unsigned intid);
void zt_gic_clear_pending(unsigned cpu, unsigned intid);
bool zt_gic_is_pending(unsigned cpu, unsigned intid);
bool zt_gic_is_active(unsigned cpu, unsigned intid);
bool zt_gic_is_enabled(unsigned cpu, unsigned intid);
void zt_gic_clear_active(unsigned cpu, unsigned intid);
void zt_gic_set_edge(unsigned cpu, unsigned intid, bool edge);
/* SPI -> IROUTER (GICv2: the ITARGETSR byte of that vCPU's interface). The readback is the
 * MPIDR; on a GICv2 with IRM set when the byte names no vCPU or several. */
void zt_gic_route(unsigned intid, uint64_t mpidr);
uint64_t zt_gic_irouter(unsigned intid);
/* ICC_SGI1R_EL1 (GICv2: GICD_SGIR, the same targets as CPU interface numbers) */
void zt_gic_sgi_to(unsigned sgi, unsigned cpu);		    /* one target by cpu index */
void zt_gic_sgi_list(unsigned sgi, uint64_t aff_list_mask); /* Aff0 list (Aff3-1 of cpu 0) */
void zt_gic_sgi_others(unsigned sgi);			    /* IRM = 1 */
void zt_gic_wait_rwp(void);				    /* GICv2: nothing to wait for */
/* This vCPU's CPU interface: ICC_* system registers, or GICC over MMIO on a GICv2. */
void zt_gic_set_pmr(uint8_t pmr);
void zt_gic_cpu_enable(bool on); /* ICC_IGRPEN1_EL1 / GICC_CTLR.EnableGrp0 */
uint64_t zt_gic_ack(void);	 /* IAR1 / GICC_IAR, raw: give it back to zt_gic_eoi() */
void zt_gic_eoi(uint64_t iar);	 /* EOImode 0: drops the priority and deactivates */
unsigned zt_gic_intid(uint64_t iar);
unsigned zt_gic_hppi(void); /* HPPIR1 / GICC_HPPIR: the INTID, 1023 if none */
unsigned zt_gic_rpr(void);  /* running priority, 0xff when idle */

/* ---- results ---- */
/* A case returns 0 (PASS), a negative value (FAIL: reason set with zt_fail) or ZT_SKIP
 * (printed as a comment, not counted: only for checks that cannot run natively). */
#define ZT_SKIP 1
typedef int (*zt_case_fn)(void);
void zt_case(const char *name, zt_case_fn fn);
int zt_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int zt_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void zt_result(const char *name, bool pass, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void zt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return zt_fail(__VA_ARGS__);                                               \
	} while (0)

struct zt_set {
	const char *name;
	unsigned min_cpus;
	void (*run)(void);
	const char *about;
};
#define ZT_SET(n, cpus, fn, text)                                                                  \
	const struct zt_set zt_set_##n __attribute__((section(".zt_sets"), used)) = {              \
	    .name = #n, .min_cpus = (cpus), .run = (fn), .about = (text)}

#endif
