/* Boot-time services shared by the start-up code. */
#ifndef KERNEL_INIT_H
#define KERNEL_INIT_H

#include <kernel/board.h>
#include <stdint.h>

/* The host board as parsed from the boot DTB. */
const struct board *host_board(void);
/* Where the boot DTB lives (it stays reserved: guests' device trees start from it). */
const void *host_dtb(void);

/* Hands all RAM that is not the image, the DTB or reserved to the page allocator. */
void mem_init(const struct board *b, uintptr_t dtb, size_t dtb_size);

void smp_init_ipis(void);
void smp_init_cpu_ipis(void);
void smp_boot_secondaries(const uint64_t *mpidrs, unsigned count);
void mmu_publish_for_secondaries(void);

/* The first thread: starts the shell. */
void kernel_main(void *a, void *b);

#endif
