/* fp: the FP/SIMD register torture loop, in assembly so that no compiler-generated code can
 * touch a vector register while the pattern must survive.
 *
 * int zt_fp_torture(uint64_t pat[66], uint64_t ticks, uint64_t info[4], uint64_t hvc_fid)
 *   pat[0..63]: q0..q31 (low, high), pat[64]: FPCR, pat[65]: FPSR. FPCR/FPSR are written, then
 *   read back into pat[64..65] (bits an implementation does not keep are not the hypervisor's
 *   fault). Loads everything, then for `ticks` of CNTVCT re-reads every register with umov/mrs
 *   (which change nothing) and compares. If hvc_fid != 0, each round also makes that hvc call
 *   (e.g. PSCI_VERSION), so the hypervisor's trap path runs with the guest's FP state live.
 * Returns 0, or 1 + the index of the first register that changed (0..31 = q, 32 = FPCR,
 * 33 = FPSR); info = {index, value low, value high, rounds}. */

	.text
.macro check_q n
	mov	x6, v\n\().d[0]
	mov	x7, v\n\().d[1]
	ldp	x10, x11, [x19, #(16 * \n)]
	mov	x12, #\n
	cmp	x6, x10
	b.ne	9f
	cmp	x7, x11
	b.ne	9f
.endm

	.globl zt_fp_torture
	.type zt_fp_torture, %function
zt_fp_torture:
	stp	x29, x30, [sp, #-96]!
	mov	x29, sp
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	d8, d9, [sp, #48]
	stp	d10, d11, [sp, #64]
	stp	d12, d13, [sp, #80]
	stp	d14, d15, [sp, #-16]!
	mov	x19, x0			/* pattern */
	mov	x20, x2			/* info */
	mov	x21, x3			/* hvc function id or 0 */

	ldr	x4, [x19, #512]
	msr	fpcr, x4
	ldr	x4, [x19, #520]
	msr	fpsr, x4
	isb
	mrs	x4, fpcr
	str	x4, [x19, #512]
	mrs	x4, fpsr
	str	x4, [x19, #520]

	ldp	q0, q1, [x19, #0]
	ldp	q2, q3, [x19, #32]
	ldp	q4, q5, [x19, #64]
	ldp	q6, q7, [x19, #96]
	ldp	q8, q9, [x19, #128]
	ldp	q10, q11, [x19, #160]
	ldp	q12, q13, [x19, #192]
	ldp	q14, q15, [x19, #224]
	ldp	q16, q17, [x19, #256]
	ldp	q18, q19, [x19, #288]
	ldp	q20, q21, [x19, #320]
	ldp	q22, q23, [x19, #352]
	ldp	q24, q25, [x19, #384]
	ldp	q26, q27, [x19, #416]
	ldp	q28, q29, [x19, #448]
	ldp	q30, q31, [x19, #480]

	isb
	mrs	x22, cntvct_el0
	add	x22, x22, x1		/* deadline */
	mov	x9, #0			/* rounds */
1:
	check_q	0
	check_q	1
	check_q	2
	check_q	3
	check_q	4
	check_q	5
	check_q	6
	check_q	7
	check_q	8
	check_q	9
	check_q	10
	check_q	11
	check_q	12
	check_q	13
	check_q	14
	check_q	15
	check_q	16
	check_q	17
	check_q	18
	check_q	19
	check_q	20
	check_q	21
	check_q	22
	check_q	23
	check_q	24
	check_q	25
	check_q	26
	check_q	27
	check_q	28
	check_q	29
	check_q	30
	check_q	31
	mrs	x6, fpcr
	ldr	x10, [x19, #512]
	mov	x7, #0
	mov	x12, #32
	cmp	x6, x10
	b.ne	9f
	mrs	x6, fpsr
	ldr	x10, [x19, #520]
	mov	x12, #33
	cmp	x6, x10
	b.ne	9f
	add	x9, x9, #1
	cbz	x21, 2f
	mov	x0, x21
	mov	x1, xzr
	mov	x2, xzr
	mov	x3, xzr
	hvc	#0
2:	/* spin ~10 us of counter time between rounds */
	isb
	mrs	x8, cntvct_el0
	add	x13, x8, #625
3:	isb
	mrs	x8, cntvct_el0
	cmp	x8, x13
	b.lo	3b
	cmp	x8, x22
	b.lo	1b
	mov	x0, #0
	b	8f

9:	add	x0, x12, #1
	stp	x12, x6, [x20, #0]
	str	x7, [x20, #16]
8:	str	x9, [x20, #24]
	ldp	d14, d15, [sp], #16
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	d8, d9, [sp, #48]
	ldp	d10, d11, [sp, #64]
	ldp	d12, d13, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
	.size zt_fp_torture, . - zt_fp_torture
