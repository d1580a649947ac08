/* Trapped system register accesses (EC 0x18): what sysreg_decode() (sysreg_decode.c, pure and
 * fuzzed) says each one is, carried out. */
#include <arch/sysreg.h>
#include <zvm/guest_log.h>
#include <zvm/id_regs.h>
#include <zvm/setway.h>
#include <zvm/stage2.h>
#include <zvm/sysreg_decode.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vptimer.h>

/* The register's name is part of the instruction: one case per encoding. */
#define ID_CASE(crm, op2)                                                                          \
	case ID_REG(crm, op2):                                                                     \
		return read_sysreg_s("S3_0_C0_C" #crm "_" #op2)
#define ID_CASES(crm)                                                                              \
	ID_CASE(crm, 0);                                                                           \
	ID_CASE(crm, 1);                                                                           \
	ID_CASE(crm, 2);                                                                           \
	ID_CASE(crm, 3);                                                                           \
	ID_CASE(crm, 4);                                                                           \
	ID_CASE(crm, 5);                                                                           \
	ID_CASE(crm, 6);                                                                           \
	ID_CASE(crm, 7)

static uint64_t id_reg_read_hw(unsigned id)
{
	switch (id) {
		ID_CASES(1);
		ID_CASES(2);
		ID_CASES(3);
		ID_CASES(4);
		ID_CASES(5);
		ID_CASES(6);
		ID_CASES(7);
	}
	return 0;
}

/* The TLB invalidation the guest made, on this CPU only (op: TLBI_LOCAL(CRm, Op2)): its VMID
 * is the loaded one, and no other CPU uses it until vcpu_load flushes it there. The op is part
 * of the instruction, hence one case per form. Completed here: an nXS form became the plain
 * one, which the guest's DSB ...nXS would not wait for. */
#define TLBI_CASE(crm, op2)                                                                        \
	case TLBI_LOCAL(crm, op2):                                                                 \
		__asm__ volatile("sys #0, c8, c" #crm ", #" #op2 ", %0" ::"r"(x) : "memory");      \
		break
static void tlbi_local(unsigned op, uint64_t x)
{
	switch (op) {
	case TLBI_LOCAL(7, 0): /* VMALLE1: Rt must be 31 (another is CONSTRAINED UNPREDICTABLE) */
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		break;
		TLBI_CASE(7, 1); /* VAE1 */
		TLBI_CASE(7, 2); /* ASIDE1 */
		TLBI_CASE(7, 3); /* VAAE1 */
		TLBI_CASE(7, 5); /* VALE1 */
		TLBI_CASE(7, 7); /* VAALE1 */
		TLBI_CASE(6, 1); /* RVAE1 */
		TLBI_CASE(6, 3); /* RVAAE1 */
		TLBI_CASE(6, 5); /* RVALE1 */
		TLBI_CASE(6, 7); /* RVAALE1 */
	default:		 /* none other decodes (sysreg_decode.c) */
		__asm__ volatile("tlbi vmalle1" ::: "memory");
		break;
	}
	dsb(nsh);
}

void sysreg_trap_handle(struct vcpu *v, uint64_t esr)
{
	uint32_t iss = esr & 0x1ffffff;

	/* The one trapped register on a hot path (every IPI a guest sends): first, ahead of the
	 * decoder. */
	if (__builtin_expect((iss & SYSREG_ISS_MASK) == SR_ICC_SGI1R, 1)) {
		if (!(iss & 1))
			vgic_write_sgi1r(v, vcpu_get_reg(v, (iss >> 5) & 0x1f));
		else
			vcpu_set_reg(v, (iss >> 5) & 0x1f, 0);
		vcpu_skip_a64(v);
		return;
	}
	struct sysreg_access a = sysreg_decode(iss);

	switch (a.cls) {
	case SR_SGI1R: /* taken above */
		break;
	case SR_RAZ_WI:
		if (a.read)
			vcpu_set_reg(v, a.rt, 0);
		break;
	case SR_PTIMER_CTL:
		vptimer_access(v, VPTIMER_CTL, a.read, a.rt);
		break;
	case SR_PTIMER_CVAL:
		vptimer_access(v, VPTIMER_CVAL, a.read, a.rt);
		break;
	case SR_PTIMER_TVAL:
		vptimer_access(v, VPTIMER_TVAL, a.read, a.rt);
		break;
	case SR_SETWAY:
		setway_dc(v);
		break;
	case SR_TVM:
		if (!setway_tvm_access(v, a.enc, a.read, a.rt))
			return;
		break;
	case SR_ID: {
		uint64_t val = id_reg_guest_view(a.id, id_reg_read_hw(a.id), stage2_ipa_bits());

		/* The breakpoint counts every CPU has, not just this one (vdebug.c). */
		vcpu_set_reg(v, a.rt, a.id == ID_AA64DFR0 ? vdebug_guest_dfr0(val) : val);
		break;
	}
	case SR_TLBI:
		tlbi_local(a.id, vcpu_get_reg(v, a.rt));
		v->tlbi_exits++;
		break;
	case SR_DEBUG:
		if (vdebug_access(v, a.enc, a.read, a.rt))
			break;
		/* a debug register the CPU does not have: undefined */
		/* fall through */
	case SR_UNDEF:
		guest_log(v, "%s of unknown system register (ISS 0x%x) at pc 0x%llx: undefined",
			  a.read ? "read" : "write", iss, (unsigned long long)v->regs.pc);
		vcpu_inject_undef(v);
		return;
	}
	vcpu_skip_a64(v);
}
