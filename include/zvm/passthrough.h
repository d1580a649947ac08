/* Passthrough of MMIO devices with their interrupts (docs/passthrough.md): a node of the board
 * DT given to one VM. Its registers are mapped in the VM's stage 2 at the same address as
 * Device-nGnRE, execute-never; its node is copied into the guest DT; its SPI is forwarded: the
 * host only drops the priority, the vGIC injects it with the HW bit, and the guest's
 * deactivation deactivates the physical interrupt.
 *
 * Ownership: a device belongs to one VM at a time (claims in passthrough.c); the claim goes
 * when the VM is freed. Interrupt routing: lazy, each forwarded interrupt moves the SPI to the
 * CPU where the target vCPU's thread runs, is queued or last ran (no pinning needed). */
#ifndef ZVM_PASSTHROUGH_H
#define ZVM_PASSTHROUGH_H

#include <stdbool.h>
#include <stdint.h>

struct vm;

/* Gives vm the devices in list: one or more host DT paths separated by ",/" (so "/a,/b"; a
 * comma inside a node name is kept). 0, or a negative errno with a line in words printed
 * (refused node, owned by another VM, no room at that guest address). Called while the VM is
 * built; everything is undone by the VM's free (vdev destroy). */
int passthrough_create(struct vm *vm, const char *list);
/* Whether a node of list that passes the checks has its registers at addr: the VM then does
 * without the emulated device there (QEMU virt's PL061 is where every VM has its power
 * button). Nodes that fail the checks do not count; passthrough_create reports them. */
bool passthrough_covers(const char *list, uint64_t addr);

#endif
