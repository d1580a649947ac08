/* A thread's saved CPU state while it is switched out. The switch is a function call, so only
 * the callee-saved registers are kept, plus the whole FP/SIMD file: host code never uses FP, so the
 * FP registers belong to the thread (for a vCPU thread, to its guest) and move only here. */
#ifndef ARCH_CONTEXT_H
#define ARCH_CONTEXT_H

#include <stdint.h>

struct arch_fpsimd {
	__uint128_t v[32];
	uint64_t fpsr;
	uint64_t fpcr;
};

struct arch_context {
	uint64_t x19_x28[10];
	uint64_t fp; /* x29 */
	uint64_t lr; /* x30 */
	uint64_t sp;
	uint64_t pad;
	struct arch_fpsimd fpsimd; /* 16-byte aligned */
};

/* Saves the current CPU state into prev and resumes next. Call with interrupts masked. */
void arch_switch(struct arch_context *prev, struct arch_context *next);

/* Prepares ctx so that the first arch_switch() into it calls fn(arg) on the given stack,
 * with interrupts still masked. fn must never return. */
void arch_context_init(struct arch_context *ctx, void *stack_top, void (*fn)(void *), void *arg);

#endif
