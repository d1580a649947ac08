/* Turning the kernel's MMU on (at EL2 or EL1: include/arch/el.h), and the cache maintenance the
 * page tables need before that. SCTLR: M (MMU), C (data cache), SA (stack alignment check),
 * I (instruction cache) and WXN (writable implies execute-never). A stays 0. */
#include <arch/asm.h>
#include <arch/el.h>

	.text
/* void mmu_enable(uint64_t ttbr0, uint64_t tcr, uint64_t mair) */
FUNC(mmu_enable)
	msr	MAIR_ELx, x2
	msr	TCR_ELx, x1
	msr	TTBR0_ELx, x0
	isb
	TLBI_ALL
	ic	iallu
	dsb	nsh
	isb
	ldr	x3, =SCTLR_ELx_ON
	msr	SCTLR_ELx, x3
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
