/* Thread context switch. Only callee-saved registers are kept (it is a function call), plus the
 * whole FP/SIMD file, which host code never uses: it is the thread's (or its guest's) own. */
#include <arch/asm.h>
#include <arch/callee_saved.inc>

#define CTX_SP     96
#define CTX_FPSIMD 112

.macro save_fpsimd base
	stp	q0, q1, [\base, #0]
	stp	q2, q3, [\base, #32]
	stp	q4, q5, [\base, #64]
	stp	q6, q7, [\base, #96]
	stp	q8, q9, [\base, #128]
	stp	q10, q11, [\base, #160]
	stp	q12, q13, [\base, #192]
	stp	q14, q15, [\base, #224]
	stp	q16, q17, [\base, #256]
	stp	q18, q19, [\base, #288]
	stp	q20, q21, [\base, #320]
	stp	q22, q23, [\base, #352]
	stp	q24, q25, [\base, #384]
	stp	q26, q27, [\base, #416]
	stp	q28, q29, [\base, #448]
	stp	q30, q31, [\base, #480]
	mrs	x11, fpsr
	mrs	x12, fpcr
	add	\base, \base, #512
	stp	x11, x12, [\base]
.endm

.macro load_fpsimd base
	ldp	q0, q1, [\base, #0]
	ldp	q2, q3, [\base, #32]
	ldp	q4, q5, [\base, #64]
	ldp	q6, q7, [\base, #96]
	ldp	q8, q9, [\base, #128]
	ldp	q10, q11, [\base, #160]
	ldp	q12, q13, [\base, #192]
	ldp	q14, q15, [\base, #224]
	ldp	q16, q17, [\base, #256]
	ldp	q18, q19, [\base, #288]
	ldp	q20, q21, [\base, #320]
	ldp	q22, q23, [\base, #352]
	ldp	q24, q25, [\base, #384]
	ldp	q26, q27, [\base, #416]
	ldp	q28, q29, [\base, #448]
	ldp	q30, q31, [\base, #480]
	add	\base, \base, #512
	ldp	x11, x12, [\base]
	msr	fpsr, x11
	msr	fpcr, x12
.endm

	.text
/* void arch_switch(struct arch_context *prev, struct arch_context *next) */
FUNC(arch_switch)
	save_x19_x28	x0, 0
	stp	x29, x30, [x0, #80]
	mov	x9, sp
	str	x9, [x0, #CTX_SP]
	add	x10, x0, #CTX_FPSIMD
	save_fpsimd x10

	add	x10, x1, #CTX_FPSIMD
	load_fpsimd x10
	load_x19_x28	x1, 0
	ldp	x29, x30, [x1, #80]
	ldr	x9, [x1, #CTX_SP]
	mov	sp, x9
	ret
ENDFUNC(arch_switch)

/* First code of a new thread: arch_context_init() put fn in x19 and arg in x20. */
FUNC(arch_thread_trampoline)
	mov	x0, x20
	blr	x19
1:	wfe
	b	1b
ENDFUNC(arch_thread_trampoline)
