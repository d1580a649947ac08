/* The EL2 exception vector table: the host's own exceptions, and guest exits from EL1/EL0. */
#include <arch/asm.h>
#include <arch/exception.h>
#include <arch/vector_macros.inc>

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

	/* Lower EL, AArch64: guest exits (guest_switch.S). */
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

	host_handlers
