/* GICv3/v4 register map (Arm IHI 0069): distributor and redistributor offsets, and the CPU
 * interface (ICC_*) and hypervisor interface (ICH_*) system registers by encoding, for
 * read_sysreg_s()/write_sysreg_s(). Shared by the host driver and the virtual GIC. */
#ifndef ARCH_GICV3_REGS_H
#define ARCH_GICV3_REGS_H

/* INTID ranges. */
#define GIC_SGI_BASE	   0
#define GIC_PPI_BASE	   16
#define GIC_SPI_BASE	   32
#define GIC_NR_SGIS	   16
#define GIC_NR_PRIVATE	   32	/* SGIs + PPIs, banked in each redistributor */
#define GIC_MAX_SPI_INTID  1019 /* 1020..1023 are special */
#define GIC_INTID_SPECIAL  1020
#define GIC_INTID_SPURIOUS 1023
#define GIC_LPI_BASE	   8192

/* ---- Distributor (GICD), one 64 KiB frame ---- */
#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_TYPER2	0x000c
#define GICD_STATUSR	0x0010
#define GICD_SETSPI_NSR 0x0040
#define GICD_CLRSPI_NSR 0x0048
#define GICD_SETSPI_SR	0x0050
#define GICD_CLRSPI_SR	0x0058
/* Banked arrays, indexed by INTID: one bit, two bits or a byte per interrupt. */
#define GICD_IGROUPR(n)	   (0x0080 + 4 * ((n) / 32))
#define GICD_ISENABLER(n)  (0x0100 + 4 * ((n) / 32))
#define GICD_ICENABLER(n)  (0x0180 + 4 * ((n) / 32))
#define GICD_ISPENDR(n)	   (0x0200 + 4 * ((n) / 32))
#define GICD_ICPENDR(n)	   (0x0280 + 4 * ((n) / 32))
#define GICD_ISACTIVER(n)  (0x0300 + 4 * ((n) / 32))
#define GICD_ICACTIVER(n)  (0x0380 + 4 * ((n) / 32))
#define GICD_IPRIORITYR(n) (0x0400 + (n))
#define GICD_ITARGETSR(n)  (0x0800 + (n)) /* legacy only: RAZ/WI with affinity routing */
#define GICD_ICFGR(n)	   (0x0c00 + 4 * ((n) / 16))
#define GICD_IGRPMODR(n)   (0x0d00 + 4 * ((n) / 32))
#define GICD_NSACR(n)	   (0x0e00 + 4 * ((n) / 16))
#define GICD_SGIR	   0x0f00 /* legacy only */
#define GICD_CPENDSGIR(n)  (0x0f10 + (n))
#define GICD_SPENDSGIR(n)  (0x0f20 + (n))
#define GICD_INMIR(n)	   (0x0f80 + 4 * ((n) / 32))
#define GICD_IROUTER(n)	   (0x6000 + 8 * (n)) /* 64-bit, SPIs only (n >= 32) */
#define GICD_PIDR2	   0xffe8
#define GICD_SIZE	   0x10000

/* GICD_CTLR. Bits 0/1 mean EnableGrp0/EnableGrp1 with a single security state (DS=1, as on
 * QEMU virt without secure=on) and EnableGrp1/EnableGrp1A in the Non-secure view of a GIC with
 * two security states; setting both enables Non-secure group 1 in either case. */
#define GICD_CTLR_ENABLE_G0   (1u << 0) /* DS=1 */
#define GICD_CTLR_ENABLE_G1   (1u << 0) /* DS=0, Non-secure view */
#define GICD_CTLR_ENABLE_G1A  (1u << 1) /* DS=0, Non-secure view; EnableGrp1 when DS=1 */
#define GICD_CTLR_ENABLE_G1NS (1u << 1) /* Secure view */
#define GICD_CTLR_ENABLE_G1S  (1u << 2) /* Secure view */
#define GICD_CTLR_ARE_NS      (1u << 4) /* ARE when DS=1, ARE_NS in the Non-secure view */
#define GICD_CTLR_ARE_S	      (1u << 4) /* Secure view */
#define GICD_CTLR_ARE_NS_S    (1u << 5) /* ARE_NS as seen from the Secure view */
#define GICD_CTLR_DS	      (1u << 6)
#define GICD_CTLR_E1NWF	      (1u << 7)
#define GICD_CTLR_RWP	      (1u << 31) /* register write pending */

