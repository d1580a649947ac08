/* Per-CPU state, reached through TPIDR_EL2 (the guest cannot touch it). */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <arch/sysreg.h>
#include <kernel/config.h>
#include <kernel/sched.h>
#include <stdbool.h>
#include <stdint.h>

struct cpu {
	unsigned id;
	uint64_t mpidr;
	volatile bool online;
	struct sched_cpu sched; /* owned by kernel/sched.c */
};

extern struct cpu cpus[CONFIG_MAX_CPUS];

static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)read_sysreg(tpidr_el2);
}

static inline unsigned cpu_id(void)
{
	return this_cpu()->id;
}

/* CPUs described by the device tree (all of them are brought online at boot). */
unsigned cpu_count(void);

#endif
