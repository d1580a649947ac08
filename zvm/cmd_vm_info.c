/* `zvm info -n ID`: one VM in detail. Its state and policy, each vCPU (power, thread state,
 * physical CPU, priority, CPU time, exits by reason), its memory blocks and its devices. */
#include <errno.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <shell/shell.h>
#include <zvm/images.h>
#include <zvm/vcpu.h>
#include <zvm/shm.h>
#include <zvm/vdev/pvpanic.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/vm_opts.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/zvm.h>
#include <zvm/zvm_cmd.h>

static const char *power_name(enum vcpu_power p)
{
	return p == VCPU_ON ? "on" : p == VCPU_ON_PENDING ? "pending" : "off";
}

static void print_vcpus(const struct vm *vm)
{
	shell_print("vCPUs:");
	shell_print("  %-4s %-7s %-9s %3s %4s %9s %9s %8s %8s %8s %8s %8s", "VCPU", "POWER",
		    "THREAD", "CPU", "PRIO", "TIME(ms)", "EXITS", "WFI", "IRQ", "HVC", "MMIO",
		    "OTHER");
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpus[i];
		struct k_thread_info ti;
		uint64_t known = v->wfi_exits + v->irq_exits + v->hvc_exits + v->mmio_exits;

		if (k_thread_get_info(&v->thread, &ti)) {
			ti.state = "stopped";
			ti.cpu = -1;
			ti.prio = -1;
			ti.runtime_ticks = 0;
		}
		shell_print("  %-4u %-7s %-9s %3d %4d %9llu %9llu %8llu %8llu %8llu %8llu %8llu", i,
			    power_name(v->power), ti.state, ti.cpu, ti.prio,
			    (unsigned long long)k_ticks_to_ms(ti.runtime_ticks),
			    (unsigned long long)v->exits, (unsigned long long)v->wfi_exits,
			    (unsigned long long)v->irq_exits, (unsigned long long)v->hvc_exits,
			    (unsigned long long)v->mmio_exits,
			    (unsigned long long)(v->exits > known ? v->exits - known : 0));
	}
}

