/* Virtual PSCI 1.1. The dispatcher unpacks the SMCCC arguments (32-bit calls use only the low
 * halves); each function below has the semantics of the PSCI specification (DEN0022). */
#include <arch/psci_defs.h>
#include <kernel/printk.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

#define PSCI_VERSION_1_1 0x10001u
#define MPIDR_AFF_MASK	 0xff00ffffffULL

struct vcpu *vcpu_by_mpidr(struct vm *vm, uint64_t mpidr)
{
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if ((vm->vcpus[i]->mpidr & MPIDR_AFF_MASK) == (mpidr & MPIDR_AFF_MASK))
			return vm->vcpus[i];
	return NULL;
}

static bool in_guest_ram(const struct vm *vm, uint64_t ipa)
{
	return ipa >= vm->mem.ipa_base && ipa - vm->mem.ipa_base < vm->mem.size;
}

static int64_t psci_cpu_on(struct vcpu *v, uint64_t mpidr, uint64_t entry, uint64_t ctx)
{
	struct vcpu *t = vcpu_by_mpidr(v->vm, mpidr);

	if (!t)
		return PSCI_RET_INVALID_PARAMS;
	if (!in_guest_ram(v->vm, entry) || (entry & 3))
		return PSCI_RET_INVALID_ADDRESS;
	k_spinlock_key_t key = k_spin_lock(&v->vm->lock);
	int64_t ret = PSCI_RET_SUCCESS;

	/* The target changes its own power state under the same lock (zvm/vcpu.c). */
	if (t->power == VCPU_ON)
		ret = PSCI_RET_ALREADY_ON;
	else if (t->power == VCPU_ON_PENDING)
		ret = PSCI_RET_ON_PENDING;
	else {
		t->psci_entry = entry;
		t->psci_ctx = ctx;
		t->power = VCPU_ON_PENDING;
		__atomic_or_fetch(&t->requests, VCPU_REQ_POWERON, __ATOMIC_SEQ_CST);
	}
	k_spin_unlock(&v->vm->lock, key);
	if (ret == PSCI_RET_SUCCESS)
		vcpu_kick(t);
	return ret;
}

static int64_t psci_affinity_info(struct vcpu *v, uint64_t mpidr, uint64_t level)
{
	struct vcpu *t;

	if (level != 0)
		return PSCI_RET_INVALID_PARAMS; /* only one CPU per cluster level-0 node is modelled
						 */
	t = vcpu_by_mpidr(v->vm, mpidr);
	if (!t)
		return PSCI_RET_INVALID_PARAMS;
	switch (__atomic_load_n(&t->power, __ATOMIC_SEQ_CST)) {
	case VCPU_ON:
		return PSCI_AFFINITY_ON;
	case VCPU_ON_PENDING:
		return PSCI_AFFINITY_ON_PENDING;
	default:
		return PSCI_AFFINITY_OFF;
	}
}

static bool psci_implemented(uint32_t fid)
{
	switch (fid) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_64:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_64:
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_64:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return true;
	default:
		return false;
	}
}

void vpsci_handle(struct vcpu *v, uint32_t fid)
{
	bool is64 = fid & SMCCC_64BIT;
	uint64_t mask = is64 ? ~0ULL : 0xffffffffULL;
	uint64_t a1 = v->regs.x[1] & mask, a2 = v->regs.x[2] & mask, a3 = v->regs.x[3] & mask;
	int64_t ret;

	switch (fid) {
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_1;
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND_64:
		/* Power states are not modelled: a suspend is a wait for an interrupt that returns
		 * as a standby state would (SUCCESS, execution continues after the call). */
		__atomic_or_fetch(&v->requests, VCPU_REQ_WFI, __ATOMIC_SEQ_CST);
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		__atomic_or_fetch(&v->requests, VCPU_REQ_OFF, __ATOMIC_SEQ_CST);
		ret = PSCI_RET_SUCCESS; /* not seen by the guest: the vCPU stops here */
		break;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_64:
		ret = psci_cpu_on(v, a1, a2, a3);
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_64:
		ret = psci_affinity_info(v, a1, a2);
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = PSCI_TOS_NOT_PRESENT_MP;
		break;
	case PSCI_SYSTEM_OFF:
		vm_power_off(v->vm);
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_SYSTEM_RESET:
		vm_request_reset(v->vm);
		ret = PSCI_RET_SUCCESS;
		break;
	case PSCI_FEATURES:
		ret = psci_implemented((uint32_t)a1) ? PSCI_RET_SUCCESS : PSCI_RET_NOT_SUPPORTED;
		break;
	default:
		ret = PSCI_RET_NOT_SUPPORTED;
	}
	v->regs.x[0] = (uint64_t)ret;
}
