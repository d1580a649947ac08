/* Dedicated, shared or over-committed CPUs (include/zvm/placement.h).
 *
 * Linear in the number of vCPUs (it runs with IRQs masked under the VM table's lock, for every
 * vCPU of every VM): instead of comparing every pair, vCPUs are counted by the set of CPUs
 * they may use. Those that share none of my CPUs are the ones whose set lies inside the other
 * CPUs, a subset sum over the 2^CONFIG_MAX_CPUS sets (one pass per CPU bit). */
#include <kernel/config.h>
#include <lib/bits.h>
#include <string.h>
#include <zvm/placement.h>

#define NSETS (1u << CONFIG_MAX_CPUS)
_Static_assert(CONFIG_MAX_CPUS <= 10, "the subset table has 2^CONFIG_MAX_CPUS entries");

void placement_classify(const uint64_t *masks, unsigned n, uint64_t online, uint8_t *out)
{
	uint32_t inside[NSETS];		 /* vCPUs whose usable CPUs all lie in set s */
	uint64_t reach[CONFIG_MAX_CPUS]; /* union of the usable CPUs of vCPUs that may use c */

	online &= NSETS - 1;
	memset(inside, 0, sizeof(inside));
	memset(reach, 0, sizeof(reach));
	for (unsigned i = 0; i < n; i++) {
		uint64_t u = masks[i] & online;

		inside[u]++;
		for (uint64_t b = u; b; b &= b - 1)
			reach[__builtin_ctzll(b)] |= u;
	}
	for (unsigned b = 0; b < CONFIG_MAX_CPUS; b++)
		for (unsigned s = 0; s < NSETS; s++)
			if (s & (1u << b))
				inside[s] += inside[s ^ (1u << b)];
	for (unsigned i = 0; i < n; i++) {
		uint64_t mine = masks[i] & online, cpus = mine;
		/* vCPUs that may use one of my CPUs, me included (none when I have none). */
		unsigned sharing = n - inside[online & ~mine];

		for (uint64_t b = mine; b; b &= b - 1)
			cpus |= reach[__builtin_ctzll(b)];
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
