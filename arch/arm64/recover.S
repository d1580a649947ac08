/* Recovery frames (include/kernel/recover.h): k_call_recoverable saves the callee-saved
 * registers and the IRQ mask, like setjmp, and records its frame in r->sp; an EL2 fault in fn
 * that only fn's owner has to pay for returns (by eret, IRQs masked, x0 = r) to
 * k_recover_resume, which drops fn's frames and returns 1 from k_call_recoverable. */
#include <arch/asm.h>
#include <arch/callee_saved.inc>

#define RECOVER_FRAME 112 /* x29, x30, x19-x28, DAIF */
#define RECOVER_SP    0	  /* offsetof(struct k_recover, sp) */

	.text
/* int k_call_recoverable(struct k_recover *r, void (*fn)(void *arg), void *arg) */
FUNC(k_call_recoverable)
	stp	x29, x30, [sp, #-RECOVER_FRAME]!
	mov	x29, sp
	save_x19_x28	sp, 16
	mrs	x3, daif
	str	x3, [sp, #96]
	mov	x19, x0
	mov	x3, sp
	str	x3, [x0, #RECOVER_SP]
	mov	x0, x2
	blr	x1
	str	xzr, [x19, #RECOVER_SP]
	mov	x0, #0
	b	1f
/* Entered by the fault's eret with x0 = r and IRQs masked: fn's frames are dropped. */
	.global k_recover_resume
k_recover_resume:
	ldr	x1, [x0, #RECOVER_SP]
	str	xzr, [x0, #RECOVER_SP]
	mov	sp, x1
	ldr	x2, [sp, #96]
	msr	daif, x2		/* the IRQ mask k_call_recoverable was called with */
	mov	x0, #1
1:	load_x19_x28	sp, 16
	ldp	x29, x30, [sp], #RECOVER_FRAME
	ret
ENDFUNC(k_call_recoverable)
