/* The per-VM device list, its SPI allocator and MMIO registration (include/zvm/vdev/vdev.h).
 * No locks: the list changes only while the VM is built or freed. Pure but for the worker calls
 * (vdev_worker.c; the unit test fakes them). */
#include <errno.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vm.h>

void vdev_init(struct vm *vm, struct vdev *d, const char *name, const struct vdev_ops *ops)
{
	struct vdev_set *s = &vm->vdevs;

	d->name = name;
	d->ops = ops;
	d->vm = vm;
	d->next = NULL;
	if (!s->tail)
		s->tail = &s->head;
	*s->tail = d;
	s->tail = &d->next;
}

int vdev_add_mmio(struct vdev *d, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *dev)
{
	int err;

	if (d->nr_regions == VDEV_MAX_REGIONS)
		return -ENOSPC;
	err = mmio_register(&d->vm->mmio, base, size, ops, dev);
	if (err)
		return err;
	d->regions[d->nr_regions++] = (struct vdev_region){base, size};
	return 0;
}

int vdev_add_spi(struct vdev *d, int want)
{
	struct vdev_set *s = &d->vm->vdevs;
	int spi;

	if (d->nr_spis == VDEV_MAX_SPIS)
		return -ENOSPC;
	if (want == VDEV_SPI_ANY)
		spi = vdev_spi_take_any(s, VDEV_SPI_DYN_BASE);
	else if (want < 0 || want >= VDEV_NR_SPIS)
		return -EINVAL;
	else
		spi = vdev_spi_take(s, (unsigned)want) ? -EBUSY : want;
	if (spi >= 0)
		d->spis[d->nr_spis++] = (unsigned)spi;
	return spi;
}

void vdev_quiesce_all(struct vm *vm)
{
	for (struct vdev *d = vm->vdevs.head; d; d = d->next)
		if (d->worker)
			vdev_worker_quiesce(d);
}

/* All workers quiet before the first reset: one device's worker may touch another device. */
void vdev_reset_all(struct vm *vm)
{
	struct vdev *d;

	vdev_quiesce_all(vm);
	for (d = vm->vdevs.head; d; d = d->next)
		if (d->ops->reset)
			d->ops->reset(d);
	for (d = vm->vdevs.head; d; d = d->next)
		if (d->worker)
			vdev_worker_resume(d);
}

/* The devices' stop first, every one of them, then the workers: a device other VMs' threads
 * can reach must have left them before any worker is gone. Idempotent. */
void vdev_workers_stop(struct vm *vm)
{
	for (struct vdev *d = vm->vdevs.head; d; d = d->next)
		if (d->ops->stop)
			d->ops->stop(d);
	for (struct vdev *d = vm->vdevs.head; d; d = d->next)
		if (d->worker)
			vdev_worker_stop(d);
}

/* Last created first, as a device may use one created before it. */
void vdev_destroy_all(struct vm *vm)
{
	struct vdev *d = vm->vdevs.head, *rev = NULL;

	vdev_workers_stop(vm);
	vm->vdevs.head = NULL;
	vm->vdevs.tail = &vm->vdevs.head;
	while (d) {
		struct vdev *next = d->next;

		d->next = rev;
		rev = d;
		d = next;
	}
	while (rev) {
		struct vdev *next = rev->next;

		for (unsigned i = 0; i < rev->nr_spis; i++)
			vdev_spi_release(&vm->vdevs, rev->spis[i]);
		rev->ops->destroy(rev); /* frees rev */
		rev = next;
	}
}

int vdev_fdt_nodes(void *fdt, void *arg)
{
	struct vm *vm = arg;

	for (struct vdev *d = vm->vdevs.head; d; d = d->next) {
		int err = d->ops->fdt_node ? d->ops->fdt_node(d, fdt) : 0;

		if (err)
			return err;
	}
	return 0;
}

void vdev_info_all(struct vm *vm, void (*print)(const char *fmt, ...))
{
	for (struct vdev *d = vm->vdevs.head; d; d = d->next)
		if (d->ops->info)
			d->ops->info(d, print);
}

int vdev_spi_take(struct vdev_set *s, unsigned spi)
{
	uint32_t bit;

	if (spi >= VDEV_NR_SPIS)
		return -EINVAL;
	bit = 1u << (spi % 32);
	if (s->spi_used[spi / 32] & bit)
		return -EBUSY;
	s->spi_used[spi / 32] |= bit;
	return 0;
}

int vdev_spi_take_any(struct vdev_set *s, unsigned from)
{
	for (unsigned spi = from; spi < VDEV_NR_SPIS; spi++)
		if (!vdev_spi_take(s, spi))
			return (int)spi;
	return -ENOSPC;
}

void vdev_spi_release(struct vdev_set *s, unsigned spi)
{
	if (spi < VDEV_NR_SPIS)
		s->spi_used[spi / 32] &= ~(1u << (spi % 32));
}
