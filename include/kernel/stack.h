/* Thread stacks with a guard: an overflow faults at once and is reported as one (the exception
 * vector switches to a per-CPU emergency stack), instead of silently overwriting whatever lies
 * below the stack. Every host thread that the kernel creates after boot uses these. */
#ifndef KERNEL_STACK_H
#define KERNEL_STACK_H

#include <kernel/config.h>
#include <kernel/stack_layout.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define K_STACK_SIZE (1UL << K_STACK_SHIFT)

/* A K_STACK_SIZE stack (its lowest address) with an unmapped guard below it, or NULL when out of
 * memory or out of slots (K_STACK_SLOTS at once). Any thread context. */
void *k_stack_alloc(void);
/* Gives back a stack from k_stack_alloc once its thread is dead (k_thread_join); NULL is
 * ignored. Touching it afterwards faults. */
void k_stack_free(void *stack);
/* Slots in use now and at most so far, for `kernel mem`. */
void k_stack_stats(unsigned *in_use, unsigned *peak);

#endif
