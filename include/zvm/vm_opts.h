/* The scheduling options of `zvm new` (docs/scheduling.md): priority, CPU placement and budget.
 * Pure parsing, no kernel calls, so the host unit test (tests/unit/test_vm_opts.c) runs it. */
#ifndef ZVM_VM_OPTS_H
#define ZVM_VM_OPTS_H

#include <stdbool.h>
#include <stdint.h>

/* vCPU thread priorities a VM may have: 0 is the most urgent. 0-1 belong to the host (the shell
 * runs at 1, so a spinning guest never locks the operator out); 30-31 to background work and the
 * idle threads. */
#define VM_PRIO_MIN	2
#define VM_PRIO_MAX	29
#define VM_PRIO_DEFAULT 10 /* guest types without a `prio` line in configs/guests.conf */

/* Budgets, in microseconds: a period of 1 ms to 10 s, a budget of 100 us up to the period. */
#define VM_PERIOD_MIN_US 1000u
#define VM_PERIOD_MAX_US 10000000u
#define VM_BUDGET_MIN_US 100u

/* Removes "--NAME VALUE" from argv (shifting the rest down, *argc updated) and returns VALUE;
 * NULL when it is absent. *missing is set when "--NAME" is the last word (no value). Options
 * given twice: the last one wins, all are removed. */
const char *vm_opts_take(int *argc, char **argv, const char *name, int *missing);

/* Guest RAM of `zvm new` without --mem: 0 static (all allocated and mapped in 2 MiB blocks at
 * creation), 1 dynamic (pages on first use). Build with -DCONFIG_VM_MEM_DYNAMIC=1 to change. */
#ifndef CONFIG_VM_MEM_DYNAMIC
#define CONFIG_VM_MEM_DYNAMIC 0
#endif

/* "static" or "dynamic" (--mem): *dynamic set, 0; else -EINVAL. */
int vm_opts_mem(const char *s, bool *dynamic);

/* "12": a priority in VM_PRIO_MIN..VM_PRIO_MAX. 0 or -EINVAL. */
int vm_opts_prio(const char *s, unsigned *prio);

/* The -p CPU list for a VM of nr_vcpus vCPUs on nr_cpus physical CPUs. Entries are separated by
 * ',' and each is one CPU or CPUs joined by '+' ("1+3"):
 *   - one entry: every vCPU may use those CPUs ("-p 1", "-p 2+3");
 *   - one entry per vCPU: vCPU i may use entry i ("-c 2 -p 1,2": vCPU0 on CPU1, vCPU1 on CPU2);
 *   - otherwise, plain CPUs only: every vCPU may use any of them (the union, "-c 4 -p 2,3").
 * Fills vcpu_mask[0..nr_vcpus-1]. 0 or -EINVAL (bad number, CPU >= nr_cpus, empty entry). */
int vm_opts_pin(const char *s, unsigned nr_cpus, unsigned nr_vcpus, uint64_t *vcpu_mask);

/* "20/100": at most 20 ms of CPU in every 100 ms; fractions of a ms allowed ("0.5/10").
 * 0 or -EINVAL (budget above the period, or outside the VM_*_US limits). */
int vm_opts_budget(const char *s, uint32_t *budget_us, uint32_t *period_us);

/* "--dev a,b": names out of names[0..n) (n <= 32) as bits of *mask (bit i: names[i]), added
 * to what *mask holds. 0 or -EINVAL (an unknown or empty name). */
int vm_opts_devs(const char *s, const char *const *names, unsigned n, uint32_t *mask);

#endif
