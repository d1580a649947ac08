/* Guest exits, dispatched by ESR_EL2.EC. Everything that does not block is handled on the fast
 * path, in exception context with IRQs masked, and goes straight back into the guest; WFI/WFE
 * and pending requests go back to the vCPU thread (the slow path). */
#include <arch/exception.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/thread.h>
#include <zvm/aarch32.h>
#include <zvm/exit_deferred.h>
#include <zvm/guest_log.h>
#include <zvm/s2_fault.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vtimer.h>
#include <zvm/vm.h>

#define EC_UNKNOWN  0x00
#define EC_WFX	    0x01
#define EC_HVC64    0x16
#define EC_SMC64    0x17
#define EC_SYSREG   0x18
#define EC_IABT_LOW 0x20
#define EC_DABT_LOW 0x24

#define ESR_IL	     (1u << 25)
#define ISS_WFE	     (1u << 0)
#define ISS_S1PTW    (1u << 7)
#define ISS_FNV	     (1u << 10)
#define HPFAR_IPA(h) (((h) >> 4) << 12)

/* Past a trapped instruction of a guest's AArch32 EL0: 2 or 4 bytes (T32 has both), and one
 * step of an IT block. */
static __attribute__((noinline)) void skip_aa32_instr(struct vcpu *v)
{
	v->regs.pc += (v->esr & ESR_IL) ? 4 : 2;
	v->regs.pstate = aa32_itstate_advance(v->regs.pstate) & ~PSTATE_SS;
}

/* Past the trapped instruction. A64 ones are all 4 bytes: HVC, SMC and system register traps
 * (which only A64 code causes) add 4 themselves. */
static inline void skip_instr(struct vcpu *v)
{
	if (v->regs.pstate & PSR_AA32)
		skip_aa32_instr(v);
	else
		vcpu_skip_a64(v);
}

static bool exit_unknown(struct vcpu *v)
{
	guest_log(v, "unhandled exit EC 0x%02x at pc 0x%llx: undefined instruction injected",
		  (unsigned)ESR_EC(v->esr), (unsigned long long)v->regs.pc);
	vcpu_inject_undef(v);
	return true;
}

static bool exit_sysreg(struct vcpu *v)
{
	sysreg_trap_handle(v, v->esr);
	return true;
}

/* Instruction aborts: never emulated, classified and acted on by s2_fault_exit(). */
static bool exit_iabt(struct vcpu *v)
{
	uint64_t ipa = HPFAR_IPA(v->hpfar) | (v->far & 0xfff);

	s2_fault_exit(v, ipa, mmio_find(&v->vm->mmio, ipa) != NULL);
	return !v->exit_deferred;
}

static inline __attribute__((always_inline)) int
mmio_emulate(struct vcpu *v, const struct mmio_region *r, const struct mmio_access *a)
{
	uint64_t off = a->ipa - r->base;
	uint64_t mask = mmio_size_mask(a->size);
	uint64_t val;
	int err;

	if (a->write) {
		if (!r->ops->write)
			return -EINVAL;
		return r->ops->write(v, r->dev, off, a->size, vcpu_get_reg(v, a->reg) & mask);
	}
	if (!r->ops->read)
		return -EINVAL;
	err = r->ops->read(v, r->dev, off, a->size, &val);
	if (err)
		return err;
	val &= mask;
	if (a->sign_extend && a->size < 8 && (val >> (8 * a->size - 1)) & 1)
		val |= ~mask;
	if (!a->sixty_four)
		val &= 0xffffffffULL;
	vcpu_set_reg(v, a->reg, val);
	return 0;
}

/* The device access the syndrome describes: emulated and skipped, or an abort for the guest. */
static inline __attribute__((always_inline)) bool
mmio_exit(struct vcpu *v, const struct mmio_region *r, uint64_t ipa)
{
	struct mmio_access a;

	if (mmio_decode(v->esr, ipa, &a)) {
		guest_log(v, "MMIO access to 0x%llx without a syndrome (pc 0x%llx)",
			  (unsigned long long)ipa, (unsigned long long)v->regs.pc);
		vcpu_inject_dabt(v, v->far);
		return true;
	}
	if (mmio_emulate(v, r, &a)) {
		guest_log(v, "bad %u-byte %s at 0x%llx", a.size, a.write ? "write" : "read",
			  (unsigned long long)ipa);
		vcpu_inject_dabt(v, v->far);
		return true;
	}
	skip_instr(v);
	return true;
}

/* The syndrome of the common case: a translation fault with a valid FAR, not on a walk. */
#define DABT_FAST_SYNDROME(esr)                                                                    \
	(((esr) & (ISS_S1PTW | ISS_FNV | S2F_FSC_TRANS_MASK)) == S2F_FSC_TRANS)

