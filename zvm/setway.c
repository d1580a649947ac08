/* Set/way cache maintenance from guests: a clean and invalidate of the VM's RAM by VA on the
 * vCPU thread, and HCR_EL2.TVM trapping until the guest's caches are on (include/zvm/setway.h
 * says why). Traps run on the exit fast path; the flush, up to GiBs of RAM, runs on the vCPU's
 * thread with IRQs enabled and preemptible (VCPU_REQ_CACHE_FLUSH). */
#include <arch/sysreg.h>
#include <zvm/guest_log.h>
#include <zvm/mem/dyn.h>
#include <zvm/setway.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

#define FLUSH_CHUNK (2u << 20)

_Static_assert(TVM_ENC(3, 0, 13, 0, 1) == SYSREG(3, 0, 13, 0, 1), "TVM_ENC packs as SYSREG");

/* Our own vCPU on its own CPU: the exit path looks at the requests before re-entering, so
 * there is nothing to kick. The request bit only sends the vCPU through its thread, which
 * reprograms HCR_EL2.TVM and runs a pending flush. */
static void to_thread(struct vcpu *v)
{
	__atomic_or_fetch(&v->requests, VCPU_REQ_CACHE_FLUSH, __ATOMIC_SEQ_CST);
}

/* A flush requested while one is pending (stopped by a pause or another request) merges into
 * it and restarts from 0: lines already done may have been dirtied again since, and the guest
 * asks for every line as of now. */
static void request_flush(struct vcpu *v)
{
	v->flush_pending = true;
	v->flush_cursor = 0;
	to_thread(v);
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

static void tvm_write(enum tvm_reg r, uint64_t val)
{
	switch (r) {
		TVM_REGS(TVM_WRITE)
	case TVM_NR_REGS:
		break;
	}
}

/* TVM traps writes only, and TRVM (reads) is never set: a read here is not expected and is
 * undefined. TVM_CASES are exactly the registers tvm_reg_decode() knows. */
bool setway_tvm_access(struct vcpu *v, uint32_t enc, bool read, unsigned rt)
{
	int r = tvm_reg_decode(enc);
	uint64_t val = vcpu_get_reg(v, rt);

	if (read) {
		guest_log(v, "read of TVM register %s trapped: undefined",
			  tvm_reg_name((enum tvm_reg)r));
		vcpu_inject_undef(v);
		return false;
	}

	if (r == TVM_SCTLR_EL1) {
		bool was = tvm_caches_on(read_sysreg(sctlr_el1)), now = tvm_caches_on(val);

		write_sysreg(sctlr_el1, val);
		/* Turned off: clean what the caches hold; on: drop what they held before. */
		if (was != now)
			request_flush(v);
		/* Stop trapping until the next set/way operation. Through the thread, which
		 * clears HCR_EL2.TVM: a fast-path return would keep it set. */
		if (now && v->sys.setway_tvm) {
			v->sys.setway_tvm = false;
			to_thread(v);
		}
		return true;
	}
	tvm_write((enum tvm_reg)r, val);
	return true;
}

/* Stop at a chunk boundary: another request (pause, reset, PSCI) is served first, and a VM
 * not running does not wait for the flush. */
static bool flush_must_stop(const struct vcpu *v)
{
	return __atomic_load_n(&v->requests, __ATOMIC_SEQ_CST) || v->vm->state != VM_RUNNING;
}

static uint64_t dcache_line(void)
{
	return 4ULL << ((read_sysreg(ctr_el0) >> 16) & 0xf); /* DminLine, in words */
}

static void flush_done(struct vcpu *v, uint64_t bytes)
{
	__asm__ volatile("dsb sy" ::: "memory");
	v->flush_pending = false;
	v->flush_cursor = 0;
	__atomic_add_fetch(&v->vm->cache_flushes, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&v->vm->cache_flush_bytes, bytes, __ATOMIC_RELAXED);
}

struct page_flush {
	uint64_t line, bytes;
};

static void flush_page(uintptr_t pa, void *arg)
{
	struct page_flush *f = arg;

	for (uintptr_t p = pa; p < pa + S2_PAGE_SIZE; p += f->line)
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	f->bytes += S2_PAGE_SIZE;
}

/* A dynamic VM: its resident pages only (the others hold nothing a cache could), found under
 * its memory lock a stretch at a time; flush_cursor counts pages. Bytes are counted as they are
 * cleaned, a stopped flush's share included. */
static bool flush_dynamic(struct vcpu *v)
{
	struct page_flush f = {dcache_line(), 0};

	while (!mem_dyn_each_resident(v->vm, &v->flush_cursor, flush_page, &f)) {
		if (flush_must_stop(v)) {
			__asm__ volatile("dsb sy" ::: "memory");
			__atomic_add_fetch(&v->vm->cache_flush_bytes, f.bytes, __ATOMIC_RELAXED);
			return false;
		}
	}
	flush_done(v, f.bytes);
	return true;
}

bool setway_flush_vm(struct vcpu *v)
{
	struct vm *vm = v->vm;
	uint64_t line = dcache_line();
	uint64_t off = 0; /* offset of block b in the VM's RAM, as flush_cursor counts */

	if (vm->mem.dynamic)
		return flush_dynamic(v);
	/* RAM is identity-mapped in the host; the blocks stay while a vCPU thread runs. Each
	 * call does at least one chunk, so a flush always progresses. */
	for (const struct vm_mem_block *b = vm->mem.blocks; b; off += b->size, b = b->next) {
		if (v->flush_cursor >= off + b->size)
			continue;
		uint64_t skip = v->flush_cursor > off ? v->flush_cursor - off : 0;
		uintptr_t first = (b->pa + skip) & ~(line - 1);

		for (uintptr_t p = first; p < b->pa + b->size; p += line) {
			if (!(p & (FLUSH_CHUNK - 1)) && p != first && flush_must_stop(v)) {
				__asm__ volatile("dsb sy" ::: "memory");
				__atomic_add_fetch(&vm->cache_flush_bytes,
						   off + (p - b->pa) - v->flush_cursor,
						   __ATOMIC_RELAXED);
				v->flush_cursor = off + (p - b->pa);
				return false;
			}
			__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
		}
	}
	flush_done(v, vm->mem.size - v->flush_cursor);
	return true;
}
