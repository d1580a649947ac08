/* `zvm reset` and `zvm shutdown`, and the one-line errors of every VM state change. */
#include <errno.h>
#include <shell/shell.h>
#include <zvm/zvm.h>
#include <zvm/zvm_cmd.h>

void vm_op_error(const struct vm *vm, const char *op, int err)
{
	enum vm_state s = vm->state;
	unsigned id = vm->id;

	switch (err) {
	case -EALREADY:
		shell_error("vm %u is %s already", id, vm_state_name(s));
		break;
	case -EBUSY:
		shell_error("vm %u is resetting; try again in a moment", id);
		break;
	case -ECANCELED:
		shell_error("vm %u is %s: reset it ('zvm reset -n %u') or delete it", id,
			    vm_state_name(s), id);
		break;
	case -ENOENT:
		shell_error("vm %u is being deleted", id);
		break;
	default:
		shell_error("vm %u is %s: cannot %s it now", id, vm_state_name(s), op);
	}
}

int cmd_reset(int argc, char **argv)
{
	const char *which = zvm_cmd_which(argc, argv);
	struct vm *vm;
	int err;

	if (!which)
		return -EINVAL;
	vm = zvm_cmd_find_vm(which);
	if (!vm)
		return -ENOENT;
	err = vm_request_reset(vm);
	if (err)
		vm_op_error(vm, "reset", err);
	else
		shell_print("vm %u resetting", vm->id);
	vm_put(vm);
	return err ? -EIO : 0;
}
