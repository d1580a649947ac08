/* pvpanic (QEMU's docs/specs/pvpanic.rst), MMIO flavour "qemu,pvpanic-mmio": one byte register.
 * Reading it gives the events the host supports; the guest writes an event when it panics.
 * PANICKED makes the VM `crashed` and applies its on-crash policy. */
#ifndef ZVM_VDEV_PVPANIC_H
#define ZVM_VDEV_PVPANIC_H

struct vm;

#define PVPANIC_BASE	     0x090c0000ULL
#define PVPANIC_SIZE	     2ULL
#define PVPANIC_PANICKED     (1u << 0)
#define PVPANIC_CRASH_LOADED (1u << 1)

int pvpanic_create(struct vm *vm);

#endif
