/* The `zvm` shell commands: create, run, pause, delete, list and attach to VMs. */
#include <drivers/console.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/percpu.h>
#include <kernel/thread.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>
#include <zvm/images.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm_opts.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/vm_stat.h>
#include <zvm/zvm.h>
#include <zvm/zvm_cmd.h>

#define CTRL_X 0x18

/* "-c 2"-style options: the letter, then the value in the next argument. */
static const char *opt_value(int argc, char **argv, char letter)
{
	for (int i = 1; i + 1 < argc; i++)
		if (argv[i][0] == '-' && argv[i][1] == letter && !argv[i][2])
			return argv[i + 1];
	return NULL;
}

static bool opts_known(int argc, char **argv, const char *letters)
{
	for (int i = 1; i < argc; i += 2)
		if (argv[i][0] != '-' || !argv[i][1] || argv[i][2] ||
		    !strchr(letters, argv[i][1]) || i + 1 >= argc)
			return false;
	return true;
}

/* A reference to a VM by id ("0") or by name; the caller puts it. */
struct vm *zvm_cmd_find_vm(const char *s)
{
	uint32_t id;
	struct vm *vm = args_parse_u32(s, &id) ? vm_get_name(s) : vm_get(id);

	if (!vm)
		shell_error("no VM '%s' (see 'zvm info')", s);
	return vm;
}

struct vm *zvm_cmd_vm(int argc, char **argv, int *err)
{
	const char *which = zvm_cmd_which(argc, argv);
	struct vm *vm = which ? zvm_cmd_find_vm(which) : NULL;

	*err = !which ? -EINVAL : !vm ? -ENOENT : 0;
	return vm;
}

/* The long options of `zvm new` (docs/scheduling.md), taken out of argv before the short ones
 * are looked at. Nonzero (the error printed) when one is bad. */
static int new_sched_opts(int *argc, char **argv, struct vm_config *cfg)
{
	_Static_assert(VDEV_NR_OPTIONAL == 2, "the error below names both optional devices");
	int missing;
	const char *v = vm_opts_take(argc, argv, "prio", &missing);

	if (missing) {
		shell_error("--prio needs a value (%u-%u, lower runs first)", VM_PRIO_MIN,
			    VM_PRIO_MAX);
		return -EINVAL;
	}
	if (v && vm_opts_prio(v, &cfg->prio)) {
		shell_error("bad priority '%s' (%u-%u, lower runs first)", v, VM_PRIO_MIN,
			    VM_PRIO_MAX);
		return -EINVAL;
	}
	v = vm_opts_take(argc, argv, "budget", &missing);
	if (missing || (v && vm_opts_budget(v, &cfg->budget_us, &cfg->period_us))) {
		shell_error("bad budget '%s': B/P in ms, e.g. 20/100 (at most B ms of CPU in every "
			    "P ms; P %u-%u ms, B at least %u.%u ms and at most P)",
			    v ? v : "", VM_PERIOD_MIN_US / 1000, VM_PERIOD_MAX_US / 1000,
			    VM_BUDGET_MIN_US / 1000, VM_BUDGET_MIN_US % 1000 / 100);
		return -EINVAL;
	}
	cfg->disk = vm_opts_take(argc, argv, "disk", &missing);
	if (missing) {
		shell_error("--disk needs a host disk: NAME[@FIRST+COUNT][:ro] (see 'kernel blk')");
		return -EINVAL;
	}
	cfg->pass = vm_opts_take(argc, argv, "pass", &missing);
	if (missing) {
		shell_error("--pass needs board device tree nodes: /NODE[,/NODE] (e.g. "
			    "/pl031@9010000)");
		return -EINVAL;
	}
	cfg->shm = vm_opts_take(argc, argv, "shm", &missing);
	if (missing) {
		shell_error(
		    "--shm needs NAME:SIZE_KB@IPA[:ro][,...] (a region shared between VMs)");
		return -EINVAL;
	}
	v = vm_opts_take(argc, argv, "dev", &missing);
	if (missing || (v && vm_opts_devs(v, vdev_optional_names, VDEV_NR_OPTIONAL, &cfg->devs))) {
		shell_error("bad --dev '%s': a comma-separated list of optional devices (%s, %s)",
			    v ? v : "", vdev_optional_names[0], vdev_optional_names[1]);
		return -EINVAL;
	}
	return 0;
}

