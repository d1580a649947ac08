/* `zvm stat ID`: per-vCPU scheduling state and exit counters. */
#ifndef ZVM_VM_STAT_H
#define ZVM_VM_STAT_H

struct vm;

/* Prints one header line and one line per vCPU to the shell. */
void vm_stat_print(struct vm *vm);

#endif
