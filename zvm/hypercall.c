/* SMCCC calls from guests (HVC or SMC): the SMCCC version and features, PSCI, and
 * NOT_SUPPORTED for everything else, as SMCCC 1.1 requires. */
#include <arch/psci_defs.h>
#include <zvm/vcpu_internal.h>

#define SMCCC_VERSION_1_1 0x10001u
#define PSCI_FN_MAX	  0x1f

void hypercall_handle(struct vcpu *v)
{
	uint32_t fid = (uint32_t)v->regs.x[0];
	uint64_t ret = (uint64_t)(int64_t)SMCCC_NOT_SUPPORTED;

	switch (fid) {
	case SMCCC_VERSION:
		ret = SMCCC_VERSION_1_1;
		break;
	case SMCCC_ARCH_FEATURES:
		/* No workaround calls are offered; SMCCC_VERSION itself is always there. */
		ret = (uint32_t)v->regs.x[1] == SMCCC_VERSION
			  ? 0
			  : (uint64_t)(int64_t)SMCCC_NOT_SUPPORTED;
		break;
	default:
		if (SMCCC_OWNER(fid) == SMCCC_OWNER_STANDARD && (fid & 0xffff) <= PSCI_FN_MAX) {
			vpsci_handle(v, fid);
			return;
		}
	}
	v->regs.x[0] = ret;
}
