/* Turning the EL2 MMU on, and the cache maintenance the page tables need before that. */
#include <arch/asm.h>

/* SCTLR_EL2: RES1 bits plus M (MMU), C (data cache), SA (stack alignment check),
 * I (instruction cache) and WXN (writable implies execute-never). A stays 0. */
#define SCTLR_EL2_RES1 0x30c50830
#define SCTLR_EL2_ON   (SCTLR_EL2_RES1 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 12) | (1 << 19))

	.text
/* void mmu_enable(uint64_t ttbr0, uint64_t tcr, uint64_t mair) */
FUNC(mmu_enable)
	msr	mair_el2, x2
	msr	tcr_el2, x1
	msr	ttbr0_el2, x0
	isb
	tlbi	alle2
	ic	iallu
	dsb	nsh
	isb
	ldr	x3, =SCTLR_EL2_ON
	msr	sctlr_el2, x3
	isb
	ret
ENDFUNC(mmu_enable)

/* void dcache_clean_range(uintptr_t start, size_t size): clean to the point of coherency, so a
 * CPU whose MMU (and so its cache) is still off reads what this CPU wrote. */
FUNC(dcache_clean_range)
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine: log2 of words */
	mov	x2, #4
	lsl	x2, x2, x3		/* line size in bytes */
	add	x1, x0, x1
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	cvac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy
	ret
ENDFUNC(dcache_clean_range)
