/* System register access. */
#ifndef ARCH_SYSREG_H
#define ARCH_SYSREG_H

#include <stdint.h>

/* Two steps, so that a register named by a macro (include/arch/el.h) is expanded first. */
#define SYSREG_STR_(r) #r
#define SYSREG_STR(r)  SYSREG_STR_(r)

#define read_sysreg(r)                                                                             \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " SYSREG_STR(r) : "=r"(__v));                            \
		__v;                                                                               \
	})

#define write_sysreg(r, v)                                                                         \
	do {                                                                                       \
		uint64_t __v = (uint64_t)(v);                                                      \
		__asm__ volatile("msr " SYSREG_STR(r) ", %0" : : "r"(__v));                        \
	} while (0)

/* Registers without a name the old assemblers know, by encoding. */
#define read_sysreg_s(enc)                                                                         \
	({                                                                                         \
		uint64_t __v;                                                                      \
		__asm__ volatile("mrs %0, " enc : "=r"(__v));                                      \
		__v;                                                                               \
	})
#define write_sysreg_s(enc, v)                                                                     \
	do {                                                                                       \
		uint64_t __v = (uint64_t)(v);                                                      \
		__asm__ volatile("msr " enc ", %0" : : "r"(__v));                                  \
	} while (0)

#define isb()	    __asm__ volatile("isb" ::: "memory")
#define dsb(opt)    __asm__ volatile("dsb " #opt ::: "memory")
#define dmb(opt)    __asm__ volatile("dmb " #opt ::: "memory")
#define wfi()	    __asm__ volatile("wfi" ::: "memory")
#define wfe()	    __asm__ volatile("wfe" ::: "memory")
#define sev()	    __asm__ volatile("sev" ::: "memory")
#define cpu_relax() __asm__ volatile("yield" ::: "memory")

#endif
