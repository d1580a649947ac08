/* Set/way cache maintenance from guests: a clean and invalidate of the VM's RAM by VA on the
 * vCPU thread, and HCR_EL2.TVM trapping until the guest's caches are on (include/zvm/setway.h
 * says why). Traps run on the exit fast path; the flush, up to GiBs of RAM, runs on the vCPU's
 * thread with IRQs enabled and preemptible (VCPU_REQ_CACHE_FLUSH). */
#include <arch/sysreg.h>
#include <zvm/setway.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

#define FLUSH_CHUNK (2u << 20)

_Static_assert(TVM_ENC(3, 0, 13, 0, 1) == SYSREG(3, 0, 13, 0, 1), "TVM_ENC packs as SYSREG");

/* Our own vCPU on its own CPU: the exit path looks at the requests before re-entering, so
 * there is nothing to kick. */
static void request_flush(struct vcpu *v)
{
	__atomic_or_fetch(&v->requests, VCPU_REQ_CACHE_FLUSH, __ATOMIC_SEQ_CST);
}

void setway_dc(struct vcpu *v)
{
	/* With TVM already on, the flush comes when the guest turns its caches on or off. */
	if (v->sys.setway_tvm)
		return;
	v->sys.setway_tvm = true;
	request_flush(v);
}

#define TVM_SYSREG(op0, op1, crn, crm, op2) "S" #op0 "_" #op1 "_C" #crn "_C" #crm "_" #op2
#define TVM_WRITE(name, op0, op1, crn, crm, op2)                                                   \
	case TVM_##name:                                                                           \
		write_sysreg_s(TVM_SYSREG(op0, op1, crn, crm, op2), val);                          \
		break;
#define TVM_READ(name, op0, op1, crn, crm, op2)                                                    \
	case TVM_##name:                                                                           \
		return read_sysreg_s(TVM_SYSREG(op0, op1, crn, crm, op2));

static void tvm_write(enum tvm_reg r, uint64_t val)
{
	switch (r) {
		TVM_REGS(TVM_WRITE)
	case TVM_NR_REGS:
		break;
	}
}

static uint64_t tvm_read(enum tvm_reg r)
{
	switch (r) {
		TVM_REGS(TVM_READ)
	case TVM_NR_REGS:
		break;
	}
	return 0;
}

void setway_tvm_access(struct vcpu *v, uint32_t enc, bool read, unsigned rt)
{
	int r = tvm_reg_decode(enc);
	uint64_t val = vcpu_get_reg(v, rt);

	if (r < 0)
		return; /* only TVM_CASES reach here */
	if (read) {	/* TVM traps writes only; a read would come from TRVM */
		vcpu_set_reg(v, rt, tvm_read((enum tvm_reg)r));
		return;
	}
	if (r == TVM_SCTLR_EL1) {
		bool was = tvm_caches_on(read_sysreg(sctlr_el1)), now = tvm_caches_on(val);

		write_sysreg(sctlr_el1, val);
		/* Turned off: clean what the caches hold; on: drop what they held before. */
		if (was != now)
			request_flush(v);
		if (now) /* stop trapping until the next set/way operation */
			v->sys.setway_tvm = false;
		return;
	}
	tvm_write((enum tvm_reg)r, val);
}

void setway_flush_vm(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t line = 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf); /* DminLine, in words */

	/* RAM is identity-mapped in the host; the blocks stay while a vCPU thread runs. A VM
	 * being stopped or deleted does not wait for the rest (checked every 2 MiB). */
	for (const struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		for (uintptr_t p = b->pa & ~(line - 1); p < b->pa + b->size; p += line) {
			if (!(p & (FLUSH_CHUNK - 1)) && (v->requests & VCPU_REQ_STOP))
				return;
			__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
		}
	__asm__ volatile("dsb sy" ::: "memory");
	__atomic_add_fetch(&vm->cache_flushes, 1, __ATOMIC_RELAXED);
}
