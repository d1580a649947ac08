/* Code the el0 set runs at EL0 (t_el0.c): AArch64, A32 and T32 snippets, each ending in a branch
 * to itself, so only an exception gets the CPU back to EL1. The A32/T32 ones are data to the
 * AArch64 assembler, hence the encodings. */
	.text
	.balign 4
	.globl el0_a64_spin, el0_a64_wfi
el0_a64_spin:
	b	.
el0_a64_wfi:
	wfi
	b	.

	.globl el0_a32_spin, el0_a32_wfi, el0_a32_load
el0_a32_spin:
	.inst	0xeafffffe	/* b . */
el0_a32_wfi:
	.inst	0xe320f003	/* wfi */
	.inst	0xeafffffe	/* b . */
el0_a32_load:
	.inst	0xe5910000	/* ldr r0, [r1] */
	.inst	0xeafffffe	/* b . */

	.balign 4
	.globl el0_t32_wfi, el0_t32_load
el0_t32_wfi:
	.hword	0xbf30		/* wfi (16-bit) */
	.hword	0xe7fe		/* b . */
	.hword	0xe7fe		/* b . (where a 4-byte skip of the wfi would land) */
	.hword	0xe7fe
el0_t32_load:
	.hword	0x6808		/* ldr r0, [r1] (16-bit) */
	.hword	0xe7fe		/* b . */
	.hword	0xe7fe
	.hword	0xe7fe
