/* Default guest device layout. These are the addresses ZVM presents to its guests (see
 * include/zvm/vdev/vgic.h for the GIC) and also QEMU virt's own layout, so the same image runs
 * under ZVM and natively. Every value here is only a fallback: the runtime reads the real ones
 * from the DTB (/intc, /pl011, /memory, /cpus, /psci) when the DTB provides them. */
#ifndef ZT_PLATFORM_H
#define ZT_PLATFORM_H

#ifdef __ASSEMBLER__
#define ZT_UL(x) x
#else
#define ZT_UL(x) x##ULL
#endif

#define ZT_RAM_BASE	ZT_UL(0x40000000) /* guest RAM at IPA 0x40000000 */
#define ZT_IMAGE_BASE	ZT_UL(0x40080000) /* RAM base + text_offset 0x80000 */
#define ZT_GICD_BASE	ZT_UL(0x08000000) /* = VGIC_DIST_BASE */
#define ZT_GICR_BASE	ZT_UL(0x080a0000) /* = VGIC_REDIST_BASE, 0x20000 per vCPU */
#define ZT_GICR_STRIDE	ZT_UL(0x20000)	  /* RD frame + SGI frame (GICv3, no VLPI frames) */
#define ZT_UART_BASE	ZT_UL(0x09000000) /* PL011 */
#define ZT_UART_INTID	33		  /* SPI 1, level */
#define ZT_VTIMER_INTID 27		  /* virtual timer PPI */
#define ZT_PTIMER_INTID 30		  /* EL1 physical timer PPI */

#define ZT_MAX_CPUS   8
#define ZT_STACK_SIZE 0x4000

/* SPIs the gic test set plays with: high enough to be clear of every device's line (ZVM and
 * QEMU virt use SPIs below 64), low enough to exist with VGIC_NR_SPIS = 96 (INTIDs < 128). */
#define ZT_TEST_SPI_BASE 100

#endif
