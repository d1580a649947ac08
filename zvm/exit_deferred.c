/* Deferred exits, on the vCPU thread (include/zvm/exit_deferred.h). */
#include <arch/exception.h>
#include <zvm/exit_deferred.h>
#include <zvm/guest_log.h>
#include <zvm/s2_fault.h>
#include <zvm/vcpu_internal.h>

#define HPFAR_IPA(h) (((h) >> 4) << 12)

void exit_deferred_run(struct vcpu *v)
{
	switch (S2F_ESR_EC(v->esr)) {
	case S2F_EC_IABT_LOW:
	case S2F_EC_DABT_LOW:
		s2_fault_thread(v, HPFAR_IPA(v->hpfar) | (v->far & 0xfff));
		return;
	}
	/* Only the handlers above defer: anything else is our bug, not the guest's. */
	guest_log(v, "deferred exit with EC 0x%02x has no handler: undefined instruction injected",
		  (unsigned)S2F_ESR_EC(v->esr));
	vcpu_inject_undef(v);
}
