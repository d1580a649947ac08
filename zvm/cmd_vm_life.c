/* `zvm reset` and `zvm shutdown`, and the one-line errors of every VM state change. */
#include <errno.h>
#include <kernel/thread.h>
#include <shell/args.h>
#include <zvm/vdev/vpl061.h>
#include <shell/shell.h>
#include <string.h>
#include <zvm/vm_opts.h>
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
	case -EPERM:
		shell_error("vm %u took an EL2 fault: it cannot %s; delete it", id, op);
		break;
	default:
		shell_error("vm %u is %s: cannot %s it now", id, vm_state_name(s), op);
	}
}

static const char *const on_crash_names[] = {"stay", "reset", "delete"};

const char *vm_on_crash_name(enum vm_on_crash p)
{
	return (unsigned)p < 3 ? on_crash_names[p] : "?";
}

int zvm_cmd_on_crash_opt(int *argc, char **argv, struct vm_config *cfg)
{
	int missing = 0;
	const char *v = vm_opts_take(argc, argv, "on-crash", &missing);

	if (!v && !missing)
		return 0;
	for (unsigned i = 0; v && i < 3; i++)
		if (!strcmp(v, on_crash_names[i])) {
			cfg->on_crash = (enum vm_on_crash)i;
			return 0;
		}
	shell_error("bad --on-crash '%s' (stay, reset or delete)", v ? v : "");
	return -EINVAL;
}

int cmd_reset(int argc, char **argv)
{
	int err;
	struct vm *vm = zvm_cmd_vm(argc, argv, &err);

	if (!vm)
		return err;
	err = vm_request_reset(vm);
	if (err)
		vm_op_error(vm, "reset", err);
	else
		shell_print("vm %u resetting", vm->id);
	vm_put(vm);
	return err ? -EIO : 0;
}

/* Removes a flag without a value ("--force") from argv; true when it was there. */
static bool take_flag(int *argc, char **argv, const char *flag)
{
	bool found = false;

	for (int i = 1; i < *argc;)
		if (!strcmp(argv[i], flag)) {
			found = true;
			for (int j = i; j + 1 < *argc; j++)
				argv[j] = argv[j + 1];
			(*argc)--;
		} else {
			i++;
		}
	return found;
}

/* The guest's power button, as QEMU virt presses it: an edge on the PL061 pin. Linux's
 * gpio-keys reports KEY_POWER, and its init (or systemd) powers the machine off. */
static void press_power_button(struct vm *vm)
{
	vpl061_set_input(vm, VPL061_POWER_PIN, false);
	vpl061_set_input(vm, VPL061_POWER_PIN, true);
}

#define SHUTDOWN_TIMEOUT_S 30

/* Waits up to timeout_s for the guest to power off; true when it did. */
static bool wait_halted(struct vm *vm, uint32_t timeout_s)
{
	for (uint32_t ms = 0; ms < timeout_s * 1000; ms += 20) {
		if (vm->state != VM_RUNNING)
			return vm->state == VM_HALTED;
		k_sleep_ms(20);
	}
	return false;
}

int cmd_shutdown(int argc, char **argv)
{
	bool force = take_flag(&argc, argv, "--force");
	uint32_t timeout_s = SHUTDOWN_TIMEOUT_S;
	const char *which = NULL, *t = NULL;
	struct vm *vm;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			t = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			which = argv[++i];
		else if (argv[i][0] != '-' && !which)
			which = argv[i];
		else
			return -EINVAL;
	}
	if (!which)
		return -EINVAL;
	if (t && (args_parse_u32(t, &timeout_s) || timeout_s > 3600)) {
		shell_error("bad timeout '%s' (0 to 3600 seconds)", t);
		return -EINVAL;
	}
	vm = zvm_cmd_find_vm(which);
	if (!vm)
		return -ENOENT;
	if (!force) {
		if (vm->state != VM_RUNNING) {
			if (vm->state == VM_HALTED)
				vm_op_error(vm, "shut down", -EALREADY);
			else
				shell_error(
				    "vm %u is %s: only a running guest can react to the power "
				    "button; use --force",
				    vm->id, vm_state_name(vm->state));
			vm_put(vm);
			return -EIO;
		}
		if (!vm->gpio) {
			shell_error("vm %u has no emulated power button: the board's PL061 is "
				    "passed through to it; use --force",
				    vm->id);
			vm_put(vm);
			return -EIO;
		}
		press_power_button(vm);
		shell_print("vm %u: power button pressed; waiting up to %u s", vm->id, timeout_s);
		if (wait_halted(vm, timeout_s)) {
			shell_print("vm %u shut down", vm->id);
			vm_put(vm);
			return 0;
		}
		if (vm->state != VM_RUNNING) { /* crashed, reset or deleted meanwhile */
			shell_error("vm %u is %s now, not halted", vm->id,
				    vm_state_name(vm->state));
			vm_put(vm);
			return -EIO;
		}
		shell_print("vm %u did not power off within %u s: stopping it", vm->id, timeout_s);
	}
	err = vm_power_off(vm);
	if (err)
		vm_op_error(vm, "stop", err);
	else
		shell_print("vm %u stopped", vm->id);
	vm_put(vm);
	return err ? -EIO : 0;
}
