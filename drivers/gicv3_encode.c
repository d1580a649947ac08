/* GICv3 value encodings and the redistributor walk: no state, no locks, so the host unit tests
 * run them unchanged over a fake register array. */
#include <arch/gicv3_regs.h>
#include <arch/mmio.h>
#include <drivers/gicv3.h>

#define MPIDR_AFF0(m) ((m)&0xff)
#define MPIDR_AFF1(m) (((m) >> 8) & 0xff)
#define MPIDR_AFF2(m) (((m) >> 16) & 0xff)
#define MPIDR_AFF3(m) (((m) >> 32) & 0xff)

uint32_t gicv3_mpidr_to_aff(uint64_t mpidr)
{
	return (uint32_t)(MPIDR_AFF3(mpidr) << 24 | MPIDR_AFF2(mpidr) << 16 |
			  MPIDR_AFF1(mpidr) << 8 | MPIDR_AFF0(mpidr));
}

uint64_t gicv3_mpidr_to_irouter(uint64_t mpidr)
{
	/* IROUTER keeps the affinity fields at MPIDR's bit positions, which also drops MPIDR's
	 * MT/U/RES1 bits [31:24]. */
	return mpidr & GICD_IROUTER_AFF_MASK;
}

uint64_t gicv3_sgi1r_value(unsigned sgi, uint64_t mpidr)
{
	uint64_t aff0 = MPIDR_AFF0(mpidr);

	/* The target list holds Aff0 values 16*RS .. 16*RS+15 of one Aff3.Aff2.Aff1 cluster. */
	return (1ull << (aff0 & 0xf)) | MPIDR_AFF1(mpidr) << ICC_SGI1R_AFF1_SHIFT |
	       (uint64_t)(sgi & 0xf) << ICC_SGI1R_INTID_SHIFT |
	       MPIDR_AFF2(mpidr) << ICC_SGI1R_AFF2_SHIFT | (aff0 >> 4) << ICC_SGI1R_RS_SHIFT |
	       MPIDR_AFF3(mpidr) << ICC_SGI1R_AFF3_SHIFT;
}

unsigned gicv3_typer_nr_irqs(uint32_t gicd_typer)
{
	unsigned n = 32 * (GICD_TYPER_ITLINES(gicd_typer) + 1);

	return n > GIC_INTID_SPECIAL ? GIC_INTID_SPECIAL : n;
}

static bool is_gicv3_frame(uintptr_t rd)
{
	unsigned rev = GIC_PIDR2_ARCHREV(readl(rd + GICR_PIDR2));

	return rev == GIC_ARCHREV_GICV3 || rev == GIC_ARCHREV_GICV4;
}

uintptr_t gicv3_rdist_find(const uint64_t *bases, const uint64_t *sizes, unsigned n, uint64_t mpidr)
{
	uint32_t aff = gicv3_mpidr_to_aff(mpidr);

	for (unsigned i = 0; i < n; i++) {
		uintptr_t rd = bases[i], end = bases[i] + sizes[i];

		if (sizes[i] < GICR_STRIDE_V3 || !is_gicv3_frame(rd))
			continue;
		/* Each redistributor is an RD and an SGI frame, plus two VLPI frames when it
		 * supports direct virtual LPI injection (GICv4). */
		while (rd + GICR_STRIDE_V3 <= end) {
			uint64_t typer = readq(rd + GICR_TYPER);

			if (GICR_TYPER_AFFINITY(typer) == aff)
				return rd;
			if (typer & GICR_TYPER_LAST)
				break;
			rd += (typer & GICR_TYPER_VLPIS) ? GICR_STRIDE_V4 : GICR_STRIDE_V3;
		}
	}
	return 0;
}
