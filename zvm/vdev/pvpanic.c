/* pvpanic MMIO device (include/zvm/vdev/pvpanic.h). Stateless: the VM is the device. */
#include <zvm/guest_log.h>
#include <zvm/mmio.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/pvpanic.h>
#include <zvm/vm.h>

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

int pvpanic_create(struct vm *vm)
{
	return mmio_register(&vm->mmio, PVPANIC_BASE, PVPANIC_SIZE, &pvpanic_ops, vm);
}
