/* The one way an exit's long work leaves exception context (shared design of issues 9/10): a
 * fast-path handler sets v->exit_deferred and returns false; the vCPU thread, IRQs enabled,
 * sees the flag first in vcpu_handle_slow_exit() and calls exit_deferred_run(), which may
 * block. The guest's PC is untouched until then: the handler there decides (usually: retry). */
#ifndef ZVM_EXIT_DEFERRED_H
#define ZVM_EXIT_DEFERRED_H

#include <stdint.h>

struct vcpu;

/* Re-dispatches the deferred exit by ESR_EL2.EC. */
void exit_deferred_run(struct vcpu *v);
/* The thread half of s2_fault_handle() (s2_fault_exit.c): a fault on guest RAM whose cure
 * allocates (a never-touched dynamic page; later a compressed one). */
void s2_fault_thread(struct vcpu *v, uint64_t ipa);

#endif
