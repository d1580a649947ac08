/* Masking interrupts on the local CPU (DAIF.I). */
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

static inline void arch_irq_restore(uint64_t flags)
{
	__asm__ volatile("msr daif, %0" : : "r"(flags) : "memory");
}

static inline void arch_irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" ::: "memory");
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
