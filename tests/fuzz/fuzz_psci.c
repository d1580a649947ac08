/* SMCCC and PSCI calls (zvm/hypercall.c, zvm/vpsci.c) with any function ID and arguments, from
 * any vCPU of a VM of 1-8 vCPUs, interleaved with the vCPUs completing their power-on and
 * turning off as their threads would. Checks every result against what the function may
 * return and the power-state machine after every step: a CPU_ON only ever succeeds on an OFF
 * vCPU, with an aligned entry point inside the VM's RAM, and the context id it was given. */
#include <stdlib.h>
#include <string.h>
#include <arch/psci_defs.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

#include "fuzz_input.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x4000000ULL

static struct vm vm;
static struct vcpu cpus[VM_MAX_VCPUS];
static unsigned power_offs, resets;

/* ---- What the PSCI code calls outside itself ---- */

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	if (l->locked)
		abort(); /* no nesting on one lock: nothing here may take it twice */
	l->locked = 1;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	if (!l->locked)
		abort();
	l->locked = 0;
}

void vcpu_kick(struct vcpu *v)
{
	if (v < cpus || v >= cpus + vm.nr_vcpus)
		abort(); /* only this VM's vCPUs */
}

int vm_power_off(struct vm *v)
{
	if (v != &vm)
		abort();
	power_offs++;
	return 0;
}

int vm_request_reset(struct vm *v)
{
	if (v != &vm)
		abort();
	resets++;
	return 0;
}

/* ---- The checks ---- */

static bool is_one_of(int64_t r, const int64_t *ok, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (r == ok[i])
			return true;
	return false;
}

#define EXPECT(r, ...)                                                                             \
	do {                                                                                       \
		const int64_t ok_[] = {__VA_ARGS__};                                               \
		if (!is_one_of((r), ok_, sizeof(ok_) / sizeof(ok_[0])))                            \
			abort();                                                                   \
	} while (0)

static void call(struct vcpu *v, uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	enum vcpu_power before[VM_MAX_VCPUS];

	for (unsigned i = 0; i < vm.nr_vcpus; i++)
		before[i] = cpus[i].power;
	v->regs.x[0] = fid;
	v->regs.x[1] = a1;
	v->regs.x[2] = a2;
	v->regs.x[3] = a3;
	hypercall_handle(v);
	int64_t r = (int64_t)v->regs.x[0];
	bool is64 = fid & SMCCC_64BIT;
	uint64_t mask = is64 ? ~0ULL : 0xffffffffULL;

	/* Registers other than x0 are the guest's: never written. */
	if (v->regs.x[1] != a1 || v->regs.x[2] != a2 || v->regs.x[3] != a3)
		abort();
	switch (fid) {
	case PSCI_CPU_ON:
	case PSCI_CPU_ON_64:
		EXPECT(r, PSCI_RET_SUCCESS, PSCI_RET_INVALID_PARAMS, PSCI_RET_INVALID_ADDRESS,
		       PSCI_RET_ALREADY_ON, PSCI_RET_ON_PENDING);
		for (unsigned i = 0; i < vm.nr_vcpus; i++) {
			bool target =
			    (cpus[i].mpidr & 0xff00ffffffULL) == ((a1 & mask) & 0xff00ffffffULL);
			bool changed = cpus[i].power != before[i];

			if (changed != (target && r == PSCI_RET_SUCCESS))
				abort();
			if (!changed)
				continue;
			/* OFF -> ON_PENDING, with the call's arguments, inside RAM, aligned. */
			if (before[i] != VCPU_OFF || cpus[i].power != VCPU_ON_PENDING)
				abort();
			if (cpus[i].psci_entry != (a2 & mask) || cpus[i].psci_ctx != (a3 & mask))
				abort();
			if (cpus[i].psci_entry < RAM_BASE ||
			    cpus[i].psci_entry >= RAM_BASE + RAM_SIZE || (cpus[i].psci_entry & 3))
				abort();
			if (!(cpus[i].requests & VCPU_REQ_POWERON))
				abort();
		}
		return;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO_64:
		EXPECT(r, PSCI_AFFINITY_ON, PSCI_AFFINITY_OFF, PSCI_AFFINITY_ON_PENDING,
		       PSCI_RET_INVALID_PARAMS);
		break;
	case PSCI_FEATURES:
		EXPECT(r, PSCI_RET_SUCCESS, PSCI_RET_NOT_SUPPORTED);
		break;
	case PSCI_VERSION:
	case SMCCC_VERSION:
		EXPECT(r, 0x10001);
		break;
	case SMCCC_ARCH_FEATURES:
		EXPECT(r, 0, SMCCC_NOT_SUPPORTED);
		break;
	default:
		break;
	}
	/* Only CPU_ON changes another vCPU's power state. */
	for (unsigned i = 0; i < vm.nr_vcpus; i++)
		if (cpus[i].power != before[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	memset(&vm, 0, sizeof(vm));
	memset(cpus, 0, sizeof(cpus));
	vm.nr_vcpus = 1 + fuzz_u8(&in) % VM_MAX_VCPUS;
	vm.mem.ipa_base = RAM_BASE;
	vm.mem.size = RAM_SIZE;
	for (unsigned i = 0; i < vm.nr_vcpus; i++) {
		cpus[i].vm = &vm;
		cpus[i].id = i;
		cpus[i].mpidr = (1ULL << 31) | i;
		cpus[i].power = i ? VCPU_OFF : VCPU_ON;
		vm.vcpus[i] = &cpus[i];
	}
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		struct vcpu *v = &cpus[(op >> 4) % vm.nr_vcpus];

		switch (op & 7) {
		case 0: { /* a PSCI function by number, 32- or 64-bit, random arguments */
			uint32_t fid =
			    0x84000000u | (fuzz_u8(&in) & 0x1f) | (op & 8 ? SMCCC_64BIT : 0);

			call(v, fid, fuzz_u64(&in), fuzz_u64(&in), fuzz_u64(&in));
			break;
		}
		case 1: /* CPU_ON aimed at a vCPU (or nearly), entry near RAM */
			call(v, op & 8 ? PSCI_CPU_ON_64 : PSCI_CPU_ON,
			     fuzz_u8(&in) % 10 | 1ULL << 31,
			     RAM_BASE + (int64_t)(int32_t)fuzz_u32(&in), fuzz_u64(&in));
			break;
		case 2: /* any function ID at all */
			call(v, fuzz_u32(&in), fuzz_u64(&in), fuzz_u64(&in), fuzz_u64(&in));
			break;
		case 3: /* SMCCC architecture calls */
			call(v, op & 8 ? SMCCC_ARCH_FEATURES : SMCCC_VERSION, fuzz_u32(&in), 0, 0);
			break;
		case 4: /* a vCPU thread takes its power-on request, as zvm/vcpu.c does */
			if (v->power == VCPU_ON_PENDING) {
				v->power = VCPU_ON;
				v->requests &= ~VCPU_REQ_POWERON;
			}
			break;
		case 5: /* ... or turns itself off */
			if (v->power == VCPU_ON && (v->requests & VCPU_REQ_OFF)) {
				v->power = VCPU_OFF;
				v->requests &= ~VCPU_REQ_OFF;
			}
			break;
		default:
			call(v, op & 8 ? PSCI_AFFINITY_INFO_64 : PSCI_AFFINITY_INFO,
			     fuzz_u8(&in) % 10 | 1ULL << 31, fuzz_u8(&in) & 1, 0);
			break;
		}
		if (vm.lock.locked)
			abort(); /* every path gives the VM lock back */
	}
	return 0;
}
