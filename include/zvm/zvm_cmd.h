/* Shared by the files of the `zvm` shell command (zvm/cmd_*.c). */
#ifndef ZVM_ZVM_CMD_H
#define ZVM_ZVM_CMD_H

#include <zvm/vm.h>

/* A reference to the VM named by id or name, or NULL after printing an error. */
struct vm *zvm_cmd_find_vm(const char *s);
/* The VM's id or name from "-n ID" or "ID" (argv[0] is the subcommand); NULL if neither. */
const char *zvm_cmd_which(int argc, char **argv);
/* Both: a reference to the VM the arguments name, or NULL with *err set (-EINVAL for no name,
 * -ENOENT, its error printed, for no such VM). */
struct vm *zvm_cmd_vm(int argc, char **argv, int *err);
/* One line saying why op (a verb: "run", "pause"...) was refused with err in vm's state. */
void vm_op_error(const struct vm *vm, const char *op, int err);

struct vm_config;
/* Takes "--on-crash stay|reset|delete" out of argv into cfg: 0, or -EINVAL after an error. */
int zvm_cmd_on_crash_opt(int *argc, char **argv, struct vm_config *cfg);
const char *vm_on_crash_name(enum vm_on_crash p);

int cmd_reset(int argc, char **argv);
int cmd_shutdown(int argc, char **argv);
int cmd_vm_info(int argc, char **argv);
int cmd_vm_age(int argc, char **argv);
int cmd_vm_compress(int argc, char **argv);
/* `--mem static|dynamic` of zvm new into cfg: 0, or -EINVAL said in words. */
int zvm_cmd_mem_opt(int *argc, char **argv, struct vm_config *cfg);

#endif
