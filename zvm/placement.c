/* Dedicated, shared or over-committed CPUs (include/zvm/placement.h). */
#include <lib/bits.h>
#include <zvm/placement.h>

void placement_classify(const uint64_t *masks, unsigned n, uint64_t online, uint8_t *out)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t mine = masks[i] & online, cpus = mine;
		unsigned sharing = 0; /* vCPUs that may use one of my CPUs, me included */

		for (unsigned j = 0; j < n; j++) {
			if (masks[j] & online & mine) {
				sharing++;
				cpus |= masks[j] & online;
			}
		}
		if (bits_count(mine) == 1 && sharing == 1)
			out[i] = CPU_DEDICATED;
		else if (sharing > bits_count(cpus))
			out[i] = CPU_OVERCOMMITTED;
		else
			out[i] = CPU_SHARED;
	}
}

const char *cpu_use_name(enum cpu_use use)
{
	return use == CPU_DEDICATED	  ? "dedicated"
	       : use == CPU_OVERCOMMITTED ? "overcommit"
					  : "shared";
}
