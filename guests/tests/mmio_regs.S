/* MMIO through every general register: the hypervisor decodes the register from the syndrome
 * (ESR_EL2.SRT) and must read or write exactly that one, leaving all others as they were,
 * whichever path it takes for it (ZVM saves x19-x29 only for some). */
#include <arch/asm.h>

#define PATTERN(i) (0x5a00 + (i))

/* Every register but the base, x0 (x1 when n = 0), set to PATTERN(its number). */
.macro fill base
	.irp i, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	.if \i != \base
	mov	x\i, #PATTERN(\i)
	.endif
	.endr
.endm

/* The 31 registers onto the 256-byte area at sp. */
.macro dump
	stp	x0, x1, [sp, #0]
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
.endm

/* One case, 256 bytes apart so the caller jumps to case n at n << 8. */
.macro load_case n
	.balign 256
	.if \n == 0
	mov	x1, x0
	fill	1
	ldr	w0, [x1]
	.else
	fill	0
	ldr	w\n, [x0]
	.endif
	dump
	b	9f
.endm

.macro store_case n
	.balign 256
	.if \n == 0
	mov	x1, x0
	fill	1
	ldr	x0, [sp, #256]
	str	w0, [x1]
	.else
	fill	0
	ldr	x\n, [sp, #256]
	str	w\n, [x0]
	.endif
	dump
	b	9f
.endm

/* Saves x19-x30 and the arguments; x2 = case index. */
.macro enter
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x1, [sp, #96]		/* out */
	sub	sp, sp, #272		/* the dump area, then the value to store at sp + 256 */
	str	x3, [sp, #256]
	and	x2, x2, #31
.endm

/* Copies the dump to out[0..30], restores x19-x30, returns. */
.macro leave
9:	ldr	x1, [sp, #(272 + 96)]
	mov	x2, #0
8:	ldr	x3, [sp, x2, lsl #3]
	str	x3, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #31
	b.ne	8b
	add	sp, sp, #272
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret
.endm

	.text
/* void zt_mmio_load_regs(uint64_t addr, uint64_t out[31], unsigned n): `ldr wN, [addr]` with
 * every other register (but the base) holding PATTERN(its number); out gets x0..x30 as they
 * were right after the load. */
FUNC(zt_mmio_load_regs)
	enter
	adr	x9, 1f
	add	x9, x9, x2, lsl #8
	br	x9
	.balign 256
1:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	load_case \n
	.endr
	leave
ENDFUNC(zt_mmio_load_regs)

/* void zt_mmio_store_regs(uint64_t addr, uint64_t out[31], unsigned n, uint32_t val):
 * `str wN, [addr]` with xN = val, the others as above; out as above. */
FUNC(zt_mmio_store_regs)
	enter
	adr	x9, 1f
	add	x9, x9, x2, lsl #8
	br	x9
	.balign 256
1:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	store_case \n
	.endr
	leave
ENDFUNC(zt_mmio_store_regs)