static void print_memory(const struct vm *vm)
{
	unsigned n = 0;

	for (const struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		n++;
	if (vm->mem.dynamic) {
		/* A snapshot without the lock: the figures may be one fault apart. */
		const struct mem_dyn *d = &vm->mem.dyn;
		size_t held = d->resident + (d->compressed + d->zero) * 4096;

		shell_print("memory: %zu MiB dynamic: %zu KiB resident, %zu KiB never touched",
			    vm->mem.size >> 20, d->resident >> 10,
			    (vm->mem.size > held ? vm->mem.size - held : 0) >> 10);
		shell_print("compressed: %zu pages in %zu KiB of pool, zero: %zu pages",
			    d->compressed, d->pool_bytes >> 10, d->zero);
		shell_print("page-in: %llu decompressed, zpool_load fewest %llu ticks, "
			    "on the vCPU thread fewest %llu ticks, zpool_load total %llu ticks",
			    (unsigned long long)d->loads, (unsigned long long)d->load_ticks_min,
			    (unsigned long long)d->fault_ticks_min,
			    (unsigned long long)d->load_ticks_sum);
	} else
		shell_print("memory: %zu MiB in %u block(s)", vm->mem.size >> 20, n);
	shell_print("cache flushes (set/way): %llu, %llu KiB cleaned",
		    (unsigned long long)vm->cache_flushes,
		    (unsigned long long)(vm->cache_flush_bytes >> 10));
	if (vm->nr_vcpus && vm->vcpus[0]->local_tlbi) /* one vCPU (el2_vm_local_tlbi) */
		shell_print("TLB invalidations: on its CPU only, %llu trapped",
			    (unsigned long long)vm->vcpus[0]->tlbi_exits);
	else
		shell_print("TLB invalidations: broadcast by the guest");
	for (const struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		shell_print("  IPA 0x%llx-0x%llx  host 0x%llx  %zu MiB", (unsigned long long)b->ipa,
			    (unsigned long long)(b->ipa + b->size), (unsigned long long)b->pa,
			    b->size >> 20);
}

#define STR_(x) #x
#define STR(x)	STR_(x)

/* What each MMIO region is, by its base (the guest memory map of include/zvm/vdev/). */
static const char *device_name(uint64_t base)
{
	switch (base) {
	case VGIC_DIST_BASE:
		return vgic_is_v2() ? "GICv2 distributor" : "GICv3 distributor";
	case VGIC_REDIST_BASE:
		return "GICv3 redistributors";
	case VPL011_BASE:
		return "PL011 UART (console), SPI " STR(VPL011_SPI);
	case VPL061_BASE:
		return "PL061 GPIO (power button: pin " STR(VPL061_POWER_PIN) "), SPI " STR(
		    VPL061_SPI);
	case PVPANIC_BASE:
		return "pvpanic";
	case SHM_DB_BASE:
		return "shm doorbell (see below)";
	default:
		if (base >= VIRTIO_MMIO_BASE &&
		    base < VIRTIO_MMIO_BASE + VIRTIO_MMIO_SLOTS * VIRTIO_MMIO_SIZE)
			return "virtio-mmio (see below)";
		return "?";
	}
}

static void print_devices(struct vm *vm)
{
	shell_print("devices:");
	for (unsigned i = 0; i < vm->mmio.nr; i++) {
		const struct mmio_region *r = &vm->mmio.regions[i];

		shell_print("  0x%08llx-0x%08llx  %s", (unsigned long long)r->base,
			    (unsigned long long)(r->base + r->size), device_name(r->base));
	}
	/* Not an MMIO region (the guest reaches it without exits), but part of its GIC. */
	if (vgic_is_v2())
		shell_print("  0x%08llx-0x%08llx  GICv2 CPU interface (the host's GICV, mapped)",
			    VGIC_V2_CPU_BASE, VGIC_V2_CPU_BASE + VGIC_V2_CPU_SIZE);
	/* The vdevs' own lines (virtio: per-queue request counts); the list is fixed while we
	 * hold the VM. */
	vdev_info_all(vm, shell_print);
}

int cmd_vm_info(int argc, char **argv)
{
	int err;
	struct vm *vm = zvm_cmd_vm(argc, argv, &err);

	if (!vm)
		return err;
	const char *step = vm->reset_step;

	shell_print("vm %u: name %s, type %s, state %s%s%s%s, on-crash %s", vm->id, vm->name,
		    vm->type->name, vm_state_name(vm->state), step ? " (" : "", step ? step : "",
		    step ? ")" : "", vm_on_crash_name(vm->on_crash));
	print_vcpus(vm);
	print_memory(vm);
	print_devices(vm);
	vm_put(vm);
	return 0;
}

/* `zvm age -n ID`: how much of the VM's RAM it touched since the last `zvm age` (or since it
 * was mapped), by the stage-2 access flags, which are cleared for the next period. */
int cmd_vm_age(int argc, char **argv)
{
	uint64_t accessed;
	int err;
	struct vm *vm = zvm_cmd_vm(argc, argv, &err);

	if (!vm)
		return err;
	err = vm_mem_age(vm, &accessed);
	if (err)
		shell_print("vm %u: access scan failed (%d)", vm->id, err);
	else
		shell_print("vm %u: %llu KiB of %zu KiB accessed since the last scan", vm->id,
			    (unsigned long long)(accessed >> 10), vm->mem.size >> 10);
	vm_put(vm);
	return err ? -EIO : 0;
}

int zvm_cmd_mem_opt(int *argc, char **argv, struct vm_config *cfg)
{
	int missing = 0;
	const char *v = vm_opts_take(argc, argv, "mem", &missing);

	if (!v && !missing)
		return 0;
	if (v && !vm_opts_mem(v, &cfg->mem_dynamic))
		return 0;
	shell_error("bad --mem '%s' (static or dynamic)", v ? v : "");
	return -EINVAL;
}
