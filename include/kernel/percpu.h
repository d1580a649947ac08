/* Per-CPU state, reached through TPIDR_EL2 at EL2 (the guest cannot touch it), TPIDR_EL1 at EL1. */
#ifndef KERNEL_PERCPU_H
#define KERNEL_PERCPU_H

#include <arch/el.h>
#include <arch/sysreg.h>
#include <kernel/config.h>
#include <kernel/sched.h>
#include <stdbool.h>
#include <stdint.h>

struct vcpu;

struct cpu {
	/* The vCPU in guest mode on this CPU, or NULL. First, so the exit vector finds it with
	 * one load from TPIDR_EL2. */
	struct vcpu *vcpu;
	unsigned id;
	uint64_t mpidr;
	volatile bool online;
	/* The vCPU whose EL1 state is in this CPU's registers (see zvm/vcpu_sr.c), or NULL. */
	struct vcpu *loaded_vcpu;
	struct sched_cpu sched; /* owned by kernel/sched.c */
	bool in_fault;		/* in host_sync_exception: a second fault there is nested */
};

extern struct cpu cpus[CONFIG_MAX_CPUS];

static inline struct cpu *this_cpu(void)
{
	return (struct cpu *)read_sysreg(TPIDR_ELx);
}

static inline unsigned cpu_id(void)
{
	return this_cpu()->id;
}

/* Whether this CPU should pick another thread at its next scheduling point (IRQs masked);
 * inline because every interrupt taken in guest mode asks. */
static inline bool sched_need_resched(void)
{
	return this_cpu()->sched.need_resched;
}

/* CPUs described by the device tree (all of them are brought online at boot). */
unsigned cpu_count(void);
/* Bit n set for every CPU n the machine has. */
static inline uint64_t cpu_all_mask(void)
{
	return cpu_count() >= 64 ? ~0ULL : (1ULL << cpu_count()) - 1;
}

#endif
