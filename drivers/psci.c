/* PSCI client over the SMC Calling Convention. */
#include <arch/psci_defs.h>
#include <arch/sysreg.h>
#include <drivers/console.h>
#include <drivers/psci.h>
#include <errno.h>
#include <kernel/printk.h>

#define CURRENT_EL_EL2 (2u << 2) /* CurrentEL.EL sits in bits 3:2 */

static bool use_hvc;

struct smccc_res {
	uint64_t a0, a1, a2, a3;
};

/* One SMCCC call: arguments in x0-x3, results in x0-x3. SMCCC 1.1 lets the callee keep x4-x17,
 * but before 1.1 they were scratch and we do not know the version yet, so they are clobbered. */
#define SMCCC_CALL(insn, fid, a1, a2, a3)                                                          \
	({                                                                                         \
		register uint64_t r0 __asm__("x0") = (fid);                                        \
		register uint64_t r1 __asm__("x1") = (a1);                                         \
		register uint64_t r2 __asm__("x2") = (a2);                                         \
		register uint64_t r3 __asm__("x3") = (a3);                                         \
		__asm__ volatile(insn                                                              \
				 : "+r"(r0), "+r"(r1), "+r"(r2), "+r"(r3)                          \
				 :                                                                 \
				 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", \
				   "x14", "x15", "x16", "x17", "memory");                          \
		(struct smccc_res){r0, r1, r2, r3};                                                \
	})

static struct smccc_res smccc_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	if (use_hvc)
		return SMCCC_CALL("hvc #0", fid, a1, a2, a3);
	return SMCCC_CALL("smc #0", fid, a1, a2, a3);
}

/* PSCI returns a signed 32-bit code in w0. */
static int psci_call(uint32_t fid, uint64_t a1, uint64_t a2, uint64_t a3)
{
	return (int32_t)smccc_call(fid, a1, a2, a3).a0;
}

static int psci_to_errno(int ret)
{
	switch (ret) {
	case PSCI_RET_SUCCESS:
		return 0;
	case PSCI_RET_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case PSCI_RET_INVALID_PARAMS:
		return -EINVAL;
	case PSCI_RET_DENIED:
		return -EPERM;
	case PSCI_RET_ALREADY_ON:
		return -EALREADY;
	case PSCI_RET_ON_PENDING:
		return -EINPROGRESS;
	case PSCI_RET_NOT_PRESENT:
		return -ENODEV;
	case PSCI_RET_DISABLED:
		return -EACCES;
	case PSCI_RET_INVALID_ADDRESS:
		return -EFAULT;
	default: /* INTERNAL_FAILURE and anything undefined */
		return -EIO;
	}
}

void psci_init(bool hvc)
{
	if (hvc && (read_sysreg(CurrentEL) & 0xc) == CURRENT_EL_EL2) {
		pr_warn(
		    "psci: the DTB asks for HVC, but at EL2 that traps to ourselves: using SMC\n");
		hvc = false;
	}
	use_hvc = hvc;

	int v = psci_version();

	if (v < 0)
		pr_warn("psci: PSCI_VERSION failed (%d)\n", v);
	else
		pr_info("psci: PSCI %u.%u via %s\n", PSCI_VERSION_MAJOR((unsigned)v),
			PSCI_VERSION_MINOR((unsigned)v), use_hvc ? "hvc" : "smc");
}

int psci_version(void)
{
	int v = psci_call(PSCI_VERSION, 0, 0, 0);

	/* A valid version has bit 31 clear; error codes are negative. */
	return v < 0 ? psci_to_errno(v) : v;
}

int psci_cpu_on(uint64_t target_mpidr, uintptr_t entry, uint64_t context_id)
{
	return psci_to_errno(psci_call(PSCI_CPU_ON_64, target_mpidr, entry, context_id));
}

int psci_features(uint32_t fid)
{
	int ret = psci_call(PSCI_FEATURES, fid, 0, 0);

	return ret < 0 ? psci_to_errno(ret) : ret;
}

_Noreturn static void idle_forever(void)
{
	for (;;)
		wfi();
}

_Noreturn void psci_system_off(void)
{
	console_flush(); /* what is queued, before the power goes */
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	pr_err("psci: SYSTEM_OFF returned\n");
	idle_forever();
}

_Noreturn void psci_system_reset(void)
{
	console_flush(); /* what is queued, before the power goes */
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	pr_err("psci: SYSTEM_RESET returned\n");
	idle_forever();
}
