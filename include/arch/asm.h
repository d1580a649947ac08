/* Helpers shared by the assembly files. */
#ifndef ARCH_ASM_H
#define ARCH_ASM_H

#define FUNC(name)                                                                                 \
	.global name;                                                                              \
	.type name, % function;                                                                    \
	name:

#define ENDFUNC(name) .size name, .- name

/* The callee-saved registers a call must preserve (AAPCS64: x19-x28; x29 and x30 are saved
 * with the frame), stored as five pairs at [base, #off] .. [base, #off + 72]: the context
 * switch, guest_enter()'s host frame and the recovery frames all keep them so. */
.macro save_x19_x28 base, off stp x19, x20, [\base, #(\off) ] stp x21, x22,
    [\base, #(\off + 16) ] stp x23, x24, [\base, #(\off + 32) ] stp x25, x26,
    [\base, #(\off + 48) ] stp x27, x28,
    [\base, #(\off + 64) ]
	.endm

	.macro load_x19_x28 base,
    off ldp x19, x20, [\base, #(\off) ] ldp x21, x22, [\base, #(\off + 16) ] ldp x23, x24,
    [\base, #(\off + 32) ] ldp x25, x26, [\base, #(\off + 48) ] ldp x27, x28,
    [\base, #(\off + 64) ].endm

#endif