/* GICD_TYPER */
#define GICD_TYPER_ITLINES(t)	((t)&0x1f) /* INTIDs < 32 * (ITLines + 1), capped at 1020 */
#define GICD_TYPER_CPUNUM(t)	(((t) >> 5) & 0x7)
#define GICD_TYPER_ESPI		(1u << 8)
#define GICD_TYPER_NMI		(1u << 9)
#define GICD_TYPER_SECURITYEXTN (1u << 10)
#define GICD_TYPER_MBIS		(1u << 16)
#define GICD_TYPER_LPIS		(1u << 17)
#define GICD_TYPER_DVIS		(1u << 18)
#define GICD_TYPER_IDBITS(t)	((((t) >> 19) & 0x1f) + 1)
#define GICD_TYPER_A3V		(1u << 24)
#define GICD_TYPER_NO1N		(1u << 25)
#define GICD_TYPER_RSS		(1u << 26)

/* GICD_IROUTER: the affinity fields sit where MPIDR_EL1 has them. */
#define GICD_IROUTER_IRM      (1ull << 31) /* 1-of-N routing */
#define GICD_IROUTER_AFF_MASK 0xff00ffffffull

/* GICD_ICFGR / GICR_ICFGR<n>: the upper bit of each 2-bit field selects edge. */
#define GIC_ICFGR_EDGE 0x2u

/* PIDR2 of the distributor and of each redistributor frame. */
#define GIC_PIDR2_ARCHREV(p) (((p) >> 4) & 0xf)
#define GIC_ARCHREV_GICV3    0x3
#define GIC_ARCHREV_GICV4    0x4

/* ---- Redistributor (GICR): per CPU, an RD frame then an SGI frame (plus two VLPI frames on
 * GICv4 when GICR_TYPER.VLPIS=1), each 64 KiB ---- */
#define GICR_FRAME_SIZE 0x10000
#define GICR_SGI_OFFSET GICR_FRAME_SIZE
#define GICR_STRIDE_V3	(2 * GICR_FRAME_SIZE)
#define GICR_STRIDE_V4	(4 * GICR_FRAME_SIZE)

/* RD_base frame */
#define GICR_CTLR      0x0000
#define GICR_IIDR      0x0004
#define GICR_TYPER     0x0008 /* 64-bit */
#define GICR_STATUSR   0x0010
#define GICR_WAKER     0x0014
#define GICR_MPAMIDR   0x0018
#define GICR_PARTIDR   0x001c
#define GICR_SETLPIR   0x0040
#define GICR_CLRLPIR   0x0048
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_INVLPIR   0x00a0
#define GICR_INVALLR   0x00b0
#define GICR_SYNCR     0x00c0
#define GICR_PIDR2     0xffe8

/* VLPI_base frame (GICv4), at RD_base + 2 * 64 KiB */
#define GICR_VLPI_OFFSET (2 * GICR_FRAME_SIZE)
#define GICR_VPROPBASER	 0x0070
#define GICR_VPENDBASER	 0x0078

#define GICR_CTLR_ENABLE_LPIS (1u << 0)
#define GICR_CTLR_RWP	      (1u << 3)
#define GICR_CTLR_DPG0	      (1u << 24)
#define GICR_CTLR_DPG1NS      (1u << 25)
#define GICR_CTLR_DPG1S	      (1u << 26)
#define GICR_CTLR_UWP	      (1u << 31)

#define GICR_TYPER_PLPIS       (1ull << 0)
#define GICR_TYPER_VLPIS       (1ull << 1)
#define GICR_TYPER_DIRTY       (1ull << 2)
#define GICR_TYPER_DIRECTLPI   (1ull << 3)
#define GICR_TYPER_LAST	       (1ull << 4)
#define GICR_TYPER_DPGS	       (1ull << 5)
#define GICR_TYPER_PROCNUM(t)  (((t) >> 8) & 0xffff)
#define GICR_TYPER_AFFINITY(t) ((uint32_t)((t) >> 32)) /* Aff3.Aff2.Aff1.Aff0 */

