/* VM names: what `zvm new -n` accepts. Pure logic, unit-tested. */
#ifndef ZVM_VM_NAME_H
#define ZVM_VM_NAME_H

#define VM_NAME_MAX 24 /* with the terminating NUL */

/* NULL when name is a good VM name, else why not, in words. A name is 1 to VM_NAME_MAX - 1 of
 * [A-Za-z0-9._-] and not all digits: the shell reads a number as a VM id. */
const char *vm_name_problem(const char *name);

#endif
