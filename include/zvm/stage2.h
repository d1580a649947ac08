/* Stage-2 translation of one VM: IPA -> host PA, 4 KiB granule, 2 MiB blocks where aligned.
 * The table logic is stage2_pt.c (host unit-tested); this is its locked, TLB-maintaining face.
 * Every change of a valid entry is break-before-make with TLBI by IPA for this VMID. */
#ifndef ZVM_STAGE2_H
#define ZVM_STAGE2_H

#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zvm/stage2_pt.h>

#define S2_PAGE_SIZE 4096ULL /* the stage-2 granule: 4 KiB pages */

enum s2_prot {
	S2_RAM,	   /* normal write-back memory, read/write/execute */
	S2_RAM_RO, /* read/execute only */
	S2_DEVICE, /* a passed-through device's registers: Device-nGnRE, read/write, never
		    * executable */
};

struct stage2 {
	struct s2pt pt; /* pt.root: the concatenated first-level tables */
	uint64_t vttbr; /* root | VMID << 48 */
	unsigned vmid;
	struct k_spinlock lock; /* every table access; short sections, IRQs masked */
	/* Under the lock: whether VTTBR_EL2 holds this VMID for TLBIs, and what to restore. */
	bool tlb_vmid_ready, vttbr_borrowed;
	uint64_t saved_vttbr;
};

/* Global stage-2 settings (VTCR_EL2) from the CPU's PA range; once, at boot. */
void stage2_init_global(void);
uint64_t stage2_vtcr(void);
unsigned stage2_ipa_bits(void);

int stage2_create(struct stage2 *s2);
/* Maps [ipa, ipa + size) to [pa, ...), replacing what was there. Page aligned or -EINVAL;
 * -ENOMEM. */
int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, size_t size, enum s2_prot prot);
/* Unmaps the range (splitting blocks partly inside it; -ENOMEM then). */
int stage2_unmap(struct stage2 *s2, uint64_t ipa, size_t size);
/* New permissions for what is mapped in the range. */
int stage2_protect(struct stage2 *s2, uint64_t ipa, size_t size, enum s2_prot prot);
/* Access tracking: clear the access flag of the range; a later access faults and sets it
 * (s2_fault_handle). Adds to *accessed (if not NULL) the bytes accessed since the last clear. */
int stage2_clear_af(struct stage2 *s2, uint64_t ipa, size_t size, uint64_t *accessed);
/* Whether the leaf holding ipa is mapped and was accessed since its flag was cleared. */
bool stage2_test_af(struct stage2 *s2, uint64_t ipa);
/* Frees every table and the VMID; the TLB of this VMID is invalidated. */
void stage2_destroy(struct stage2 *s2);
/* The PA behind ipa, or -1 (as uint64) when unmapped. */
uint64_t stage2_translate(struct stage2 *s2, uint64_t ipa);
/* For a caller doing several table operations in one section (the fault path): the lock, and
 * the TLB state that goes with it. */
k_spinlock_key_t stage2_lock(struct stage2 *s2);
void stage2_unlock(struct stage2 *s2, k_spinlock_key_t key);

#endif
