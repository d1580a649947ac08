/* Recovery points for host threads that work for a guest (a vCPU's slow exits, a device's
 * worker): an EL2 fault in such work, taken with no lock held and no interrupt being handled,
 * costs only the guest it was for (zvm/vcpu_fault.c decides). The fault returns to the
 * k_call_recoverable() that started the work: the frames in between are dropped unwound, so
 * work run this way must leave nothing half-done that the host relies on (sleeping locks are
 * counted: a fault with a k_mutex held still panics). */
#ifndef KERNEL_RECOVER_H
#define KERNEL_RECOVER_H

#include <stdint.h>

struct k_recover {
	uint64_t sp; /* first: k_call_recoverable's frame while fn runs, else 0 (recover.S) */
	/* Called in the fault handler (exception context, IRQs masked) once the fault is taken
	 * to be the owner's: says so and stops the owner. Must not block. */
	void (*fault)(struct k_recover *r);
	const char *what; /* the register dump's title: whose work faulted */
};

/* Runs fn(arg) with r armed: returns 0 when fn returned, 1 when it faulted and was recovered
 * (r->fault has run). Not nested: one armed k_recover per thread (k_thread.recover). */
int k_call_recoverable(struct k_recover *r, void (*fn)(void *arg), void *arg);
/* Where a recovered fault returns to, with x0 = r (not called from C). */
void k_recover_resume(void);

#endif
