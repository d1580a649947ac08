/* The measured code of the benchmark guest. Every routine comes in two clocks:
 *   _pmu  PMCCNTR_EL0 (one count per instruction under QEMU -icount shift=0, EL2 included
 *         when PMCCFILTR_EL0.NSH is set): each call gives an exact count;
 *   _cnt  CNTVCT_EL0 (one tick per 16 instructions under shift=0): the caller runs it with
 *         k = 0..15, which puts the window's first read at 16 different phases of the tick (see
 *         phase_sync) and adds the 16 deltas: the sum is exactly the number of instructions
 *         between the two reads (Hermite's identity: sum over k of floor((x + k) / 16) = x).
 * The registers x9-x16 belong to the measurement: the IRQ vector below writes x10-x12 and x14
 * and returns to the address in x15 (the code it interrupts is always one of these routines,
 * spinning or in WFI). */
#include <arch/asm.h>

#define ICC_SGI1R_EL1 S3_0_C12_C11_5
#define ICC_IAR1_EL1  S3_0_C12_C12_0
#define ICC_EOIR1_EL1 S3_0_C12_C12_1

/* Phase synchronisation for the CNTVCT clock: 16 back-to-back counter reads see exactly one
 * tick edge, so the number j of reads equal to the first tells the phase of the first read
 * (16 - j, mod 16) exactly. A sled of (k + j) mod 16 nops then puts every later instruction at
 * a phase that is a fixed constant plus k: over k = 0..15 the window's first read meets each
 * phase once. Leaves x16 = sled entry, x21 = ticks spanned by the reads (> 1: something
 * interrupted them, the sample is void). \kreg must be x19 or above; clobbers x1-x17. */
.macro phase_sync kreg
	mrs	x2, cntvct_el0
	mrs	x3, cntvct_el0
	mrs	x4, cntvct_el0
	mrs	x5, cntvct_el0
	mrs	x6, cntvct_el0
	mrs	x7, cntvct_el0
	mrs	x8, cntvct_el0
	mrs	x9, cntvct_el0
	mrs	x10, cntvct_el0
	mrs	x11, cntvct_el0
	mrs	x12, cntvct_el0
	mrs	x13, cntvct_el0
	mrs	x14, cntvct_el0
	mrs	x15, cntvct_el0
	mrs	x16, cntvct_el0
	mrs	x17, cntvct_el0
	mov	x1, #1
	.irp	r, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17
	cmp	x\r, x2
	cinc	x1, x1, eq
	.endr
	sub	x21, x17, x2
	add	x1, x1, \kreg
	and	x1, x1, #15
	adr	x16, 8f
	sub	x16, x16, x1, lsl #2
.endm
.macro sled_run
	br	x16
	.rept	15
	nop
	.endr
8:
.endm

