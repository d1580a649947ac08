/* The hypervisor's own (stage-1, EL2) address space: an identity map of RAM and of the
 * devices the host drives. */
#ifndef ARCH_MMU_H
#define ARCH_MMU_H

#include <stddef.h>
#include <stdint.h>

enum mmu_prot {
	MMU_RAM_RW, /* data: read/write, never executed */
	MMU_RAM_RO, /* read-only data */
	MMU_RAM_RX, /* code */
	MMU_DEVICE, /* Device-nGnRE, never executed */
};

/* Identity-maps [pa, pa + size) with the largest blocks alignment allows. Returns 0 or -ENOMEM
 * when the table pool is exhausted, -EEXIST when part of the range is already mapped
 * differently. */
int mmu_map(uint64_t pa, size_t size, enum mmu_prot prot);
/* Builds the tables for the image and turns the MMU on for this CPU. */
void mmu_init_primary(void);
/* Same translation regime on a secondary CPU (done in head.S from mmu_boot_params). */

#endif
