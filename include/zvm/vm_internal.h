/* Between the files of the VM manager (zvm/vm*.c). */
#ifndef ZVM_VM_INTERNAL_H
#define ZVM_VM_INTERNAL_H

#include <stddef.h>
#include <zvm/vm.h>

int vm_mem_init(struct vm *vm, size_t size, bool dynamic);
/* 0, or -ECANCELED when the VM is being deleted meanwhile. */
int vm_mem_clear(struct vm *vm);
void vm_mem_free(struct vm *vm);

/* Copies the guest type's images into guest RAM and writes the guest DTB; sets vm->entry and
 * vm->dtb_ipa. Called at creation and on a guest reset. */
int vm_boot_load(struct vm *vm);

/* Ends the vCPU threads that were started and the device workers (vm.c). The VM is not running
 * or is being deleted. */
void vm_stop_vcpus(struct vm *vm);
/* Takes a VM out of the table and drops the table's reference (vm.c): no new vm_get() finds
 * it, and it is freed at the last vm_put(). */
void vm_unlist(struct vm *vm);
/* Makes every vCPU go back to its loop and look at the VM state (vm_life.c). */
void vm_kick_all(struct vm *vm);

#endif
