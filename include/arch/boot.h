/* What the assembly entry code and the C boot code share. */
#ifndef ARCH_BOOT_H
#define ARCH_BOOT_H

#include <kernel/config.h>

#define BOOT_STACK_SIZE CONFIG_THREAD_STACK_SIZE

#ifndef __ASSEMBLY__
#include <stdint.h>

/* Translation settings the secondary CPUs load before they turn their MMU on. */
struct mmu_boot_params {
	uint64_t ttbr0;
	uint64_t tcr;
	uint64_t mair;
};
extern struct mmu_boot_params mmu_boot_params;
extern uint8_t boot_stacks[CONFIG_MAX_CPUS][BOOT_STACK_SIZE];

void boot_primary(uintptr_t dtb, unsigned current_el);
void boot_secondary(unsigned cpu);
/* Entry point handed to PSCI CPU_ON; the context id is the CPU index. */
void secondary_entry(void);
void mmu_enable(uint64_t ttbr0, uint64_t tcr, uint64_t mair);
#endif

#endif
