/* How a vCPU shares its physical CPUs, from where every vCPU may run (pure, unit-tested):
 * - dedicated: pinned to one CPU that no other vCPU may use. It runs with WFI and WFE not
 *   trapped: an idle guest sleeps in its own WFI and its interrupts wake it directly, as fast
 *   as a spinning one (docs/scheduling.md, "Dedicated CPUs");
 * - shared: WFI trapped (the vCPU thread blocks and gives the CPU away), WFE not;
 * - overcommitted: more vCPUs can use its CPUs than there are CPUs; WFE is trapped too and
 *   yields, so a vCPU spinning on a lock lets the holder run. */
#ifndef ZVM_PLACEMENT_H
#define ZVM_PLACEMENT_H

#include <stdint.h>

enum cpu_use { CPU_SHARED, CPU_DEDICATED, CPU_OVERCOMMITTED };

/* masks[i]: the CPUs vCPU i may use (every vCPU of every VM); online: the CPUs there are.
 * Writes each one's use into out[i]. */
void placement_classify(const uint64_t *masks, unsigned n, uint64_t online, uint8_t *out);
const char *cpu_use_name(enum cpu_use use);

#endif
