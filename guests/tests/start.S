/* Test guest entry: arm64 Image header, EL1 boot and secondary entry, exception vectors,
 * setjmp/longjmp. Linux arm64 boot protocol: entered at 0x40080000 with x0 = DTB, MMU off. */
#include "zt_platform.h"

/* SCTLR_EL1 with the MMU and D-cache off: RES1 bits (29,28,23,22,20,11) | nTWE | nTWI | I |
 * SA0 | SA. A = 0: with the MMU off every access is Device anyway and must be aligned. */
#define SCTLR_EL1_BOOT ((1 << 29) | (1 << 28) | (1 << 23) | (1 << 22) | (1 << 20) | (1 << 11) | \
			(1 << 18) | (1 << 16) | (1 << 12) | (1 << 4) | (1 << 3))
#define CPACR_FPEN (3 << 20) /* no FP/SIMD traps at EL0/EL1 */
#define FRAME_SIZE 288	     /* struct zt_regs */

	.section .text.head, "ax"
	.globl _head
_head:
	b	zt_primary_entry	/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	_image_size		/* image_size, including .bss */
	.quad	0x2			/* flags: little endian, 4K pages, base near start of RAM */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

	.text
/* Common EL1 setup for every vCPU: masks, SCTLR, FP access, vectors. Clobbers x1. */
.macro el1_setup
	msr	daifset, #0xf
	ldr	x1, =SCTLR_EL1_BOOT
	msr	sctlr_el1, x1
	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	ldr	x1, =zt_vectors
	msr	vbar_el1, x1
	msr	cntv_ctl_el0, xzr
	isb
.endm

	.globl zt_primary_entry
zt_primary_entry:
	mov	x19, x0			/* DTB */
	mrs	x1, CurrentEL
	cmp	x1, #(1 << 2)
	b.ne	zt_wrong_el
	el1_setup
	msr	tpidr_el1, xzr
	/* Clear .bss (the boot vCPU only; secondaries start later). */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	ldr	x1, =zt_boot_stack_top
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	bl	zt_main
	b	zt_park

/* Entered at EL2 (QEMU with virtualization=on) or EL3: this guest is an EL1 program. Say so
 * on the default UART, then try PSCI SYSTEM_OFF by smc (QEMU's conduit when EL2 exists). */
zt_wrong_el:
	ldr	x1, =ZT_UART_BASE
	adr	x2, wrong_el_msg
3:	ldrb	w3, [x2], #1
	cbz	w3, 4f
	str	w3, [x1]
	b	3b
4:	ldr	x0, =0x84000008
	smc	#0
	b	zt_park
wrong_el_msg:
	.ascii	"ZVMTEST init FAIL entered above EL1 (run it at EL1: no virtualization=on)\r\n"
	.asciz	"ZVMTEST DONE 0/1\r\n"
	.balign 4

/* PSCI CPU_ON entry point of secondary vCPUs: x0 = context id. */
	.globl zt_secondary_entry
zt_secondary_entry:
	mov	x19, x0
	el1_setup
	mrs	x1, mpidr_el1
	ldr	x2, =0xff00ffffff
	and	x1, x1, x2
	ldr	x2, =zt_cpu_mpidr
	mov	x3, #0
4:	ldr	x4, [x2, x3, lsl #3]
	cmp	x4, x1
	b.eq	5f
	add	x3, x3, #1
	cmp	x3, #ZT_MAX_CPUS
	b.lo	4b
	b	zt_park			/* unknown MPIDR: nowhere to put a stack */
5:	msr	tpidr_el1, x3
	ldr	x1, =zt_stacks
	add	x2, x3, #1
	mov	x4, #ZT_STACK_SIZE
	madd	x1, x2, x4, x1		/* top of stack x3 */
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x3
	mov	x1, x19
	bl	zt_secondary_main
	.globl zt_park
zt_park:
	msr	daifset, #0xf
6:	wfi
	b	6b

/* ---- exception vectors ---- */
.macro ventry type
	.balign 0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\type
	b	zt_exc_common
.endm

	.balign 0x800
	.globl zt_vectors
zt_vectors:
	ventry	4	/* current EL, SP_EL0: never used */
	ventry	4
	ventry	4
	ventry	4
	ventry	0	/* current EL, SP_ELx: sync */
	ventry	1	/* irq */
	ventry	2	/* fiq */
	ventry	3	/* serror */
	ventry	0x10	/* lower EL, AArch64: sync (ZT_EXC_LOWER64 | type) */
	ventry	0x11	/* irq */
	ventry	0x12	/* fiq */
	ventry	0x13	/* serror */
	ventry	0x20	/* lower EL, AArch32: sync (ZT_EXC_LOWER32 | type) */
	ventry	0x21
	ventry	0x22
	ventry	0x23

zt_exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #248]
	mrs	x1, esr_el1
	mrs	x2, far_el1
	stp	x1, x2, [sp, #264]
	mov	x1, x0
	mov	x0, sp
	bl	zt_exception
	ldp	x1, x2, [sp, #248]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret

/* void zt_enter_lower(uint64_t pc, uint64_t spsr, uint64_t x0, uint64_t x1): erets to pc with
 * that SPSR (EL0, AArch64 or AArch32) and x0/x1 (r0/r1); comes back only by an exception. */
	.globl zt_enter_lower
zt_enter_lower:
	msr	elr_el1, x0
	msr	spsr_el1, x1
	mov	x0, x2
	mov	x1, x3
	isb
	eret

/* int zt_setjmp(uint64_t buf[14]) / void zt_longjmp(uint64_t buf[14], int val) */
	.globl zt_setjmp
zt_setjmp:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x1, sp
	str	x1, [x0, #96]
	mov	x0, #0
	ret

	.globl zt_longjmp
zt_longjmp:
	ldp	x19, x20, [x0, #0]
	ldp	x21, x22, [x0, #16]
	ldp	x23, x24, [x0, #32]
	ldp	x25, x26, [x0, #48]
	ldp	x27, x28, [x0, #64]
	ldp	x29, x30, [x0, #80]
	ldr	x2, [x0, #96]
	mov	sp, x2
	cmp	w1, #0
	csinc	w0, w1, wzr, ne
	ret

	.bss
	.balign 16
	.globl zt_stacks
zt_stacks:
	.space	ZT_STACK_SIZE * ZT_MAX_CPUS
	.balign 16
zt_boot_stack:
	.space	ZT_STACK_SIZE
	.globl zt_boot_stack_top
zt_boot_stack_top:
