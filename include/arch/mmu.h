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
/* Run time, any CPU: maps the pages of [va, va + size) to [pa, pa + size) in a range of VAs that
 * nothing maps yet (outside the identity map: kernel/stack.c's window). 0, -ENOMEM or -EEXIST. */
int mmu_map_pages(uint64_t va, uint64_t pa, size_t size, enum mmu_prot prot);
/* Unmaps pages mapped by mmu_map_pages and invalidates them in every CPU's TLB. */
void mmu_unmap_pages(uint64_t va, size_t size);
/* Builds the tables for the image and the console UART (none when console_size is 0), then turns
 * the MMU on for this CPU, so the console works throughout. Returns 0, or mmu_map's error for the
 * UART with the MMU left off (the UART still reachable to report it). */
int mmu_init_primary(uint64_t console_pa, size_t console_size);
/* Same translation regime on a secondary CPU (done in head.S from mmu_boot_params). */

/* Cleans [start, start + size) to the point of coherency (arch/arm64/mmu_enable.S): for what
 * a reader with its MMU or caches off (a guest at boot, the MMU walker) must see. */
void dcache_clean_range(uintptr_t start, size_t size);

#endif