#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)

/* SGI_base frame: the SGI/PPI half of the distributor's arrays, for INTIDs 0..31. */
#define GICR_IGROUPR0	   0x0080
#define GICR_ISENABLER0	   0x0100
#define GICR_ICENABLER0	   0x0180
#define GICR_ISPENDR0	   0x0200
#define GICR_ICPENDR0	   0x0280
#define GICR_ISACTIVER0	   0x0300
#define GICR_ICACTIVER0	   0x0380
#define GICR_IPRIORITYR(n) (0x0400 + (n))
#define GICR_ICFGR0	   0x0c00 /* SGIs: read-only, always edge */
#define GICR_ICFGR1	   0x0c04 /* PPIs */
#define GICR_IGRPMODR0	   0x0d00
#define GICR_NSACR	   0x0e00
#define GICR_INMIR0	   0x0f80

/* ---- CPU interface system registers (EL1 names; at EL2 without VHE they reach the
 * physical interface) ---- */
#define SYS_ICC_PMR_EL1	    "S3_0_C4_C6_0"
#define SYS_ICC_IAR0_EL1    "S3_0_C12_C8_0"
#define SYS_ICC_EOIR0_EL1   "S3_0_C12_C8_1"
#define SYS_ICC_HPPIR0_EL1  "S3_0_C12_C8_2"
#define SYS_ICC_BPR0_EL1    "S3_0_C12_C8_3"
#define SYS_ICC_AP0R0_EL1   "S3_0_C12_C8_4"
#define SYS_ICC_AP0R1_EL1   "S3_0_C12_C8_5"
#define SYS_ICC_AP0R2_EL1   "S3_0_C12_C8_6"
#define SYS_ICC_AP0R3_EL1   "S3_0_C12_C8_7"
#define SYS_ICC_AP1R0_EL1   "S3_0_C12_C9_0"
#define SYS_ICC_AP1R1_EL1   "S3_0_C12_C9_1"
#define SYS_ICC_AP1R2_EL1   "S3_0_C12_C9_2"
#define SYS_ICC_AP1R3_EL1   "S3_0_C12_C9_3"
#define SYS_ICC_DIR_EL1	    "S3_0_C12_C11_1"
#define SYS_ICC_RPR_EL1	    "S3_0_C12_C11_3"
#define SYS_ICC_SGI1R_EL1   "S3_0_C12_C11_5"
#define SYS_ICC_ASGI1R_EL1  "S3_0_C12_C11_6"
#define SYS_ICC_SGI0R_EL1   "S3_0_C12_C11_7"
#define SYS_ICC_IAR1_EL1    "S3_0_C12_C12_0"
#define SYS_ICC_EOIR1_EL1   "S3_0_C12_C12_1"
#define SYS_ICC_HPPIR1_EL1  "S3_0_C12_C12_2"
#define SYS_ICC_BPR1_EL1    "S3_0_C12_C12_3"
#define SYS_ICC_CTLR_EL1    "S3_0_C12_C12_4"
#define SYS_ICC_SRE_EL1	    "S3_0_C12_C12_5"
#define SYS_ICC_IGRPEN0_EL1 "S3_0_C12_C12_6"
#define SYS_ICC_IGRPEN1_EL1 "S3_0_C12_C12_7"
#define SYS_ICC_SRE_EL2	    "S3_4_C12_C9_5"

/* ICC_IAR*: the INTID is in the low 24 bits. */
#define ICC_IAR_INTID_MASK 0xffffffu

/* ICC_SRE_EL1/EL2 */
#define ICC_SRE_SRE    (1u << 0) /* use the system register interface */
#define ICC_SRE_DFB    (1u << 1)
#define ICC_SRE_DIB    (1u << 2)
#define ICC_SRE_ENABLE (1u << 3) /* EL2 only: lets EL1 set its own ICC_SRE_EL1.SRE */