static int cmd_new(int argc, char **argv)
{
	struct vm_config cfg = {
	    .nr_vcpus = 1, .mem_bytes = 256u << 20, .mem_dynamic = CONFIG_VM_MEM_DYNAMIC};
	const char *v;
	uint32_t n;
	int id;

	if (new_sched_opts(&argc, argv, &cfg) || zvm_cmd_on_crash_opt(&argc, argv, &cfg) ||
	    zvm_cmd_mem_opt(&argc, argv, &cfg))
		return -EIO;
	if (!opts_known(argc, argv, "tcmnp") || !(cfg.type = opt_value(argc, argv, 't')))
		return -EINVAL;
	if ((v = opt_value(argc, argv, 'c')) && (args_parse_u32(v, &n) || !n)) {
		shell_error("bad vCPU count '%s'", v);
		return -EIO; /* said in words: no usage line after it */
	}
	if (v)
		cfg.nr_vcpus = n;
	if ((v = opt_value(argc, argv, 'm'))) {
		if (args_parse_u32(v, &n) || !n || n > 64 * 1024) {
			shell_error("bad memory size '%s' (MiB)", v);
			return -EIO;
		}
		cfg.mem_bytes = (size_t)n << 20;
	}
	cfg.name = opt_value(argc, argv, 'n');
	if ((v = opt_value(argc, argv, 'p')) &&
	    vm_opts_pin(v, cpu_count(), cfg.nr_vcpus > VM_MAX_VCPUS ? 1 : cfg.nr_vcpus,
			cfg.vcpu_mask)) {
		shell_error("bad CPU list '%s' (CPUs 0-%u)", v, cpu_count() - 1);
		return -EIO;
	}
	id = vm_create(&cfg);
	if (id < 0)
		return id;
	struct vm *vm = vm_get((unsigned)id);

	if (vm) {
		shell_print("vm %d created: %s", id, vm->name);
		vm_put(vm);
	}
	return 0;
}

const char *zvm_cmd_which(int argc, char **argv)
{
	return argc == 3 && !strcmp(argv[1], "-n") ? argv[2] : argc == 2 ? argv[1] : NULL;
}

static int vm_op(int argc, char **argv, int (*op)(struct vm *), const char *done)
{
	int err;
	struct vm *vm = zvm_cmd_vm(argc, argv, &err);

	if (!vm)
		return err;
	unsigned id = vm->id;

	err = op(vm);
	if (err)
		vm_op_error(vm, argv[0], err);
	else
		shell_print("vm %u %s", id, done);
	vm_put(vm);
	return err ? -EIO : 0;
}

static int cmd_run(int argc, char **argv)
{
	return vm_op(argc, argv, vm_run, "running");
}

static int cmd_pause(int argc, char **argv)
{
	return vm_op(argc, argv, vm_pause, "paused");
}

static int cmd_delete(int argc, char **argv)
{
	return vm_op(argc, argv, vm_delete, "deleted");
}

/* Debug: `zvm fault -n ID -p PATH` makes the VM's next WFI/WFE exit (fast, slow, locked) or
 * each of its device workers' next pass (worker, worker-mutex) fault at EL2 (a bad pointer),
 * to test that only the VM is stopped (zvm/vcpu_fault.c). Paths that cannot be survived (a
 * spinlock or a mutex held: the host panics) take a confirmation, as `selftest fault` does. */
