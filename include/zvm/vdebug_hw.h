/* The CPU's breakpoint and watchpoint registers (zvm/vdebug_hw.c), at EL2 only. */
#ifndef ZVM_VDEBUG_HW_H
#define ZVM_VDEBUG_HW_H

#include <zvm/vcpu.h>
#include <zvm/vdebug_regs.h>

/* Disables every breakpoint and watchpoint the CPU has. */
void vdebug_hw_off(const struct vdebug_limits *lim);
/* Writes a vCPU's values, control registers sanitised (vdebug_bcr_hw, vdebug_wcr_hw). */
void vdebug_hw_load(const struct vcpu_debug *d, const struct vdebug_limits *lim);

#endif