/* Every data abort the fast check below declines: classified by its fault status code. When
 * the syndrome passed the fast check, its mmio_find() found nothing: not looked up again (the
 * region is not passed down, which would cost the MMIO fast path an instruction). */
static __attribute__((noinline)) bool exit_s2_fault(struct vcpu *v, uint64_t ipa)
{
	const struct mmio_region *r =
	    DABT_FAST_SYNDROME(v->esr) ? NULL : mmio_find(&v->vm->mmio, ipa);

	if (s2_fault_exit(v, ipa, r != NULL) == S2A_MMIO)
		return mmio_exit(v, r, ipa);
	return !v->exit_deferred; /* to the thread: exit_deferred_run() */
}

/* A stage-2 data abort. The common case is checked first, without classifying: a translation
 * fault (levels 0-3) with a valid FAR, not on a stage-1 walk, at an emulated device (devices
 * are never mapped). Everything else goes to exit_s2_fault(). Inlined into the MMIO exit's own
 * path (the handler table keeps a copy for the full-save path). */
static inline __attribute__((always_inline)) bool exit_dabt(struct vcpu *v)
{
	uint64_t ipa = HPFAR_IPA(v->hpfar) | (v->far & 0xfff);
	const struct mmio_region *r;

	v->mmio_exits++;
	if (__builtin_expect(!DABT_FAST_SYNDROME(v->esr), 0) || !(r = mmio_find(&v->vm->mmio, ipa)))
		return exit_s2_fault(v, ipa);
	return mmio_exit(v, r, ipa);
}

static bool exit_wfx(struct vcpu *v)
{
	vcpu_fault_check(v, VCPU_FAULT_FAST);
	vcpu_fault_check(v, VCPU_FAULT_LOCKED);
	return false; /* may block: the thread does it */
}

/* The end of every fast path: back into the guest unless a request needs the thread or the
 * handler made a thread ready that is to have this CPU first (the vCPU thread then switches as
 * at an interrupt exit). Forced inline: as a call it costs each exit about six instructions
 * (measured with make bench). */
static inline __attribute__((always_inline)) bool resume_guest(struct vcpu *v)
{
	if (v->requests || sched_need_resched())
		return false;
	vcpu_prepare_entry(v);
	return true;
}

typedef bool (*exit_handler_t)(struct vcpu *v);

static const exit_handler_t exit_handlers[64] = {
    [EC_WFX] = exit_wfx,
    [EC_SYSREG] = exit_sysreg,
    [EC_IABT_LOW] = exit_iabt,
    [EC_DABT_LOW] = exit_dabt,
};

/* HVC and SMC, from the vector's lighter path: only x0-x18 are in v->regs. */
bool vcpu_handle_hypercall(struct vcpu *v)
{
	v->exits++;
	if (ESR_EC(v->esr) == EC_SMC64)
		vcpu_skip_a64(v); /* SMC traps before it executes (HCR_EL2.TSC): ELR points at it */
	v->hvc_exits++;
	hypercall_handle(v);
	return resume_guest(v);
}

/* A data abort, from the vector's lighter path: x19-x29 are not in v->regs, and the access
 * names none of them. */
bool vcpu_handle_mmio_exit(struct vcpu *v)
{
	v->exits++;
	return exit_dabt(v) && resume_guest(v);
}

bool vcpu_handle_fast_exit(struct vcpu *v)
{
	exit_handler_t h = exit_handlers[ESR_EC(v->esr)];

	v->exits++;
	return (h ? h : exit_unknown)(v) && resume_guest(v);
}

bool vcpu_handle_irq_exit(struct vcpu *v)
{
	unsigned intid = gic_ack();

	v->exits++;
	v->irq_exits++;
	/* The guest's own timer, the usual reason (on a dedicated CPU nearly the only one), goes
	 * straight to the vCPU instead of through the handler table. */
	if (!vtimer_guest_irq(v, intid))
		irq_handle(intid);
	if (resume_guest(v))
		return true;
	/* To the thread, which unmasks IRQs without an eret: the timer's EOI takes effect first. */
	isb();
	return false;
}

void vcpu_handle_slow_exit(struct vcpu *v)
{
	/* Tested behind the EC, so a WFI exit pays nothing for it: WFx never defers. */
	if (ESR_EC(v->esr) != EC_WFX) {
		if (v->exit_deferred) {
			v->exit_deferred = false;
			exit_deferred_run(v);
		}
		return; /* else handled on the fast path; only its requests were left */
	}
	vcpu_fault_check(v, VCPU_FAULT_SLOW);
	bool pass = !(v->regs.pstate & PSR_AA32) || aa32_condition_passed(v->esr, v->regs.pstate);

	skip_instr(v);
	if (!pass)
		return; /* an AArch32 WFI/WFE that failed its condition is a no-op */
	if (v->esr & ISS_WFE) {
		k_yield();
		return;
	}
	v->wfi_exits++;
	vcpu_wait_for_interrupt(v);
}