.macro push_regs
	stp	x19, x20, [sp, #-48]!
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
.endm
.macro pop_regs
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x19, x20, [sp], #48
.endm
/* x0 = ~0 when the phase synchronisation was interrupted. */
.macro void_if_interrupted
	cmp	x21, #1
	csinv	x0, x0, xzr, ls
.endm

/* uint64_t bm_<name>_<clk>(uint64_t k, uint64_t arg): counter delta around one `op`; `setup`
 * runs before, outside the window, with x17 = arg. k: the phase (cnt only). */
.macro opfn name, clk, reg, sync, setup, op
FUNC(bm_\name\()_\clk)
	push_regs
	mov	x19, x1
	mov	x20, x0
	mov	x21, #0
	.if	\sync
	phase_sync x20
	.endif
	mov	x17, x19
	\setup
	.if	\sync
	sled_run
	.endif
	mrs	x22, \reg
	\op
	mrs	x23, \reg
	sub	x0, x23, x22
	void_if_interrupted
	pop_regs
	ret
ENDFUNC(bm_\name\()_\clk)
.endm

/* uint64_t bm_sgi_self_<clk>(uint64_t k, uint64_t sgi1r, uint64_t out[2]): from the counter
 * read just before the ICC_SGI1R_EL1 write to the read in the IRQ vector; out = {counter delta
 * around IAR read + EOI write, IAR value}. The vCPU must use bm_vectors_<clk>. */
.macro sgifn clk, reg, sync
FUNC(bm_sgi_self_\clk)
	push_regs
	mov	x19, x1
	mov	x20, x0
	mov	x24, x2
	mov	x21, #0
	msr	daifclr, #2
	isb
	.if	\sync
	phase_sync x20
	.endif
	mov	x17, x19
	mov	x13, #0			/* no nops in the vector: the phase is set here */
	adr	x15, 7f
	.if	\sync
	sled_run
	.endif
	mrs	x9, \reg
	msr	ICC_SGI1R_EL1, x17
6:	b	6b			/* the IRQ returns to 7f */
7:	msr	daifset, #2
	sub	x0, x10, x9
	stp	x11, x12, [x24]
	void_if_interrupted
	pop_regs
	ret
ENDFUNC(bm_sgi_self_\clk)

/* uint64_t bm_runs_<clk>(uint64_t *buf, uint64_t n, uint64_t gap, uint64_t limit): spins
 * reading the counter and records n runs {first, last read} that end in a gap (a delta > gap:
 * the vCPU was not running); returns how many it recorded before the counter passed `limit`
 * reads after the start. A loop is 7 instructions. */
FUNC(bm_runs_\clk)
	mrs	x4, \reg
	add	x9, x4, x3		/* the end: start + limit */
	mov	x3, x4
	mov	x5, #0
1:	mrs	x6, \reg
	sub	x7, x6, x3
	mov	x3, x6
	cmp	x7, x2
	b.hi	2f
	cmp	x6, x9
	b.lo	1b
	b	3f
2:	sub	x8, x6, x7
	stp	x4, x8, [x0], #16
	mov	x4, x6
	add	x5, x5, #1
	cmp	x5, x1
	b.lo	1b
3:	mov	x0, x5
	ret
ENDFUNC(bm_runs_\clk)
.endm

.macro allops clk, reg, sync
	opfn	nop, \clk, \reg, \sync, "nop", "nop"
	opfn	hvc_smccc, \clk, \reg, \sync, "mov w0, #0x80000000", "hvc #0"
	opfn	hvc_psci, \clk, \reg, \sync, "mov w0, #0x84000000", "hvc #0"
	opfn	mmio_read, \clk, \reg, \sync, "mov x1, x17", "ldr w2, [x1]"
	opfn	mmio_write, \clk, \reg, \sync, "mov x1, x17; ldr w2, [x1]", "str w2, [x1]"
	sgifn	\clk, \reg, \sync
.endm

	.text
	allops	pmu, pmccntr_el0, 0
	allops	cnt, cntvct_el0, 1

/* uint64_t bm_vtimer(uint64_t k, uint64_t ticks, uint64_t out[2], uint64_t wfi): arms the
 * virtual timer `ticks` ahead, then spins (wfi = 0) or waits in WFI; returns the CNTVCT read in
 * the vector minus CVAL. The vector runs k nops first (bm_vectors_cnt): the caller sums
 * k = 0..15. out as for bm_sgi_self. */
FUNC(bm_vtimer)
	mov	x13, x0
	adr	x15, 7f
	msr	daifclr, #2
	mrs	x9, cntvct_el0
	add	x9, x9, x1
	msr	cntv_cval_el0, x9
	mov	x16, #1
	msr	cntv_ctl_el0, x16
	isb
	cbnz	x3, 5f
6:	b	6b
5:	wfi
	b	5b
7:	msr	daifset, #2
	sub	x0, x10, x9
	stp	x11, x12, [x2]
	ret
ENDFUNC(bm_vtimer)

/* uint64_t bm_ptimer(uint64_t k, uint64_t ticks, uint64_t out[2], uint64_t wfi): bm_vtimer for
 * the EL1 physical timer (bm_vectors_pcnt). Its CVAL is in CNTPCT units and the vector reads
 * CNTVCT: the offset between the two counters is taken from reads within one counter tick
 * (zero under ZVM and natively, not under Xen), and CVAL is converted with it. */
FUNC(bm_ptimer)
	mov	x13, x0
	adr	x15, 7f
	msr	daifclr, #2
1:	mrs	x9, cntpct_el0
	mrs	x14, cntvct_el0
	mrs	x16, cntpct_el0
	cmp	x9, x16
	b.ne	1b
	sub	x14, x14, x9
	add	x9, x9, x1
	msr	cntp_cval_el0, x9
	add	x9, x9, x14
	mov	x16, #1
	msr	cntp_ctl_el0, x16
	isb
	cbnz	x3, 5f
6:	b	6b
5:	wfi
	b	5b
7:	msr	daifset, #2
	sub	x0, x10, x9
	stp	x11, x12, [x2]
	ret
ENDFUNC(bm_ptimer)

/* uint64_t bm_sgi_send_cnt(uint64_t k, uint64_t sgi1r): CNTVCT just before the SGI write, or
 * 0 if the phase synchronisation was interrupted. The yield right after hands QEMU's round
 * robin to the next CPU at once, as a real sender would run in parallel. */
FUNC(bm_sgi_send_cnt)
	push_regs
	mov	x19, x1
	mov	x20, x0
	phase_sync x20
	mov	x17, x19
	sled_run
	mrs	x0, cntvct_el0
	msr	ICC_SGI1R_EL1, x17
	yield
	cmp	x21, #1
	csel	x0, x0, xzr, ls
	pop_regs
	ret
ENDFUNC(bm_sgi_send_cnt)

/* void bm_remote_wait(volatile uint64_t *ready, uint64_t out[2], uint64_t wfi): the receiving
 * vCPU (bm_vectors_cnt): says it is ready, waits for an interrupt spinning or in WFI;
 * out = {CNTVCT read in the vector, IAR}. */
FUNC(bm_remote_wait)
	mov	x13, #0
	adr	x15, 7f
	msr	daifclr, #2
	mov	x16, #1
	dsb	sy
	str	x16, [x0]
	dsb	sy
	cbnz	x2, 5f
6:	yield			/* under QEMU's round robin, lets the sender's CPU run */
	b	6b
5:	wfi
	b	5b
7:	msr	daifset, #2
	stp	x10, x12, [x1]
	ret
ENDFUNC(bm_remote_wait)

/* ---- vectors: everything but IRQ goes to the runtime's own (zt_vectors) ---- */
.macro tozt off
	.balign	0x80
	b	zt_vectors + \off
.endm

/* The IRQ vector's tail: times IAR + EOI, with the timer under test (stop: its CTL register)
 * stopped in between (its line is level: stopped before the IAR read, the interrupt would be
 * gone natively; left running, it would come back after the EOI), then returns to the
 * routine's continuation (x15). x10 holds the counter read at the vector. */
.macro irqtail name, reg, stop
bm_irq_tail_\name:
	mrs	x11, \reg
	mrs	x12, ICC_IAR1_EL1
	msr	\stop, xzr
	msr	ICC_EOIR1_EL1, x12
	mrs	x14, \reg
	sub	x11, x14, x11
	msr	elr_el1, x15
	eret
.endm

	.balign	0x800
	.global bm_vectors_pmu
bm_vectors_pmu:
	tozt	0x000
	tozt	0x080
	tozt	0x100
	tozt	0x180
	tozt	0x200
	.balign	0x80			/* 0x280: IRQ, current EL with SP_ELx */
	mrs	x10, pmccntr_el0	/* the handler's first instruction reads the counter */
	b	bm_irq_tail_pmu
	tozt	0x300
	tozt	0x380
	tozt	0x400
	tozt	0x480
	tozt	0x500
	tozt	0x580
	tozt	0x600
	tozt	0x680
	tozt	0x700
	tozt	0x780
	irqtail	pmu, pmccntr_el0, cntv_ctl_el0

/* A table whose IRQ vector runs x13 nops, then reads CNTVCT, then stops the timer named by
 * stop (the caller sums k = 0..15 nops for a count finer than a counter tick). */
.macro cntvectors name, stop
	.balign	0x800
	.global bm_vectors_\name
bm_vectors_\name:
	tozt	0x000
	tozt	0x080
	tozt	0x100
	tozt	0x180
	tozt	0x200
	.balign	0x80			/* 0x280: IRQ: x13 nops, then the counter read */
	adr	x16, 1f
	sub	x16, x16, x13, lsl #2
	br	x16
	.rept	15
	nop
	.endr
1:	mrs	x10, cntvct_el0
	b	bm_irq_tail_\name
	tozt	0x300
	tozt	0x380
	tozt	0x400
	tozt	0x480
	tozt	0x500
	tozt	0x580
	tozt	0x600
	tozt	0x680
	tozt	0x700
	tozt	0x780
	irqtail	\name, cntvct_el0, \stop
.endm

	cntvectors cnt, cntv_ctl_el0	/* bm_vectors_cnt: the virtual timer, SGIs */
	cntvectors pcnt, cntp_ctl_el0	/* bm_vectors_pcnt: the physical timer */

/* void bm_nops_100(void): 100 nops, to see whether the PMU counts. */
FUNC(bm_nops_100)
	.rept	100
	nop
	.endr
	ret
ENDFUNC(bm_nops_100)