static const struct {
	const char *name;
	bool worker; /* else a vCPU path */
	uint8_t how; /* VCPU_FAULT_* or VDEV_FAULT_* */
	bool panics;
} fault_paths[] = {
    {"fast", false, VCPU_FAULT_FAST, false},	    {"slow", false, VCPU_FAULT_SLOW, false},
    {"locked", false, VCPU_FAULT_LOCKED, true},	    {"worker", true, VDEV_FAULT_PLAIN, false},
    {"worker-mutex", true, VDEV_FAULT_MUTEX, true},
};

static int cmd_fault(int argc, char **argv)
{
	const char *which = opt_value(argc, argv, 'n'), *path = opt_value(argc, argv, 'p');
	bool confirmed = argc == 6 && !strcmp(argv[5], "--yes-crash");
	unsigned i = 0;

	if (confirmed)
		argc--;
	while (path && i < sizeof(fault_paths) / sizeof(fault_paths[0]) &&
	       strcmp(path, fault_paths[i].name))
		i++;
	if (argc != 5 || !opts_known(argc, argv, "np") || !which || !path ||
	    i == sizeof(fault_paths) / sizeof(fault_paths[0]))
		return -EINVAL;
	if (fault_paths[i].panics && !confirmed) {
		shell_error("zvm fault -p %s panics the host on purpose; confirm with --yes-crash",
			    path);
		return -ECANCELED;
	}
	struct vm *vm = zvm_cmd_find_vm(which);

	if (!vm)
		return -ENOENT;
	/* A worker's fault with that policy deletes the VM, whose workers are then freed while
	 * this loop may still be arming the next one. */
	if (fault_paths[i].worker && vm->on_crash == VM_CRASH_DELETE) {
		shell_error("vm %u is deleted when it crashes: the worker paths need another "
			    "--on-crash policy",
			    vm->id);
		vm_put(vm);
		return -EBUSY;
	}
	/* Said first: a worker's pass starts at once, and its fault report follows. */
	if (fault_paths[i].worker) {
		shell_print("vm %u: its device workers' next pass faults at EL2 (%s path)", vm->id,
			    path);
		vdev_workers_fault_arm(vm, fault_paths[i].how);
	} else {
		shell_print("vm %u: its next WFI exit faults at EL2 (%s path)", vm->id, path);
		vcpu_fault_arm(vm, fault_paths[i].how);
	}
	vm_put(vm);
	return 0;
}

static void print_vm(struct vm *vm, void *arg)
{
	(void)arg;
	shell_print("%-3u %-16s %-10s %5u %7zu  %s", vm->id, vm->name, vm->type->name, vm->nr_vcpus,
		    vm->mem.size >> 20, vm_state_name(vm->state));
}

static int cmd_info(int argc, char **argv)
{
	if (argc > 1)
		return cmd_vm_info(argc, argv);
	shell_print("%-3s %-16s %-10s %5s %7s  %s", "ID", "NAME", "TYPE", "VCPUS", "MEM(MB)",
		    "STATE");
	vm_foreach(print_vm, NULL);
	return 0;
}

/* Per-vCPU scheduling state and counters (zvm/vm_stat.c). */
static int cmd_stat(int argc, char **argv)
{
	struct vm *vm;

	if (argc != 2)
		return -EINVAL;
	vm = zvm_cmd_find_vm(argv[1]);
	if (!vm)
		return -ENOENT;
	vm_stat_print(vm);
	vm_put(vm);
	return 0;
}

static int cmd_types(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	shell_print("%-16s %10s %10s  %s", "TYPE", "KERNEL", "INITRD", "BOOTARGS");
	for (unsigned i = 0; i < guest_type_count(); i++) {
		const struct guest_type *t = guest_type_nth(i);

		shell_print("%-16s %9zuK %9zuK  %s", t->name, t->kernel.size >> 10,
			    t->initrd.size >> 10, t->bootargs ? t->bootargs : "");
	}
	return 0;
}

