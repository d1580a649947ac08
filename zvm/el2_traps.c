/* What EL2 traps while guests run, per CPU: HCR_EL2, CPTR_EL2, and the fine-grained trap and
 * HCRX_EL2 registers of newer CPUs. The features decided here match the guests' view of the ID
 * registers (id_regs.c): what is hidden there traps here. */
#include <arch/sysreg.h>
#include <kernel/percpu.h>
#include <zvm/id_regs.h>
#include <zvm/placement.h>
#include <zvm/vcpu_internal.h>
#include <zvm/vm.h>

/* Guest HCR_EL2: stage 2 on, interrupts to EL2, trap what we emulate. Also kept while the host
 * runs: only IMO/FMO/AMO matter at EL2, and they are the host's too. */
#define HCR_VM	   (1ULL << 0)
#define HCR_SWIO   (1ULL << 1)
#define HCR_FMO	   (1ULL << 3)
#define HCR_IMO	   (1ULL << 4)
#define HCR_AMO	   (1ULL << 5)
#define HCR_FB	   (1ULL << 9) /* broadcast TLB/cache maintenance: vCPUs migrate */
#define HCR_BSU_IS (1ULL << 10)
#define HCR_TWI	   (1ULL << 13)
#define HCR_TWE	   (1ULL << 14)
#define HCR_TID3   (1ULL << 18) /* ID registers: guests see zvm/id_regs.c's view */
#define HCR_TSC	   (1ULL << 19)
#define HCR_TIDCP  (1ULL << 20)
#define HCR_TACR   (1ULL << 21)
#define HCR_TSW	   (1ULL << 22)
#define HCR_TTLB   (1ULL << 25) /* per vCPU: its TLB maintenance stays local (sysreg_trap.c) */
#define HCR_TVM	   (1ULL << 26) /* per vCPU: set/way tracking (zvm/setway.c) */
#define HCR_RW	   (1ULL << 31)
#define HCR_TLOR   (1ULL << 35) /* LORegions (hidden from the ID registers) */
#define HCR_TERR   (1ULL << 36) /* RAS error records */
#define HCR_APK	   (1ULL << 40) /* pointer authentication keys: no trap, they are switched */
#define HCR_API	   (1ULL << 41) /* pointer authentication instructions: no trap */
#define HCR_GUEST                                                                                  \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB | HCR_BSU_IS | HCR_TWI |         \
	 HCR_TID3 | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_RW)

#define CPTR_TTA (1ULL << 20)
#define CPTR_TAM (1ULL << 30)

#define FIELD(reg, shift) (((reg) >> (shift)) & 0xf)

static bool pauth;			  /* FEAT_PAuth: the same on every CPU */
static uint64_t hcr_now[CONFIG_MAX_CPUS]; /* what each CPU's HCR_EL2 holds */

bool el2_guests_have_pauth(void)
{
	return pauth;
}

static bool local_tlbi; /* the board's zvm,local-tlbi */

void el2_traps_local_tlbi(bool on)
{
	local_tlbi = on;
}

bool el2_vm_local_tlbi(const struct vm *vm)
{
	return local_tlbi && vm->nr_vcpus == 1;
}

void el2_traps_init_cpu(void)
{
	uint64_t pfr0 = read_sysreg(id_aa64pfr0_el1);
	uint64_t mmfr0 = read_sysreg(id_aa64mmfr0_el1), mmfr1 = read_sysreg(id_aa64mmfr1_el1);
	uint64_t hcr = HCR_GUEST;

	pauth = id_has_pauth(read_sysreg(id_aa64isar1_el1), read_sysreg_s("S3_0_C0_C6_2"));
	if (pauth)
		hcr |= HCR_API | HCR_APK;
	if (FIELD(mmfr1, 16)) /* LO */
		hcr |= HCR_TLOR;
	if (FIELD(pfr0, 28)) /* RAS: error records stay the host's */
		hcr |= HCR_TERR;
	write_sysreg(hcr_el2, hcr);
	hcr_now[cpu_id()] = hcr;

	/* Registers of newer CPUs that reset to UNKNOWN values; zero is "no fine-grained traps"
	 * and "none of the HCRX features", whose EL1 registers then trap and are UNDEFINED. */
	if (FIELD(mmfr0, 56)) {			   /* FGT */
		write_sysreg_s("S3_4_C1_C1_4", 0); /* HFGRTR_EL2 */
		write_sysreg_s("S3_4_C1_C1_5", 0); /* HFGWTR_EL2 */
		write_sysreg_s("S3_4_C1_C1_6", 0); /* HFGITR_EL2 */
		write_sysreg_s("S3_4_C3_C1_4", 0); /* HDFGRTR_EL2 */
		write_sysreg_s("S3_4_C3_C1_5", 0); /* HDFGWTR_EL2 */
	}
	if (FIELD(mmfr1, 40))			   /* HCX */
		write_sysreg_s("S3_4_C1_C2_2", 0); /* HCRX_EL2 */

	/* Activity monitors and trace belong to no guest: their registers trap. */
	uint64_t cptr = read_sysreg(cptr_el2) | CPTR_TTA;

	if (FIELD(pfr0, 44)) /* AMU */
		cptr |= CPTR_TAM;
	write_sysreg(cptr_el2, cptr);
}

void el2_traps_set_vcpu(unsigned cpu_use, bool tvm, bool local_tlbi)
{
	uint64_t *now = &hcr_now[cpu_id()];
	uint64_t hcr = *now & ~(HCR_TWI | HCR_TWE | HCR_TVM | HCR_TTLB);

	if (cpu_use != CPU_DEDICATED)
		hcr |= HCR_TWI;
	if (cpu_use == CPU_OVERCOMMITTED)
		hcr |= HCR_TWE;
	if (tvm)
		hcr |= HCR_TVM;
	if (local_tlbi)
		hcr |= HCR_TTLB;
	/* Takes effect at the guest entry's ERET, a context synchronisation event. */
	if (hcr != *now) {
		write_sysreg(hcr_el2, hcr);
		*now = hcr;
	}
}
