/* pvpanic MMIO device (include/zvm/vdev/pvpanic.h): a vdev with no state of its own. */
#include <kernel/heap.h>
#include <zvm/guest_log.h>
#include <zvm/mmio.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/pvpanic.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

static int pvpanic_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	(void)v;
	(void)dev;
	(void)size;
	*val = offset == 0 ? PVPANIC_PANICKED | PVPANIC_CRASH_LOADED : 0;
	return 0;
}

static int pvpanic_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct vm *vm = dev;

	(void)size;
	if (offset != 0)
		return 0;
	if (val & PVPANIC_PANICKED)
		vm_crash(vm, "the guest reported a panic (pvpanic)");
	else if (val & PVPANIC_CRASH_LOADED)
		guest_log(v, "pvpanic: the guest loaded a crash kernel");
	return 0;
}

static const struct mmio_ops pvpanic_ops = {
    .read = pvpanic_read,
    .write = pvpanic_write,
};

static void pvpanic_destroy(struct vdev *d)
{
	k_free(d);
}

static int pvpanic_fdt_node(struct vdev *d, void *fdt)
{
	(void)d;
	return vm_fdt_pvpanic_node(fdt, PVPANIC_BASE);
}

static const struct vdev_ops pvpanic_vdev_ops = {
    .destroy = pvpanic_destroy,
    .fdt_node = pvpanic_fdt_node,
};

int pvpanic_create(struct vm *vm)
{
	struct vdev *d = k_calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	vdev_init(vm, d, "pvpanic", &pvpanic_vdev_ops);
	return vdev_add_mmio(d, PVPANIC_BASE, PVPANIC_SIZE, &pvpanic_ops, vm);
}
