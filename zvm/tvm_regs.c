/* The registers HCR_EL2.TVM traps, by encoding (pure: unit-tested). */
#include <zvm/setway.h>

#define SCTLR_M (1ULL << 0)
#define SCTLR_C (1ULL << 2)

int tvm_reg_decode(uint32_t enc)
{
#define TVM_DECODE(name, op0, op1, crn, crm, op2)                                                  \
	case TVM_ENC(op0, op1, crn, crm, op2):                                                     \
		return TVM_##name;
	switch (enc) {
		TVM_REGS(TVM_DECODE)
	}
#undef TVM_DECODE
	return -1;
}

const char *tvm_reg_name(enum tvm_reg r)
{
#define TVM_NAME(name, op0, op1, crn, crm, op2) [TVM_##name] = #name,
	static const char *const names[TVM_NR_REGS] = {TVM_REGS(TVM_NAME)};
#undef TVM_NAME

	return (unsigned)r < TVM_NR_REGS ? names[r] : "?";
}

/* As KVM decides: data accesses are cacheable only with both the MMU and the D-cache on. */
bool tvm_caches_on(uint64_t sctlr)
{
	return (sctlr & (SCTLR_M | SCTLR_C)) == (SCTLR_M | SCTLR_C);
}
