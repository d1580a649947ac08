/* The register frame every EL2 exception entry pushes. */
#ifndef ARCH_EXCEPTION_H
#define ARCH_EXCEPTION_H

#define FRAME_SIZE    288
#define CPU_ID_OFFSET 8 /* offsetof(struct cpu, id), for the vectors (checked in exception.c) */

#ifndef __ASSEMBLY__
#include <stdint.h>

struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t sp; /* the stack pointer before the exception */
	uint64_t esr;
	uint64_t far;
};
_Static_assert(sizeof(struct trap_frame) == FRAME_SIZE, "vectors.S FRAME_SIZE");

/* Exception classes (ESR_ELx.EC) the host cares about. */
#define ESR_EC(esr)  (((esr) >> 26) & 0x3f)
#define ESR_ISS(esr) ((esr)&0x1ffffff)

/* Called by vectors.S. */
void host_sync_exception(struct trap_frame *f);
void host_irq_exception(struct trap_frame *f);
void unexpected_exception(struct trap_frame *f, unsigned kind);

/* Prints the frame and stops this CPU; the kind names the vector. */
void exception_dump(const struct trap_frame *f, const char *what);
/* The vectors call it when a thread overflowed its stack into the guard (kernel/stack.c). */
void stack_overflow_exception(struct trap_frame *f);
#endif

#endif
