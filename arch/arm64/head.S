/* Entry from the boot loader: the Linux arm64 boot protocol (x0 = DTB, MMU off), at EL2. */
#include <arch/asm.h>
#include <arch/boot.h>

/* CPTR_EL2 with E2H=0: RES1 bits, FP/SIMD not trapped (TFP=0), SVE trapped (TZ=1). */
#define CPTR_EL2_VALUE 0x33ff

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	_image_size		/* image_size, bss included */
	.quad	0x2			/* flags: little endian, 4 KiB pages, 2 MiB aligned base */
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

	.section .text.boot, "ax"
FUNC(primary_entry)
	mov	x19, x0			/* DTB */
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	bl	enable_fp

	/* The image is linked at one address and runs with an identity map. */
	adr	x1, _head
	ldr	x2, =_head
	cmp	x1, x2
	b.ne	park

	/* The boot stacks live in .bss, so clear it before touching the stack. */
	ldr	x1, =_bss_start
	ldr	x2, =_bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =boot_stacks + BOOT_STACK_SIZE
	mov	sp, x1
	mov	x29, xzr
	mov	x0, x19
	mov	x1, x20
	bl	boot_primary
	b	park
ENDFUNC(primary_entry)

/* PSCI CPU_ON lands here with the MMU off and x0 = the CPU index (the context id). */
FUNC(secondary_entry)
	mov	x19, x0
	bl	enable_fp
	ldr	x1, =boot_stacks + BOOT_STACK_SIZE
	mov	x2, #BOOT_STACK_SIZE
	madd	x1, x2, x19, x1
	mov	sp, x1
	mov	x29, xzr
	ldr	x3, =mmu_boot_params
	ldp	x0, x1, [x3]
	ldr	x2, [x3, #16]
	bl	mmu_enable
	mov	x0, x19
	bl	boot_secondary
	b	park
ENDFUNC(secondary_entry)

/* Host code is built without FP, but libraries and guests use it: never trap it. */
FUNC(enable_fp)
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	1f
	mov	x0, #CPTR_EL2_VALUE
	msr	cptr_el2, x0
	isb
	ret
1:	mrs	x0, cpacr_el1
	orr	x0, x0, #(3 << 20)
	msr	cpacr_el1, x0
	isb
	ret
ENDFUNC(enable_fp)

FUNC(park)
	wfe
	b	park
ENDFUNC(park)
