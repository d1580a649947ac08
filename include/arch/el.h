/* The exception level the kernel image runs at, and everything that differs with it. The same
 * kernel is built twice (Makefile): with ARCH_EL=2 as the hypervisor host (build/zvm.bin) and
 * with ARCH_EL=1 as the RTOS guest (build/rtos/rtos.bin). C and assembly name the level-specific
 * registers and constants through this header only; code that is wholly level-specific lives in
 * arch/arm64/el1/ and arch/arm64/el2/. Usable from assembly. */
#ifndef ARCH_EL_H
#define ARCH_EL_H

#ifndef ARCH_EL
#error "ARCH_EL must be 1 or 2 (set by the Makefile)"
#endif

#if ARCH_EL == 2
#define EL_NAME	      "EL2"
#define EL_LOWER_NAME "EL1"
#define EL_IMAGE_NAME "ZVM"
#define EL_ROLE	      "hypervisor"
#define EL_PROMPT     "zvm_host:~# "

#define ELR_ELx	   elr_el2
#define SPSR_ELx   spsr_el2
#define ESR_ELx	   esr_el2
#define FAR_ELx	   far_el2
#define VBAR_ELx   vbar_el2
#define TPIDR_ELx  tpidr_el2 /* this CPU's struct cpu; a guest cannot touch it */
#define SCTLR_ELx  sctlr_el2
#define TCR_ELx	   tcr_el2
#define MAIR_ELx   mair_el2
#define TTBR0_ELx  ttbr0_el2
#define TLBI_ALL   tlbi alle2
#define EL_TLBI_VA "vae2is" /* one page of this regime, every CPU */

/* SCTLR_EL2: RES1 bits plus M, C, SA, I and WXN (writable implies execute-never). */
#define SCTLR_ELx_ON (0x30c50830 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 12) | (1 << 19))

/* Timer: the EL2 physical timer (CNTHP) as the event source, the physical count as the clock;
 * the EL1 timers are the guests'. */
#define EL_COUNTER    cntpct_el0
#define EL_TIMER_CTL  cnthp_ctl_el2
#define EL_TIMER_CVAL cnthp_cval_el2
#define EL_TIMER_IDX  BOARD_TIMER_HYP /* which interrupt of the DT timer node */

/* GICv3: SRE for ourselves, Enable so a guest's EL1 may choose the system registers too. */
#define EL_ICC_SRE	"S3_4_C12_C9_5" /* ICC_SRE_EL2 */
#define EL_ICC_SRE_BITS (1u << 0 | 1u << 3)

/* Stage-1 regime of EL2 (no VHE): one privilege level, so AP[1] is RES1; bit 54 is XN. */
#define EL_DESC_AP_KERNEL (1ULL << 6)
#define EL_DESC_XN_CODE	  0ULL
#define EL_DESC_XN_DATA	  (1ULL << 54)
/* TCR_EL2: RES1 bits 31 and 23, T0SZ=16, WBWA inner/outer, inner shareable, 4 KiB; PS at 16. */
#define EL_TCR_BASE	((1ULL << 31) | (1ULL << 23) | 16 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12))
#define EL_TCR_PS_SHIFT 16

#elif ARCH_EL == 1
#define EL_NAME	      "EL1"
#define EL_LOWER_NAME "EL0"
#define EL_IMAGE_NAME "ZVM RTOS"
#define EL_ROLE	      "RTOS"
#define EL_PROMPT     "zvm_rtos:~# "

#define ELR_ELx	      elr_el1
#define SPSR_ELx      spsr_el1
#define ESR_ELx	      esr_el1
#define FAR_ELx	      far_el1
#define VBAR_ELx      vbar_el1
#define TPIDR_ELx     tpidr_el1 /* EL0 never runs, so nothing else can write it */
#define SCTLR_ELx     sctlr_el1
#define TCR_ELx	      tcr_el1
#define MAIR_ELx      mair_el1
#define TTBR0_ELx     ttbr0_el1
#define TLBI_ALL      tlbi vmalle1
#define EL_TLBI_VA    "vaae1is" /* one page, any ASID, every CPU */

/* SCTLR_EL1: RES1 bits (v8.0: 11, 20, 22, 23, 28, 29) plus M, C, SA, I and WXN. */
#define SCTLR_ELx_ON  (0x30d00800 | (1 << 0) | (1 << 2) | (1 << 3) | (1 << 12) | (1 << 19))

/* Timer: the EL1 virtual timer against the virtual count, which is what a hypervisor lets a
 * guest own (CNTVOFF applies to both, so deadlines and clock agree). */
#define EL_COUNTER    cntvct_el0
#define EL_TIMER_CTL  cntv_ctl_el0
#define EL_TIMER_CVAL cntv_cval_el0
#define EL_TIMER_IDX  BOARD_TIMER_VIRT

#define EL_ICC_SRE	  "S3_0_C12_C12_5" /* ICC_SRE_EL1 */
#define EL_ICC_SRE_BITS	  (1u << 0)

/* Stage-1 EL1&0 regime: AP[1]=0 keeps every page away from EL0; PXN (53) and UXN (54) are
 * separate, so code is UXN only and everything else both (W^X holds with SCTLR.WXN too). */
#define EL_DESC_AP_KERNEL 0ULL
#define EL_DESC_XN_CODE	  (1ULL << 54)
#define EL_DESC_XN_DATA	  ((1ULL << 53) | (1ULL << 54))
/* TCR_EL1: T0SZ=16, WBWA inner/outer, inner shareable, 4 KiB, EPD1 (no TTBR1 walks); IPS at
 * 32. */
#define EL_TCR_BASE	  ((1ULL << 23) | 16 | (1ULL << 8) | (1ULL << 10) | (3ULL << 12))
#define EL_TCR_PS_SHIFT	  32

#else
#error "ARCH_EL must be 1 or 2"
#endif

#ifndef __ASSEMBLY__
/* Per CPU, first thing after entry (arch/arm64/el{1,2}/cpu_setup.c): vectors, the per-CPU
 * pointer, and (at EL2) the traps and timer access the host needs. */
void el_cpu_setup(unsigned cpu);
#endif

#endif
