/* Masking interrupts on the local CPU (DAIF.I).
 *
 * DAIF.F doubles as "this CPU may hold a spinlock": no FIQ is ever configured (every interrupt
 * is group 1, arm64 IRQs), so the bit is free, and setting it costs nothing where IRQs are
 * masked anyway. Every spinlock sets it (arch_lock_save, k_spin_acquire) and only the key
 * restore or arch_irq_enable (never called with a lock held) clears it; an exception entry
 * sets it too. So F clear in a faulting context proves no spinlock was held there
 * (zvm/vcpu_fault.c). */
#ifndef ARCH_IRQ_H
#define ARCH_IRQ_H

#include <stdbool.h>
#include <stdint.h>

static inline uint64_t arch_irq_save(void)
{
	uint64_t flags;
	__asm__ volatile("mrs %0, daif\n msr daifset, #2" : "=r"(flags) : : "memory");
	return flags;
}

/* For spinlocks: as arch_irq_save, and marks "a lock may be held" (DAIF.F, above). */
static inline uint64_t arch_lock_save(void)
{
	uint64_t flags;
	__asm__ volatile("mrs %0, daif\n msr daifset, #3" : "=r"(flags) : : "memory");
	return flags;
}

/* Only the mark, for callers whose IRQs are masked already. */
static inline void arch_lock_mark(void)
{
	__asm__ volatile("msr daifset, #1" ::: "memory");
}

/* Ends a mark made with IRQs enabled (so with no lock held, F was clear): for a lock held with
 * IRQs on (smp_call_function's slot). */
static inline void arch_lock_unmark(void)
{
	__asm__ volatile("msr daifclr, #1" ::: "memory");
}

static inline void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #3" ::: "memory"); /* and no lock held (above) */
}

static inline void arch_irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" ::: "memory");
}

static inline bool arch_irqs_masked(void)
{
	uint64_t flags;
	__asm__ volatile("mrs %0, daif" : "=r"(flags));
	return flags & (1u << 7);
}

#endif
