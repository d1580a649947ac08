/* PSCI (Arm DEN 0022, up to 1.1) and SMCCC (Arm DEN 0028) function IDs and return codes, for
 * the host's PSCI client and the guests' virtual PSCI. IDs with address or MPIDR arguments come
 * in an SMC32 (0x84...) and an SMC64 (0xC4...) form; a 64-bit caller should use the latter. */
#ifndef ARCH_PSCI_DEFS_H
#define ARCH_PSCI_DEFS_H

/* ---- SMCCC ---- */
#define SMCCC_VERSION		0x80000000u
#define SMCCC_ARCH_FEATURES	0x80000001u
#define SMCCC_ARCH_SOC_ID	0x80000002u
#define SMCCC_ARCH_WORKAROUND_1 0x80008000u
#define SMCCC_ARCH_WORKAROUND_2 0x80007fffu
#define SMCCC_ARCH_WORKAROUND_3 0x80003fffu

#define SMCCC_SUCCESS		0
#define SMCCC_NOT_SUPPORTED	(-1)
#define SMCCC_NOT_REQUIRED	(-2)
#define SMCCC_INVALID_PARAMETER (-3)

/* Function ID fields: bit 31 fast call, bit 30 SMC64, bits 29:24 owning entity. */
#define SMCCC_FAST_CALL	     (1u << 31)
#define SMCCC_64BIT	     (1u << 30)
#define SMCCC_OWNER(fid)     (((fid) >> 24) & 0x3f)
#define SMCCC_OWNER_ARCH     0
#define SMCCC_OWNER_STANDARD 4 /* PSCI lives here */
#define SMCCC_OWNER_HYP	     5
#define SMCCC_FUNC_NUM(fid)  ((fid)&0xffff)

/* SMCCC_VERSION and PSCI_VERSION results: major in bits 30:16, minor in 15:0. */
#define SMCCC_VERSION_MAJOR(v)	(((v) >> 16) & 0x7fff)
#define SMCCC_VERSION_MINOR(v)	((v)&0xffff)
#define PSCI_VERSION_MAJOR(v)	(((v) >> 16) & 0x7fff)
#define PSCI_VERSION_MINOR(v)	((v)&0xffff)
#define PSCI_MK_VERSION(ma, mi) (((ma) << 16) | (mi))

/* ---- PSCI function IDs ---- */
#define PSCI_0_2_FN_BASE   0x84000000u
#define PSCI_0_2_FN64_BASE 0xc4000000u
#define PSCI_0_2_FN(n)	   (PSCI_0_2_FN_BASE + (n))
#define PSCI_0_2_FN64(n)   (PSCI_0_2_FN64_BASE + (n))

#define PSCI_VERSION		    PSCI_0_2_FN(0x00)
#define PSCI_CPU_SUSPEND	    PSCI_0_2_FN(0x01)
#define PSCI_CPU_SUSPEND_64	    PSCI_0_2_FN64(0x01)
#define PSCI_CPU_OFF		    PSCI_0_2_FN(0x02)
#define PSCI_CPU_ON		    PSCI_0_2_FN(0x03)
#define PSCI_CPU_ON_64		    PSCI_0_2_FN64(0x03)
#define PSCI_AFFINITY_INFO	    PSCI_0_2_FN(0x04)
#define PSCI_AFFINITY_INFO_64	    PSCI_0_2_FN64(0x04)
#define PSCI_MIGRATE		    PSCI_0_2_FN(0x05)
#define PSCI_MIGRATE_64		    PSCI_0_2_FN64(0x05)
#define PSCI_MIGRATE_INFO_TYPE	    PSCI_0_2_FN(0x06)
#define PSCI_MIGRATE_INFO_UP_CPU    PSCI_0_2_FN(0x07)
#define PSCI_MIGRATE_INFO_UP_CPU_64 PSCI_0_2_FN64(0x07)
#define PSCI_SYSTEM_OFF		    PSCI_0_2_FN(0x08)
#define PSCI_SYSTEM_RESET	    PSCI_0_2_FN(0x09)
/* PSCI 1.0 */
#define PSCI_FEATURES		    PSCI_0_2_FN(0x0a)
#define PSCI_CPU_FREEZE		    PSCI_0_2_FN(0x0b)
#define PSCI_CPU_DEFAULT_SUSPEND    PSCI_0_2_FN(0x0c)
#define PSCI_CPU_DEFAULT_SUSPEND_64 PSCI_0_2_FN64(0x0c)
#define PSCI_NODE_HW_STATE	    PSCI_0_2_FN(0x0d)
#define PSCI_NODE_HW_STATE_64	    PSCI_0_2_FN64(0x0d)
#define PSCI_SYSTEM_SUSPEND	    PSCI_0_2_FN(0x0e)
#define PSCI_SYSTEM_SUSPEND_64	    PSCI_0_2_FN64(0x0e)
#define PSCI_SET_SUSPEND_MODE	    PSCI_0_2_FN(0x0f)
#define PSCI_STAT_RESIDENCY	    PSCI_0_2_FN(0x10)
#define PSCI_STAT_RESIDENCY_64	    PSCI_0_2_FN64(0x10)
#define PSCI_STAT_COUNT		    PSCI_0_2_FN(0x11)
#define PSCI_STAT_COUNT_64	    PSCI_0_2_FN64(0x11)
/* PSCI 1.1 */
#define PSCI_SYSTEM_RESET2		PSCI_0_2_FN(0x12)
#define PSCI_SYSTEM_RESET2_64		PSCI_0_2_FN64(0x12)
#define PSCI_MEM_PROTECT		PSCI_0_2_FN(0x13)
#define PSCI_MEM_PROTECT_CHECK_RANGE	PSCI_0_2_FN(0x14)
#define PSCI_MEM_PROTECT_CHECK_RANGE_64 PSCI_0_2_FN64(0x14)

/* ---- PSCI return codes ---- */
#define PSCI_RET_SUCCESS	  0
#define PSCI_RET_NOT_SUPPORTED	  (-1)
#define PSCI_RET_INVALID_PARAMS	  (-2)
#define PSCI_RET_DENIED		  (-3)
#define PSCI_RET_ALREADY_ON	  (-4)
#define PSCI_RET_ON_PENDING	  (-5)
#define PSCI_RET_INTERNAL_FAILURE (-6)
#define PSCI_RET_NOT_PRESENT	  (-7)
#define PSCI_RET_DISABLED	  (-8)
#define PSCI_RET_INVALID_ADDRESS  (-9)

/* AFFINITY_INFO results */
#define PSCI_AFFINITY_ON	 0
#define PSCI_AFFINITY_OFF	 1
#define PSCI_AFFINITY_ON_PENDING 2

/* MIGRATE_INFO_TYPE results */
#define PSCI_TOS_UP_MIGRATE	0
#define PSCI_TOS_UP_NO_MIGRATE	1
#define PSCI_TOS_NOT_PRESENT_MP 2 /* no Trusted OS, or one that needs no migration */

/* PSCI_FEATURES(CPU_SUSPEND) flags */
#define PSCI_FEATURES_CPU_SUSPEND_OSI	    (1u << 0) /* OS-initiated mode supported */
#define PSCI_FEATURES_CPU_SUSPEND_EXT_STATE (1u << 1) /* extended power_state format */

/* SYSTEM_RESET2 reset_type: bit 31 vendor-specific; 0 is the architectural warm reset. */
#define PSCI_RESET2_SYSTEM_WARM_RESET 0u
#define PSCI_RESET2_VENDOR	      (1u << 31)

#endif
