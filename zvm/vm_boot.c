/* Putting a guest's boot images into its RAM: the kernel and initrd the board DT describes, and
 * a device tree generated from the VM's real configuration (memory, vCPUs, devices). */
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <zvm/images.h>
#include <zvm/loader.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/fw_flash.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm_fdt.h>
#include <zvm/vm_internal.h>

#define VM_FDT_MAX (64 * 1024)

static int write_fdt(struct vm *vm, const struct load_plan *plan)
{
	uint64_t mpidrs[VM_MAX_VCPUS];
	struct vm_fdt_params p = {
	    .ram_base = vm->mem.ipa_base,
	    .ram_size = vm->mem.size,
	    .nr_vcpus = vm->nr_vcpus,
	    .mpidrs = mpidrs,
	    .gicd_base = VGIC_DIST_BASE,
	    .gicd_size = vgic_is_v2() ? VGIC_V2_DIST_SIZE : VGIC_DIST_SIZE,
	    .gicr_base = VGIC_REDIST_BASE,
	    .gicr_size_per_cpu = VGIC_REDIST_SIZE,
	    .gicc_base = vgic_is_v2() ? VGIC_V2_CPU_BASE : 0,
	    .gicc_size = vgic_is_v2() ? VGIC_V2_CPU_SIZE : 0,
	    .uart_base = VPL011_BASE,
	    .uart_spi = VPL011_INTID - 32,
	    .bootargs = vm->type->bootargs,
	    .initrd_start = vm->type->initrd.size ? plan->initrd_ipa : 0,
	    .initrd_end = vm->type->initrd.size ? plan->initrd_ipa + vm->type->initrd.size : 0,
	    .devices = vdev_fdt_nodes,
	    .devices_arg = vm,
	};
	void *buf;
	int err;

	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i]->mpidr & 0xff00ffffffULL;
	buf = k_malloc(VM_FDT_MAX);
	if (!buf)
		return -ENOMEM;
	err = vm_fdt_build(buf, VM_FDT_MAX, &p);
	if (!err)
		err = vm_write(vm, plan->dtb_ipa, buf, VM_FDT_MAX);
	k_free(buf);
	return err;
}

int vm_boot_load(struct vm *vm)
{
	const struct guest_type *t = vm->type;
	const void *kernel = (const void *)(uintptr_t)t->kernel.pa;
	struct load_plan plan;
	int err;

	if (t->firmware) /* the image is the flash (fw_flash.c): nothing to copy */
		err =
		    loader_plan_firmware(t->kernel.size, t->initrd.size, FW_FLASH0_BASE,
					 FW_FLASH_BANK_SIZE, vm->mem.ipa_base, vm->mem.size, &plan);
	else
		err = loader_plan(kernel, t->kernel.size, t->initrd.size, vm->mem.ipa_base,
				  vm->mem.size, &plan);
	if (err)
		return err;
	err = vm_mem_clear(vm);
	if (err)
		return err;
	if (!t->firmware)
		err = vm_write(vm, plan.kernel_ipa, kernel, t->kernel.size);
	if (!err && t->initrd.size)
		err = vm_write(vm, plan.initrd_ipa, (const void *)(uintptr_t)t->initrd.pa,
			       t->initrd.size);
	if (!err)
		err = write_fdt(vm, &plan);
	if (err)
		return err;
	/* The guest starts with its MMU and caches off: make what we wrote visible there. */
	for (struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		dcache_clean_range(b->pa, b->size);
	__asm__ volatile("ic ialluis\n dsb ish\n isb" ::: "memory");
	vm->entry = plan.entry;
	vm->dtb_ipa = plan.dtb_ipa;
	return 0;
}
