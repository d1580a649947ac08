/* Creating the board DT's boot-time VMs (include/zvm/boot_vms.h) before the shell prompt. A
 * bad node is reported in words and skipped: the other VMs and the host still come up. */
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <zvm/boot_vms.h>

unsigned boot_vms_start(void)
{
	const void *fdt = host_dtb();
	unsigned created = 0;
	char err[BOOT_VM_ERR_LEN];

	for (int node = boot_vm_next(fdt, -1); node >= 0; node = boot_vm_next(fdt, node)) {
		const char *node_name = fdt_get_name(fdt, node, NULL);
		struct boot_vm bvm;
		struct vm *vm;
		int id;

		if (boot_vm_parse(fdt, node, cpu_count(), &bvm, err, sizeof(err))) {
			pr_err("boot VM /chosen/%s: %s; skipped\n", node_name, err);
			continue;
		}
		id = vm_create(&bvm.cfg); /* prints its own reason */
		if (id < 0) {
			pr_err("boot VM /chosen/%s: not created; skipped\n", node_name);
			continue;
		}
		created++;
		vm = vm_get((unsigned)id);
		if (!vm)
			continue;
		if (bvm.cfg.autostart && vm_run(vm))
			pr_err("boot VM /chosen/%s: vm %d created but did not start\n", node_name,
			       id);
		else
			pr_info("boot VM %s: vm %d, %s, %u vCPU(s), %zu MiB, %s\n", vm->name, id,
				bvm.cfg.type, bvm.cfg.nr_vcpus, bvm.cfg.mem_bytes >> 20,
				bvm.cfg.autostart ? "running" : "created");
		vm_put(vm);
	}
	return created;
}

/* In the main thread, every CPU online, before the shell prompt. */
static void boot_vms_hook(void)
{
	boot_vms_start();
}
INIT_HOOK(INIT_HOOK_LATE, boot_vms_hook);
