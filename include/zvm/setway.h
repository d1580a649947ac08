/* Set/way cache maintenance by guests, as KVM handles it. Set/way operations cannot be
 * virtualised (they act on one physical CPU's caches, not on the guest's memory), so the first
 * one cleans and invalidates the VM's whole RAM by VA instead, and turns on HCR_EL2.TVM for
 * that vCPU: the guest's next write that turns its caches (SCTLR_EL1.C with M) on or off is
 * seen, the RAM is flushed again there, and trapping stops once the caches are on. A guest
 * that cleans by set/way before turning its MMU on then reads no stale data. */
#ifndef ZVM_SETWAY_H
#define ZVM_SETWAY_H

#include <stdbool.h>
#include <stdint.h>

/* The registers HCR_EL2.TVM traps writes to (AArch64 EL1, without the features the guests'
 * ID registers hide), as (name, op0, op1, CRn, CRm, op2). */
#define TVM_REGS(X)                                                                                \
	X(SCTLR_EL1, 3, 0, 1, 0, 0)                                                                \
	X(TTBR0_EL1, 3, 0, 2, 0, 0)                                                                \
	X(TTBR1_EL1, 3, 0, 2, 0, 1)                                                                \
	X(TCR_EL1, 3, 0, 2, 0, 2)                                                                  \
	X(AFSR0_EL1, 3, 0, 5, 1, 0)                                                                \
	X(AFSR1_EL1, 3, 0, 5, 1, 1)                                                                \
	X(ESR_EL1, 3, 0, 5, 2, 0)                                                                  \
	X(FAR_EL1, 3, 0, 6, 0, 0)                                                                  \
	X(MAIR_EL1, 3, 0, 10, 2, 0)                                                                \
	X(AMAIR_EL1, 3, 0, 10, 3, 0)                                                               \
	X(CONTEXTIDR_EL1, 3, 0, 13, 0, 1)

/* Op0..Op2 as the ISS of EC 0x18 holds them: the same packing as SYSREG() (vcpu_internal.h). */
#define TVM_ENC(op0, op1, crn, crm, op2)                                                           \
	(((op0) << 20) | ((op2) << 17) | ((op1) << 14) | ((crn) << 10) | ((crm) << 1))

#define TVM_ENUM(name, op0, op1, crn, crm, op2) TVM_##name,
enum tvm_reg { TVM_REGS(TVM_ENUM) TVM_NR_REGS };
#undef TVM_ENUM

/* The case labels of sysreg_trap.c's switch, one per register above. */
#define TVM_CASE(name, op0, op1, crn, crm, op2) case TVM_ENC(op0, op1, crn, crm, op2):
#define TVM_CASES				TVM_REGS(TVM_CASE)

/* Which TVM register an ISS (masked with SYSREG_ISS_MASK) names, or -1. */
int tvm_reg_decode(uint32_t enc);
const char *tvm_reg_name(enum tvm_reg r);
/* SCTLR_EL1 with the MMU and the data cache both on: the guest's memory is then cacheable. */
bool tvm_caches_on(uint64_t sctlr);

struct vcpu;
/* DC ISW/CSW/CISW from v (fast path): asks v's thread for a flush of the VM's RAM and turns on
 * TVM trapping for v. The guest resumes after the DC once the flush is done. */
void setway_dc(struct vcpu *v);
/* A trapped write of TVM register enc: done on the real register, which holds the guest's
 * value while it runs; a change of cache state asks for a flush. A read (TRVM is never set)
 * gets an undefined instruction: false, the instruction is not to be skipped. */
bool setway_tvm_access(struct vcpu *v, uint32_t enc, bool read, unsigned rt);
/* On v's thread, IRQs enabled, while v->flush_pending: cleans and invalidates the VM's RAM
 * from v->flush_cursor on. Stops at a 2 MiB boundary when another request is pending or the
 * VM is not running (false: call again later); true when the flush is complete. */
bool setway_flush_vm(struct vcpu *v);

#endif
