/* Virtual PL061 GPIO (ARM DDI 0190): eight input pins, one of them the guest's power button as
 * on QEMU virt (a gpio-keys node with KEY_POWER in the guest DT). `zvm shutdown` raises the
 * pin; Linux's gpio-keys driver sees the edge and reports the key. Outputs are stored and
 * ignored. */
#ifndef ZVM_VDEV_VPL061_H
#define ZVM_VDEV_VPL061_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

#define VPL061_BASE	 0x09030000ULL
#define VPL061_SIZE	 0x1000ULL
#define VPL061_SPI	 7
#define VPL061_INTID	 (32 + VPL061_SPI)
#define VPL061_POWER_PIN 3

/* Adds the device to the VM's vdevs (its reset: registers and pins as at power-on) and points
 * vm->gpio at it: 0 or a negative errno. */
int vpl061_create(struct vm *vm);
/* Drives an input pin; an edge or level the guest asked for raises the interrupt. */
void vpl061_set_input(struct vm *vm, unsigned pin, bool level);

/* ---- Register logic (vpl061_regs.c): no locks, no side effects outside the struct ---- */

struct vpl061_regs {
	uint8_t in;  /* levels on the pins from outside */
	uint8_t out; /* levels the guest wrote (pins set as outputs) */
	uint8_t dir, is, ibe, iev, ie, ris, afsel;
};

void vpl061_regs_reset(struct vpl061_regs *r);
/* offset from the region base; only byte and word accesses of aligned registers: 0, or -EINVAL
 * for anything else (the access is then answered with an external abort). */
int vpl061_regs_read(struct vpl061_regs *r, uint64_t offset, unsigned size, uint64_t *val);
int vpl061_regs_write(struct vpl061_regs *r, uint64_t offset, unsigned size, uint64_t val);
void vpl061_regs_set_input(struct vpl061_regs *r, unsigned pin, bool level);
/* GPIOMIS: the interrupt line is high while it is non-zero. */
static inline uint8_t vpl061_regs_mis(const struct vpl061_regs *r)
{
	return r->ris & r->ie;
}

#endif