static int cmd_look(int argc, char **argv)
{
	/* --hvc (last): typed input goes to hvc0, the virtio console, not the PL011. */
	bool hvc = argc >= 3 && !strcmp(argv[argc - 1], "--hvc");
	int n_args = argc - hvc;
	const char *which = n_args == 3 && !strcmp(argv[1], "-n") ? argv[2]
			    : n_args == 2			  ? argv[1]
								  : NULL;
	struct vm *vm;
	size_t lost = 0, dropped;
	bool ring_lost = false;
	int c;

	if (!which)
		return -EINVAL;
	vm = zvm_cmd_find_vm(which);
	if (!vm)
		return -ENOENT;
	if (hvc && !vm->hvc) {
		shell_error("vm %u has no virtio console", vm->id);
		vm_put(vm);
		return -ENODEV;
	}
	shell_print("[attached to vm %u (%s)%s; Ctrl+X returns to the host]", vm->id, vm->name,
		    hvc ? ", typing into hvc0" : "");
	vm_console_attach(vm);
	/* Input never waits for the guest: the vPL011 queues 4 KiB behind its FIFO and drops
	 * beyond, so Ctrl+X is seen at once whatever the guest does. */
	while ((c = console_getc()) != CTRL_X) {
		if (c == CONSOLE_LOST)
			ring_lost = true;
		else if (!(hvc ? virtio_console_receive(vm, (uint8_t)c)
			       : vpl011_receive(vm, (uint8_t)c)))
			lost++;
	}
	dropped = vm_console_detach(vm);
	shell_print("\n[detached from vm %u]", vm->id);
	if (lost)
		shell_print("[%zu typed bytes were dropped: vm %u did not read them]", lost,
			    vm->id);
	if (ring_lost)
		shell_print("[typed input was lost before it reached vm %u: more came than the "
			    "console could hold]",
			    vm->id);
	if (dropped)
		shell_print("[vm%u: %zu bytes dropped before detach]", vm->id, dropped);
	vm_put(vm);
	return 0;
}

static const struct shell_cmd zvm_subcmds[] = {
    SHELL_SUBCMD(new,
		 "-t TYPE [-c VCPUS] [-m MB] [-n NAME] [-p CPUS] [--prio N] [--budget B/P] "
		 "[--on-crash stay|reset|delete] [--mem static|dynamic] [--dev "
		 "virtio-rng,virtio-net] [--disk NAME[@FIRST+COUNT][:ro]] [--pass /NODE[,/NODE]] "
		 "[--shm NAME:SIZE_KB@IPA[:ro][,...]]",
		 "create a VM of a guest type (see 'zvm types')", cmd_new),
    SHELL_SUBCMD(run, "-n ID", "start or resume a VM", cmd_run),
    SHELL_SUBCMD(pause, "-n ID", "pause a running VM", cmd_pause),
    SHELL_SUBCMD(delete, "-n ID", "stop a VM and free all it has", cmd_delete),
    SHELL_SUBCMD(info, "[-n ID]", "list VMs, or one VM in detail", cmd_info),
    SHELL_SUBCMD(reset, "-n ID", "restart a VM from its images (also a halted one)", cmd_reset),
    SHELL_SUBCMD(shutdown, "-n ID [-t SECONDS] [--force]",
		 "power button, then a hard stop after the timeout (default 30 s)", cmd_shutdown),
    SHELL_SUBCMD(look, "ID [--hvc]",
		 "attach the console to a VM (Ctrl+X detaches); --hvc: type into hvc0", cmd_look),
    SHELL_SUBCMD(stat, "ID", "per-vCPU state, placement, priority, CPU time, exits", cmd_stat),
    SHELL_SUBCMD(fault, "-n ID -p fast|slow|locked|worker|worker-mutex [--yes-crash]",
		 "debug: fault at EL2 in the VM's next WFI exit or device work", cmd_fault),
    SHELL_SUBCMD(age, "-n ID", "RAM accessed since the last scan (stage-2 access flags)",
		 cmd_vm_age),
    SHELL_SUBCMD(compress, "-n ID [MB|--all]",
		 "cold pages of a dynamic VM into the compression pool", cmd_vm_compress),
    SHELL_SUBCMD(types, "", "guest types the board offers", cmd_types),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(zvm, "manage virtual machines", zvm_subcmds);
