/* Stage-2 aborts from a guest (ESR_EL2 EC 0x20 instruction, 0x24 data): what the fault status
 * code says happened, and what the hypervisor does about it given what lives at the IPA. Pure
 * logic (s2_fault.c, unit-tested); the actions are in s2_fault_exit.c. */
#ifndef ZVM_S2_FAULT_H
#define ZVM_S2_FAULT_H

#include <stdbool.h>
#include <stdint.h>

/* The kind of fault, from DFSC/IFSC (ISS[5:0]). */
enum s2f_class {
	S2F_OTHER,	      /* reserved, IMPLEMENTATION DEFINED, granule protection, tag check */
	S2F_TRANSLATION,      /* no valid entry at stage 2 (or stage 1 for S1PTW) */
	S2F_ACCESS_FLAG,      /* entry with AF = 0 */
	S2F_PERMISSION,	      /* entry forbids the access */
	S2F_ADDR_SIZE,	      /* output address beyond the configured size */
	S2F_EXT_ABORT,	      /* synchronous external abort on the access */
	S2F_EXT_ABORT_WALK,   /* synchronous external abort on a translation table walk */
	S2F_PARITY,	      /* parity/ECC error on the access */
	S2F_PARITY_WALK,      /* parity/ECC error on a translation table walk */
	S2F_TLB_CONFLICT,     /* more than one TLB entry matched */
	S2F_ALIGNMENT,	      /* data only */
	S2F_ATOMIC_HW_UPDATE, /* unsupported atomic hardware update of AF/dirty */
	S2F_NR_CLASSES,
};

#define S2F_NO_LEVEL (-2) /* the class has no lookup level */

struct s2f {
	enum s2f_class cls;
	int level;  /* -1 (FEAT_LPA2) .. 3, or S2F_NO_LEVEL */
	bool instr; /* instruction abort (EC 0x20), else data abort (0x24) */
	bool s1ptw; /* on the guest's stage-1 table walk */
	bool write; /* WnR: data aborts only */
	bool fnv;   /* FAR_EL2 not valid: the IPA's low 12 bits are unknown */
};

/* What is at the faulting IPA. */
enum s2f_region {
	S2R_NONE, /* neither RAM nor an emulated device */
	S2R_RAM,  /* guest RAM (vm->mem) */
	S2R_MMIO, /* an emulated device region */
};

enum s2f_action {
	S2A_MMIO,		/* emulate the device access and skip the instruction */
	S2A_RETRY_TLBI,		/* invalidate the VM's stage-2 TLB entries, re-execute */
	S2A_MEM,		/* guest RAM: s2_fault_handle(), the one memory fault hook */
	S2A_INJECT,		/* an abort into the guest: nothing there / not allowed */
	S2A_INJECT_HWERR,	/* an abort into the guest: a hardware error, logged as such */
	S2A_INJECT_EXEC_DEVICE, /* a prefetch abort: the guest executes from a device */
};

#define S2F_ESR_EC(esr)	   (((esr) >> 26) & 0x3f)
#define S2F_EC_IABT_LOW	   0x20
#define S2F_EC_DABT_LOW	   0x24
#define S2F_ISS_S1PTW	   (1u << 7)
#define S2F_ISS_WNR	   (1u << 6)
#define S2F_ISS_FNV	   (1u << 10)
#define S2F_FSC(esr)	   ((esr)&0x3f)
#define S2F_FSC_TRANS_MASK 0x3c /* FSC 0x04..0x07: translation fault, levels 0..3 */
#define S2F_FSC_TRANS	   0x04

/* The fault an ESR_EL2 of EC 0x20 or 0x24 reports (another EC gives S2F_OTHER). */
struct s2f s2f_classify(uint64_t esr);
/* What to do about fault f at an IPA in region r. */
enum s2f_action s2f_decide(const struct s2f *f, enum s2f_region r);
/* What the memory hook (s2_fault_handle) does with a RAM fault once it has looked the IPA up
 * under the stage-2 lock. */
enum s2f_outcome {
	S2O_RETRY,  /* the entry now allows the access (or was just cured): re-execute */
	S2O_DEFER,  /* no entry on a dynamic VM: the vCPU thread pages the page in */
	S2O_INJECT, /* an abort into the guest */
};
enum s2f_outcome s2f_after_lookup(bool mapped, bool allows, bool dynamic);
/* The class and level in words, for log lines ("translation fault, level 2"). */
const char *s2f_class_name(enum s2f_class cls);

/* TLB conflict aborts in a row at one IPA page: re-executed after a TLBI up to S2F_TLBC_MAX
 * times, then an abort (a guest that breaks break-before-make in a loop must not loop us). */
struct s2f_tlbc {
	uint64_t page;
	unsigned count;
};
#define S2F_TLBC_MAX 4
/* One more conflict at ipa: true when the guest gets an abort (the count starts over). */
bool s2f_tlbc_give_up(struct s2f_tlbc *c, uint64_t ipa);

/* The actions (s2_fault_exit.c), on the exit fast path of v's own CPU. */
struct vcpu;
/* After the MMIO fast path declined the abort in v->esr at ipa (mmio: a device region is
 * there): handles it unless the answer is S2A_MMIO, which the caller emulates. */
enum s2f_action s2_fault_exit(struct vcpu *v, uint64_t ipa, bool mmio);
/* The one memory fault hook for guest RAM: true when the instruction should run again (the
 * fault was cured); false: the caller injects an abort. */
bool s2_fault_handle(struct vcpu *v, const struct s2f *f, uint64_t ipa);

#endif
