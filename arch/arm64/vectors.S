/* The EL2 exception vector table. Host exceptions save a full trap_frame on the current stack. */
#include <arch/asm.h>
#include <arch/exception.h>

.macro save_frame
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	mrs	x21, elr_el2
	stp	x30, x21, [sp, #16 * 15]
	mrs	x22, spsr_el2
	add	x23, sp, #FRAME_SIZE
	stp	x22, x23, [sp, #16 * 16]
	mrs	x24, esr_el2
	mrs	x25, far_el2
	stp	x24, x25, [sp, #16 * 17]
	mov	x0, sp
.endm

.macro restore_frame
	ldp	x21, x22, [sp, #16 * 15 + 8]	/* elr, spsr */
	msr	elr_el2, x21
	msr	spsr_el2, x22
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	ldr	x30, [sp, #16 * 15]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

/* Vectors we do not expect: dump and stop, naming which one fired. */
.macro unexpected kind
	.balign 0x80
	save_frame
	mov	x1, #\kind
	bl	unexpected_exception
	b	.
.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global el2_vectors
el2_vectors:
	/* Current EL with SP_EL0: never used. */
	unexpected 0
	unexpected 1
	unexpected 2
	unexpected 3

	/* Current EL with SP_EL2: the host itself. */
	.balign 0x80
	b	host_sync
	.balign 0x80
	b	host_irq
	unexpected 6
	unexpected 7

	/* Lower EL, AArch64: guest exits (arch/arm64/guest_switch.S). */
	.balign 0x80
	b	guest_exit_sync
	.balign 0x80
	b	guest_exit_irq
	.balign 0x80
	b	guest_exit_irq		/* FIQ: routed like IRQ, handled by the host */
	.balign 0x80
	b	guest_exit_serror

	/* Lower EL, AArch32: never taken. Guests' EL1 is AArch64 (HCR_EL2.RW), so exits from an
	 * AArch32 EL0 in a guest come through the AArch64 entries above. */
	unexpected 12
	unexpected 13
	unexpected 14
	unexpected 15

	.text
host_sync:
	save_frame
	bl	host_sync_exception
	restore_frame

host_irq:
	save_frame
	bl	host_irq_exception
	restore_frame
