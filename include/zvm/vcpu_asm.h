/* struct vcpu offsets for guest_switch.S; checked against the C layout in zvm/vcpu.c. */
#ifndef ZVM_VCPU_ASM_H
#define ZVM_VCPU_ASM_H

#define VCPU_X0	     0
#define VCPU_PC	     248
#define VCPU_PSTATE  256
#define VCPU_HOST_SP 264
#define VCPU_ESR     272
#define VCPU_FAR     280
#define VCPU_HPFAR   288

#define EC_HVC64    0x16 /* SMC64 is 0x17: both are SMCCC calls */
#define EC_DABT_LOW 0x24 /* a data abort from EL1/EL0: stage 2, so MMIO or nothing */

/* Why guest_enter() returned. */
#define EXIT_SYNC   0
#define EXIT_IRQ    1
#define EXIT_SERROR 2
#define EXIT_FAULT  3 /* an EL2 fault in its exit handler stopped the VM (zvm/vcpu_fault.c) */

#endif