/* ICC_CTLR_EL1 */
#define ICC_CTLR_CBPR	    (1u << 0)
#define ICC_CTLR_EOIMODE    (1u << 1) /* 1: EOIR only drops priority, DIR deactivates */
#define ICC_CTLR_PMHE	    (1u << 6)
#define ICC_CTLR_PRIBITS(c) ((((c) >> 8) & 0x7) + 1)
#define ICC_CTLR_IDBITS(c)  (((c) >> 11) & 0x7)
#define ICC_CTLR_SEIS	    (1u << 14)
#define ICC_CTLR_A3V	    (1u << 15)
#define ICC_CTLR_RSS	    (1u << 18) /* SGI1R.RS usable: targets with Aff0 >= 16 */
#define ICC_CTLR_EXTRANGE   (1u << 19)

#define ICC_IGRPEN_ENABLE (1u << 0)

/* ICC_SGI0R/SGI1R/ASGI1R_EL1 */
#define ICC_SGI1R_TARGET_LIST_MASK 0xffffull
#define ICC_SGI1R_AFF1_SHIFT	   16
#define ICC_SGI1R_INTID_SHIFT	   24
#define ICC_SGI1R_AFF2_SHIFT	   32
#define ICC_SGI1R_IRM		   (1ull << 40) /* to all PEs but self */
#define ICC_SGI1R_RS_SHIFT	   44
#define ICC_SGI1R_AFF3_SHIFT	   48

/* ---- Hypervisor interface (virtual CPU interface control) ---- */
#define SYS_ICH_AP0R0_EL2 "S3_4_C12_C8_0"
#define SYS_ICH_AP0R1_EL2 "S3_4_C12_C8_1"
#define SYS_ICH_AP0R2_EL2 "S3_4_C12_C8_2"
#define SYS_ICH_AP0R3_EL2 "S3_4_C12_C8_3"
#define SYS_ICH_AP1R0_EL2 "S3_4_C12_C9_0"
#define SYS_ICH_AP1R1_EL2 "S3_4_C12_C9_1"
#define SYS_ICH_AP1R2_EL2 "S3_4_C12_C9_2"
#define SYS_ICH_AP1R3_EL2 "S3_4_C12_C9_3"
#define SYS_ICH_HCR_EL2	  "S3_4_C12_C11_0"
#define SYS_ICH_VTR_EL2	  "S3_4_C12_C11_1"
#define SYS_ICH_MISR_EL2  "S3_4_C12_C11_2"
#define SYS_ICH_EISR_EL2  "S3_4_C12_C11_3"
#define SYS_ICH_ELRSR_EL2 "S3_4_C12_C11_5"
#define SYS_ICH_VMCR_EL2  "S3_4_C12_C11_7"
#define SYS_ICH_LR0_EL2	  "S3_4_C12_C12_0"
#define SYS_ICH_LR1_EL2	  "S3_4_C12_C12_1"
#define SYS_ICH_LR2_EL2	  "S3_4_C12_C12_2"
#define SYS_ICH_LR3_EL2	  "S3_4_C12_C12_3"
#define SYS_ICH_LR4_EL2	  "S3_4_C12_C12_4"
#define SYS_ICH_LR5_EL2	  "S3_4_C12_C12_5"
#define SYS_ICH_LR6_EL2	  "S3_4_C12_C12_6"
#define SYS_ICH_LR7_EL2	  "S3_4_C12_C12_7"
#define SYS_ICH_LR8_EL2	  "S3_4_C12_C13_0"
#define SYS_ICH_LR9_EL2	  "S3_4_C12_C13_1"
#define SYS_ICH_LR10_EL2  "S3_4_C12_C13_2"
#define SYS_ICH_LR11_EL2  "S3_4_C12_C13_3"
#define SYS_ICH_LR12_EL2  "S3_4_C12_C13_4"
#define SYS_ICH_LR13_EL2  "S3_4_C12_C13_5"
#define SYS_ICH_LR14_EL2  "S3_4_C12_C13_6"
#define SYS_ICH_LR15_EL2  "S3_4_C12_C13_7"

