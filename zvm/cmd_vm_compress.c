/* `zvm compress -n ID [MB|--all]`: a dynamic VM's cold pages into the compression pool
 * (zvm/mem/compress.c). Runs in the shell thread: low priority, IRQs on, one page per lock
 * section. Without an argument: every cold page (access flag clear since the last scan); MB:
 * at most that many megabytes of cold pages; --all: every resident page, warm ones too.
 * `--corrupt IPA` (debug, the checksum path's test): the pool copy of the compressed page at IPA
 * gets a wrong byte; the guest's next access to it stops the VM with a message. */
#include <errno.h>
#include <kernel/time.h>
#include <shell/args.h>
#include <shell/shell.h>
#include <string.h>
#include <zvm/mem/dyn.h>
#include <zvm/vm.h>
#include <zvm/zvm_cmd.h>

static int corrupt(int argc, char **argv)
{
	uint64_t ipa;
	struct vm *vm;
	int err;

	if (args_parse_u64(argv[4], &ipa)) {
		shell_error("bad IPA '%s'", argv[4]);
		return -EINVAL;
	}
	vm = zvm_cmd_vm(argc - 2, argv, &err);
	if (!vm)
		return err;
	err = mem_dyn_corrupt(vm, ipa);
	if (err)
		shell_error("vm %u: no compressed page at 0x%llx to corrupt (%d)", vm->id,
			    (unsigned long long)ipa, err);
	else
		shell_print("vm %u: the pool copy of its page at 0x%llx is corrupt now", vm->id,
			    (unsigned long long)ipa);
	vm_put(vm);
	return err ? -EIO : 0;
}

int cmd_vm_compress(int argc, char **argv)
{
	struct mem_compress_result r;
	size_t max_pages = (size_t)-1;
	bool all = false;
	int err;
	struct vm *vm;

	if (argc == 5 && !strcmp(argv[3], "--corrupt"))
		return corrupt(argc, argv);
	if (argc == 4 && !strcmp(argv[3], "--all")) {
		all = true;
		argc--;
	} else if (argc == 4) {
		size_t mb = 0;
		const char *c = argv[3];

		while (*c >= '0' && *c <= '9' && mb <= (1u << 20))
			mb = mb * 10 + (size_t)(*c++ - '0');
		if (*c || !mb || mb > (1u << 20)) {
			shell_error("bad size '%s' (MiB, or --all)", argv[3]);
			return -EINVAL;
		}
		max_pages = mb << 8;
		argc--;
	}
	vm = zvm_cmd_vm(argc, argv, &err);
	if (!vm)
		return err;
	err = mem_dyn_compress(vm, max_pages, all, &r);
	if (err == -EINVAL)
		shell_error("vm %u: compress needs a dynamic VM (zvm new --mem dynamic)", vm->id);
	else if (err == -ENODEV)
		shell_error("no compression pool (ZPOOL_MB or /chosen zvm,zpool-size)");
	else if (err)
		shell_error("vm %u: compress failed (%d)", vm->id, err);
	else
		shell_print(
		    "vm %u: %u pages compressed, %u zero, %u kept resident, %u warm skipped, "
		    "%zu KiB saved in %llu us",
		    vm->id, r.compressed, r.zero, r.kept, r.warm, r.saved >> 10,
		    (unsigned long long)k_ticks_to_us(r.ticks));
	vm_put(vm);
	return err ? -EIO : 0;
}
