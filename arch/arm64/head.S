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
	/* flags: little endian, 4 KiB pages, the 2 MiB aligned base anywhere in RAM (bit 3):
	 * the image relocates itself (relocate below), so booti may leave it where it loaded it. */
	.quad	0xa
	.quad	0, 0, 0
	.ascii	"ARM\x64"
	.long	0

	.section .text.boot, "ax"
FUNC(primary_entry)
	mov	x19, x0			/* DTB */
	mrs	x20, CurrentEL
	lsr	x20, x20, #2
	bl	enable_fp

	bl	relocate

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

/* The image runs with an identity map wherever it was loaded. It is linked as a static PIE:
 * every absolute address in it (literal pools, pointers in data, the GOT) has an
 * R_AARCH64_RELATIVE entry in .rela.dyn, and the linker stored the link-time value in place.
 * Loaded elsewhere, each such word gets the load offset added: before the MMU, the stack and
 * .bss are used, so this code touches only x0-x7 and PC-relative addresses. A stale cache line
 * of a patched word (the MMU and caches are off here) is invalidated. The offset is kept in
 * image_load_offset for the boot log. */
#define R_AARCH64_RELATIVE 1027
FUNC(relocate)
	adr	x0, _head
	ldr	x1, =_head		/* the link-time value: relocations are not applied yet */
	subs	x0, x0, x1
	b.eq	3f
	/* The boot protocol puts the image at a 2 MiB aligned base + text_offset, as it was
	 * linked; any other offset would break the 4 KiB mappings and the 2 KiB aligned
	 * vectors, so it stops here instead of running broken. */
	tst	x0, #0x1fffff
	b.ne	park
	adrp	x1, __rela_start
	add	x1, x1, :lo12:__rela_start
	adrp	x2, __rela_end
	add	x2, x2, :lo12:__rela_end
1:	cmp	x1, x2
	b.hs	2f
	ldp	x3, x4, [x1], #16	/* r_offset, r_info */
	ldr	x5, [x1], #8		/* r_addend */
	cbz	x4, 1b			/* R_AARCH64_NONE: nothing to do */
	cmp	x4, #R_AARCH64_RELATIVE
	b.ne	park			/* a type this code does not apply (test_image checks) */
	add	x5, x5, x0
	add	x3, x3, x0
	str	x5, [x3]
	dc	ivac, x3
	b	1b
2:	adrp	x1, image_load_offset
	add	x1, x1, :lo12:image_load_offset
	str	x0, [x1]
	dc	ivac, x1
	dsb	sy
3:	ret
ENDFUNC(relocate)

	.section .data, "aw"
	.balign	8
	.global	image_load_offset
image_load_offset:
	.quad	0

	.section .text.boot, "ax"
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
