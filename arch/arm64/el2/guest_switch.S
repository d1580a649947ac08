/* Entering a guest and coming back. guest_enter() is a function call for the vCPU thread: it
 * keeps the host's callee-saved registers on the thread's stack, erets into the guest, and
 * "returns" when an exit is not handled on the fast path. Only general registers move here:
 * EL1 system registers stay in the CPU while the vCPU thread runs (see zvm/vcpu_sr.c), and the
 * FP registers belong to the thread (arch_switch moves them). */
#include <arch/asm.h>
#include <arch/callee_saved.inc>
#include <zvm/vcpu_asm.h>

#define HOST_FRAME 96

/* Loads ELR/SPSR and x2-x17 from the vCPU at \base: what every return to the guest needs. */
.macro load_guest_pstate_x2_x17 base
	ldp	x2, x3, [\base, #VCPU_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [\base, #16 * 1]
	ldp	x4, x5, [\base, #16 * 2]
	ldp	x6, x7, [\base, #16 * 3]
	ldp	x8, x9, [\base, #16 * 4]
	ldp	x10, x11, [\base, #16 * 5]
	ldp	x12, x13, [\base, #16 * 6]
	ldp	x14, x15, [\base, #16 * 7]
	ldp	x16, x17, [\base, #16 * 8]
.endm

	.text
/* uint64_t guest_enter(struct vcpu *v); IRQs masked. */
FUNC(guest_enter)
	stp	x29, x30, [sp, #-HOST_FRAME]!
	save_x19_x28	sp, 16
	mov	x1, sp
	str	x1, [x0, #VCPU_HOST_SP]
	mrs	x1, tpidr_el2
	str	x0, [x1]			/* this_cpu()->vcpu */
	b	guest_resume
ENDFUNC(guest_enter)

/* x0 = vcpu: load the whole general register file and eret. */
FUNC(guest_resume)
	load_guest_pstate_x2_x17 x0
	ldp	x18, x19, [x0, #16 * 9]
	ldp	x20, x21, [x0, #16 * 10]
	ldp	x22, x23, [x0, #16 * 11]
	ldp	x24, x25, [x0, #16 * 12]
	ldp	x26, x27, [x0, #16 * 13]
	ldp	x28, x29, [x0, #16 * 14]
	ldr	x30, [x0, #16 * 15]
	ldp	x0, x1, [x0, #16 * 0]
	eret
ENDFUNC(guest_resume)

/* Saves what a C call may clobber (x0-x18, x30) plus ELR/SPSR into the vCPU; x0 = vcpu after. */
.macro save_guest_caller_saved
	stp	x0, x1, [sp, #-16]!
	mrs	x0, tpidr_el2
	ldr	x0, [x0]
	stp	x2, x3, [x0, #16 * 1]
	stp	x4, x5, [x0, #16 * 2]
	stp	x6, x7, [x0, #16 * 3]
	stp	x8, x9, [x0, #16 * 4]
	stp	x10, x11, [x0, #16 * 5]
	stp	x12, x13, [x0, #16 * 6]
	stp	x14, x15, [x0, #16 * 7]
	stp	x16, x17, [x0, #16 * 8]
	str	x18, [x0, #16 * 9]
	str	x30, [x0, #16 * 15]
	ldp	x2, x3, [sp], #16
	stp	x2, x3, [x0, #16 * 0]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [x0, #VCPU_PC]
.endm

.macro save_guest_callee_saved
	str	x19, [x0, #16 * 9 + 8]
	stp	x20, x21, [x0, #16 * 10]
	stp	x22, x23, [x0, #16 * 11]
	stp	x24, x25, [x0, #16 * 12]
	stp	x26, x27, [x0, #16 * 13]
	stp	x28, x29, [x0, #16 * 14]
.endm

/* After a C handler that had only the caller-saved registers (x0 = its verdict): C kept the
 * guest's x19-x29 in place, so back into the guest reloading only what was saved; or, for the
 * thread, complete the save and leave with \code. */
.macro resume_or_exit code
	mrs	x1, tpidr_el2
	ldr	x1, [x1]
	cbz	x0, .Lto_thread\@
	load_guest_pstate_x2_x17 x1
	ldr	x18, [x1, #16 * 9]
	ldr	x30, [x1, #16 * 15]
	ldp	x0, x1, [x1, #16 * 0]
	eret
.Lto_thread\@:
	mov	x0, x1
	save_guest_callee_saved
	mov	x1, #\code
	b	guest_exit_to_host
.endm

/* A synchronous exit. The fast path handles it in C in exception context and goes straight
 * back into the guest. Hypercalls use only x0-x17 (SMCCC), which C does not preserve anyway:
 * they skip the callee-saved half of the register file, which C keeps intact. So do MMIO
 * accesses whose register is not one of x19-x29 (the handler reads or writes that register
 * only). Other handlers may touch any guest register, so for them it is all saved. */
FUNC(guest_exit_sync)
	save_guest_caller_saved
	msr	daifclr, #1		/* no lock held yet: a fault in a handler may be survivable */
	mrs	x1, esr_el2
	str	x1, [x0, #VCPU_ESR]
	lsr	x2, x1, #27
	cmp	x2, #(EC_HVC64 >> 1)	/* HVC64 or SMC64 */
	b.ne	1f
	bl	vcpu_handle_hypercall
	resume_or_exit EXIT_SYNC
1:	mrs	x3, far_el2
	mrs	x4, hpfar_el2
	stp	x3, x4, [x0, #VCPU_FAR]
	cmp	x2, #(EC_DABT_LOW >> 1)	/* no same-EL data abort (0x25) comes from a guest */
	b.ne	2f
	ubfx	x3, x1, #16, #5		/* ESR.SRT (meaningless without ISV: then it is unused) */
	sub	x3, x3, #19
	cmp	x3, #(29 - 19)
	b.ls	2f			/* x19-x29: the full save */
	bl	vcpu_handle_mmio_exit
	resume_or_exit EXIT_SYNC
2:	save_guest_callee_saved
	mov	x19, x0
	bl	vcpu_handle_fast_exit
	mov	x1, x0
	mov	x0, x19
	cbnz	x1, guest_resume
	mov	x1, #EXIT_SYNC
	b	guest_exit_to_host
ENDFUNC(guest_exit_sync)

/* A physical interrupt while in the guest: handled right here, in the exception context it
 * arrived in, like any host interrupt; back into the guest unless the scheduler or a request
 * needs the thread. Host interrupt handlers never look at guest registers, so only the
 * caller-saved half is saved, as for hypercalls. */
FUNC(guest_exit_irq)
	save_guest_caller_saved
	bl	vcpu_handle_irq_exit
	resume_or_exit EXIT_IRQ
ENDFUNC(guest_exit_irq)

FUNC(guest_exit_serror)
	save_guest_caller_saved
	save_guest_callee_saved
	mrs	x2, esr_el2
	str	x2, [x0, #VCPU_ESR]
	mov	x1, #EXIT_SERROR
	b	guest_exit_to_host
ENDFUNC(guest_exit_serror)

/* x0 = vcpu, x1 = exit code: back onto the host stack, return from guest_enter(). */
FUNC(guest_exit_to_host)
	mrs	x2, tpidr_el2
	str	xzr, [x2]
	ldr	x2, [x0, #VCPU_HOST_SP]
	mov	sp, x2
	mov	x0, x1
	load_x19_x28	sp, 16
	ldp	x29, x30, [sp], #HOST_FRAME
	ret
ENDFUNC(guest_exit_to_host)
