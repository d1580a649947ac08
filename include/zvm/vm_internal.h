/* Between the files of the VM manager (zvm/vm*.c). */
#ifndef ZVM_VM_INTERNAL_H
#define ZVM_VM_INTERNAL_H

#include <stddef.h>
#include <zvm/vm.h>

int vm_mem_init(struct vm *vm, size_t size);
void vm_mem_clear(struct vm *vm);
void vm_mem_free(struct vm *vm);

/* Copies the guest type's images into guest RAM and writes the guest DTB; sets vm->entry and
 * vm->dtb_ipa. Called at creation and on a guest reset. */
int vm_boot_load(struct vm *vm);

#endif
