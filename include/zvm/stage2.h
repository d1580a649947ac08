/* Stage-2 translation of one VM: IPA -> host PA, 4 KiB granule, 2 MiB blocks where aligned. */
#ifndef ZVM_STAGE2_H
#define ZVM_STAGE2_H

#include <stddef.h>
#include <stdint.h>

enum s2_prot {
	S2_RAM,	   /* normal write-back memory, read/write/execute */
	S2_RAM_RO, /* read/execute only */
};

struct stage2 {
	uint64_t *root; /* concatenated first-level tables */
	uint64_t vttbr; /* root | VMID << 48 */
	unsigned vmid;
	size_t nr_tables; /* pages of tables, for `zvm info` and leak checks */
};

/* Global stage-2 settings (VTCR_EL2) from the CPU's PA range; once, at boot. */
void stage2_init_global(void);
uint64_t stage2_vtcr(void);
unsigned stage2_ipa_bits(void);

int stage2_create(struct stage2 *s2);
/* Maps [ipa, ipa + size) to [pa, ...). Page aligned; -ENOMEM, -EEXIST. */
int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, size_t size, enum s2_prot prot);
/* Unmaps the range and invalidates the TLB entries of this VMID for it. */
void stage2_unmap(struct stage2 *s2, uint64_t ipa, size_t size);
/* Frees every table and the VMID; the TLB of this VMID is invalidated. */
void stage2_destroy(struct stage2 *s2);
/* Walks the tables: the PA behind ipa, or -1 (as uint64) when unmapped. */
uint64_t stage2_translate(const struct stage2 *s2, uint64_t ipa);

#endif
