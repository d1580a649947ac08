/* A recovery frame for the slow path of a vCPU's exits: if its handler takes an EL2 fault that
 * only the VM has to pay for (zvm/vcpu_fault.c), the exception returns to vcpu_recover_resume,
 * which unwinds to here as a return of 1. Like setjmp, saved once per slow exit, never on the
 * fast path (a fast-path fault goes back through guest_enter()'s frame instead). */
#include <arch/asm.h>
#include <zvm/vcpu_asm.h>

#define RECOVER_FRAME 112 /* x29, x30, x19-x28, DAIF */

	.text
/* int vcpu_call_recoverable(struct vcpu *v, void (*fn)(struct vcpu *v)) */
FUNC(vcpu_call_recoverable)
	stp	x29, x30, [sp, #-RECOVER_FRAME]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	mrs	x2, daif
	str	x2, [sp, #96]
	mov	x19, x0
	mov	x2, sp
	str	x2, [x0, #VCPU_RECOVER_SP]
	blr	x1
	str	xzr, [x19, #VCPU_RECOVER_SP]
	mov	x0, #0
	b	1f
/* Entered by the fault's eret with x0 = vcpu and IRQs masked: the handler's frames are dropped. */
	.global vcpu_recover_resume
vcpu_recover_resume:
	ldr	x1, [x0, #VCPU_RECOVER_SP]
	str	xzr, [x0, #VCPU_RECOVER_SP]
	mov	sp, x1
	ldr	x2, [sp, #96]
	msr	daif, x2		/* the IRQ mask vcpu_call_recoverable was called with */
	mov	x0, #1
1:	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #RECOVER_FRAME
	ret
ENDFUNC(vcpu_call_recoverable)