/* ICH_HCR_EL2 */
#define ICH_HCR_EN	       (1u << 0)
#define ICH_HCR_UIE	       (1u << 1) /* maintenance IRQ when <= 1 LR holds a valid entry */
#define ICH_HCR_LRENPIE	       (1u << 2) /* ... while EOIcount != 0 */
#define ICH_HCR_NPIE	       (1u << 3) /* ... while no LR is pending */
#define ICH_HCR_VGRP0EIE       (1u << 4)
#define ICH_HCR_VGRP0DIE       (1u << 5)
#define ICH_HCR_VGRP1EIE       (1u << 6)
#define ICH_HCR_VGRP1DIE       (1u << 7)
#define ICH_HCR_TC	       (1u << 10) /* trap common EL1 ICC accesses */
#define ICH_HCR_TALL0	       (1u << 11)
#define ICH_HCR_TALL1	       (1u << 12)
#define ICH_HCR_TSEI	       (1u << 13)
#define ICH_HCR_TDIR	       (1u << 14)
#define ICH_HCR_DVIM	       (1u << 15)
#define ICH_HCR_EOICOUNT_SHIFT 27
#define ICH_HCR_EOICOUNT_MASK  (0x1fu << ICH_HCR_EOICOUNT_SHIFT)

/* ICH_VTR_EL2 */
#define ICH_VTR_LISTREGS(v) (((v)&0x1f) + 1)
#define ICH_VTR_TDS	    (1u << 19)
#define ICH_VTR_NV4	    (1u << 20) /* no direct injection of vLPIs */
#define ICH_VTR_A3V	    (1u << 21)
#define ICH_VTR_SEIS	    (1u << 22)
#define ICH_VTR_IDBITS(v)   (((v) >> 23) & 0x7)
#define ICH_VTR_PREBITS(v)  ((((v) >> 26) & 0x7) + 1)
#define ICH_VTR_PRIBITS(v)  ((((v) >> 29) & 0x7) + 1)

/* ICH_VMCR_EL2: the guest's view of ICC_PMR/BPR/CTLR/IGRPEN while it is not running. */
#define ICH_VMCR_VENG0	     (1u << 0)
#define ICH_VMCR_VENG1	     (1u << 1)
#define ICH_VMCR_VACKCTL     (1u << 2)
#define ICH_VMCR_VFIQEN	     (1u << 3)
#define ICH_VMCR_VCBPR	     (1u << 4)
#define ICH_VMCR_VEOIM	     (1u << 9)
#define ICH_VMCR_VBPR1_SHIFT 18
#define ICH_VMCR_VBPR1_MASK  (0x7u << ICH_VMCR_VBPR1_SHIFT)
#define ICH_VMCR_VBPR0_SHIFT 21
#define ICH_VMCR_VBPR0_MASK  (0x7u << ICH_VMCR_VBPR0_SHIFT)
#define ICH_VMCR_VPMR_SHIFT  24
#define ICH_VMCR_VPMR_MASK   (0xffu << ICH_VMCR_VPMR_SHIFT)

/* ICH_MISR_EL2: why the maintenance interrupt fired. */
#define ICH_MISR_EOI	(1u << 0)
#define ICH_MISR_U	(1u << 1)
#define ICH_MISR_LRENP	(1u << 2)
#define ICH_MISR_NP	(1u << 3)
#define ICH_MISR_VGRP0E (1u << 4)
#define ICH_MISR_VGRP0D (1u << 5)
#define ICH_MISR_VGRP1E (1u << 6)
#define ICH_MISR_VGRP1D (1u << 7)

/* ICH_LR<n>_EL2 */
#define ICH_LR_VINTID_MASK    0xffffffffull
#define ICH_LR_PINTID_SHIFT   32 /* with HW=1: the physical INTID deactivated with the virtual */
#define ICH_LR_PINTID_MASK    (0x1fffull << ICH_LR_PINTID_SHIFT)
#define ICH_LR_EOI	      (1ull << 41) /* with HW=0: maintenance IRQ on guest EOI */
#define ICH_LR_PRIORITY_SHIFT 48
#define ICH_LR_PRIORITY_MASK  (0xffull << ICH_LR_PRIORITY_SHIFT)
#define ICH_LR_NMI	      (1ull << 59)
#define ICH_LR_GROUP	      (1ull << 60) /* 1: group 1 */
#define ICH_LR_HW	      (1ull << 61)
#define ICH_LR_STATE_SHIFT    62
#define ICH_LR_STATE_MASK     (3ull << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_PENDING  (1ull << ICH_LR_STATE_SHIFT)
#define ICH_LR_STATE_ACTIVE   (2ull << ICH_LR_STATE_SHIFT)

#endif
