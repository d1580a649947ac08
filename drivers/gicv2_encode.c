/* GICv2 value encodings: no state, no device access, so the host unit tests run them as is. */
#include <arch/gicv3_regs.h>
#include <drivers/gic.h>
#include <drivers/gicv2.h>

uint8_t gicv2_cpu_mask(const uint32_t itargetsr[GICD_NR_ITARGETSR_PRIV])
{
	for (unsigned i = 0; i < GICD_NR_ITARGETSR_PRIV; i++) {
		uint32_t w = itargetsr[i];

		for (unsigned b = 0; b < 4; b++, w >>= 8)
			if (w & 0xff)
				return (uint8_t)w;
	}
	return 0;
}

uint32_t gicv2_sgir_value(unsigned sgi, uint8_t target_mask)
{
	return (uint32_t)target_mask << GICD_SGIR_TARGETS_SHIFT | (sgi & 0xf);
}

uint32_t gicv2_eoir_value(unsigned intid, unsigned src_cpu)
{
	if (intid >= GIC_NR_SGIS)
		return intid;
	return intid | (src_cpu & 0x7) << 10;
}

uint32_t gic_branch_insn(uint64_t from, uint64_t to)
{
	/* B: 0b000101 then a signed 26-bit word offset. */
	int64_t words = ((int64_t)(to - from)) / 4;

	return 0x14000000u | ((uint32_t)words & 0x03ffffffu);
}
