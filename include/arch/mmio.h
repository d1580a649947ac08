/* Memory-mapped register access. Each accessor is one ldr/str of exactly its width, written in
 * asm so the compiler can neither merge, split, tear nor elide it: devices care about access
 * width, and a trapped guest access is only decodable (ESR_EL2.ISV=1) for a single plain ldr/str.
 * The "memory" clobber keeps MMIO in program order with the surrounding normal memory accesses;
 * ordering against DMA or other observers still needs an explicit dsb/dmb. */
#ifndef ARCH_MMIO_H
#define ARCH_MMIO_H

#include <stdint.h>

#ifndef UNIT_TEST

#define MMIO_READ(name, type, insn, reg)                                                           \
	static inline type name(uintptr_t addr)                                                    \
	{                                                                                          \
		type v;                                                                            \
		__asm__ volatile(insn " %" reg "0, [%1]" : "=r"(v) : "r"(addr) : "memory");        \
		return v;                                                                          \
	}

#define MMIO_WRITE(name, type, insn, reg)                                                          \
	static inline void name(type v, uintptr_t addr)                                            \
	{                                                                                          \
		__asm__ volatile(insn " %" reg "0, [%1]" : : "rZ"(v), "r"(addr) : "memory");       \
	}

#else /* Host unit tests: the "device" is an ordinary array, read through volatile pointers. */

#define MMIO_READ(name, type, insn, reg)                                                           \
	static inline type name(uintptr_t addr)                                                    \
	{                                                                                          \
		return *(volatile type *)addr;                                                     \
	}

#define MMIO_WRITE(name, type, insn, reg)                                                          \
	static inline void name(type v, uintptr_t addr)                                            \
	{                                                                                          \
		*(volatile type *)addr = v;                                                        \
	}

#endif

MMIO_READ(readb, uint8_t, "ldrb", "w")
MMIO_READ(readw, uint16_t, "ldrh", "w")
MMIO_READ(readl, uint32_t, "ldr", "w")
MMIO_READ(readq, uint64_t, "ldr", "x")

/* Linux argument order: value first, then address. */
MMIO_WRITE(writeb, uint8_t, "strb", "w")
MMIO_WRITE(writew, uint16_t, "strh", "w")
MMIO_WRITE(writel, uint32_t, "str", "w")
MMIO_WRITE(writeq, uint64_t, "str", "x")

#undef MMIO_READ
#undef MMIO_WRITE

#endif
