/* The EL1 exception vector table of the RTOS image. EL0 never runs, so only the kernel's own
 * exceptions (current EL with SP_EL1) are expected; anything else is dumped. */
#include <arch/asm.h>
#include <arch/exception.h>
#include <arch/vector_macros.inc>

	.section .text.vectors, "ax"
	.balign 2048
	.global el1_vectors
el1_vectors:
	/* Current EL with SP_EL0: never used. */
	unexpected 0
	unexpected 1
	unexpected 2
	unexpected 3

	/* Current EL with SP_EL1: the kernel itself. */
	.balign 0x80
	b	host_sync
	.balign 0x80
	b	host_irq
	unexpected 6
	unexpected 7

	/* Lower EL (EL0), AArch64 and AArch32: never taken. */
	unexpected 8
	unexpected 9
	unexpected 10
	unexpected 11
	unexpected 12
	unexpected 13
	unexpected 14
	unexpected 15

	host_handlers
