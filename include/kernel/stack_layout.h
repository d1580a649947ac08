/* Where guarded thread stacks live (kernel/stack.c), as plain numbers: the exception vectors
 * (include/arch/vector_macros.inc) test a stack pointer against them before using it.
 *
 * A window of virtual addresses above anything the identity map reaches (bit 47: physical
 * address ranges stop at 44 bits on the boards we run on; kernel/stack.c checks at boot) is cut
 * into slots of twice the stack size, aligned to it. Each stack fills the upper half of its
 * slot; the lower half stays unmapped and is the guard. So an SP inside the window is in a
 * stack when bit K_STACK_SHIFT is set, and in a guard (an overflow) when it is clear. */
#ifndef KERNEL_STACK_LAYOUT_H
#define KERNEL_STACK_LAYOUT_H

#define K_STACK_SHIFT	       14 /* 16 KiB: CONFIG_THREAD_STACK_SIZE, checked in kernel/stack.c */
#define K_STACK_WINDOW_BIT     47
#define K_STACK_SLOTS	       512 /* VM_MAX VMs of a few vCPUs, plus host threads */
#define K_OVERFLOW_STACK_SHIFT 13  /* per-CPU stack the overflow report runs on: 8 KiB */

#endif
