/* virtio-mmio transport as a vdev (include/zvm/virtio/virtio_mmio_vdev.h). */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <libfdt.h>
#include <zvm/guest_log.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vdev/vgic.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

struct virtio_mmio_dev {
	struct vdev vdev; /* first: the vdev ops get it */
	/* regs, line and the reset request; held across the vGIC call so line changes reach it
	 * in order (nothing the vGIC calls takes it). */
	struct k_spinlock lock;
	struct virtio_mmio_regs regs;
	bool line;
	bool reset_pending;	       /* the driver reset the device: ops->reset on the worker */
	bool told_notify, told_status; /* each guest mistake logged once */
	uint64_t base;
	const struct virtio_dev_ops *ops;
	void *priv;
	unsigned long notifies, broken;
};

/* Lock held: the SPI follows InterruptStatus != 0. */
static void update_line(struct virtio_mmio_dev *m)
{
	bool level = virtio_mmio_line(&m->regs);

	if (level != m->line) {
		m->line = level;
		vgic_set_irq(m->vdev.vm, NULL, 32 + m->vdev.spis[0], level);
	}
}

static int mmio_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct virtio_mmio_dev *m = dev;
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	int err = virtio_mmio_read(&m->regs, offset, size, val);

	(void)v;
	k_spin_unlock(&m->lock, key);
	return err;
}

/* Exception context: register updates, the line, and at most a wake of the worker. */
static int mmio_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct virtio_mmio_dev *m = dev;
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	unsigned act;
	int err = virtio_mmio_write(&m->regs, offset, size, val, &act);
	bool tell_notify = false, tell_status = false;

	if (act & VIRTIO_MMIO_ACT_RESET)
		m->reset_pending = true;
	if (act & VIRTIO_MMIO_ACT_LINE)
		update_line(m);
	if ((act & VIRTIO_MMIO_ACT_BAD_NOTIFY) && !m->told_notify)
		tell_notify = m->told_notify = true;
	if ((act & VIRTIO_MMIO_ACT_STATUS_REFUSED) && !m->told_status)
		tell_status = m->told_status = true;
	k_spin_unlock(&m->lock, key);
	if (act & (VIRTIO_MMIO_ACT_WAKE | VIRTIO_MMIO_ACT_RESET))
		vdev_worker_wake(&m->vdev);
	if (tell_notify)
		guest_log(v,
			  "%s: queue notify %u ignored (not DRIVER_OK, no such queue or not ready)",
			  m->vdev.name, (unsigned)val);
	if (tell_status)
		guest_log(v,
			  "%s: status 0x%x refused in part (bits cleared, or FEATURES_OK/DRIVER_OK "
			  "out of order or with features not offered)",
			  m->vdev.name, (unsigned)val);
	return err;
}

static const struct mmio_ops virtio_mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
};

/* [ipa, ipa + len) inside guest RAM. */
static bool in_ram(const struct vm *vm, uint64_t ipa, uint64_t len)
{
	uint64_t base = vm->mem.ipa_base, size = vm->mem.size;

	return ipa >= base && len <= size && ipa - base <= size - len;
}

/* 2.7: descriptor table 16n, available ring 6 + 2n, used ring 6 + 8n bytes. */
static bool rings_in_ram(const struct vm *vm, const struct virtio_mmio_queue *q)
{
	uint64_t n = q->num;

	return in_ram(vm, q->desc, 16 * n) && in_ram(vm, q->driver, 6 + 2 * n) &&
	       in_ram(vm, q->device, 6 + 8 * n);
}

/* The worker: the device's reset, then each notified queue. */
static void work(struct vdev *d)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool reset = m->reset_pending;
	uint32_t pending = virtio_mmio_take_notifies(&m->regs);

	m->reset_pending = false;
	k_spin_unlock(&m->lock, key);
	if (reset && m->ops->reset)
		m->ops->reset(m);
	for (unsigned q = 0; pending; q++, pending >>= 1) {
		struct virtio_mmio_queue vq;
		unsigned resets;

		if (!(pending & 1) || !virtio_mmio_dev_queue(m, q, &vq, &resets))
			continue;
		m->notifies++;
		if (!rings_in_ram(d->vm, &vq)) {
			virtio_mmio_dev_broken(m);
			return;
		}
		if (m->ops->notify)
			m->ops->notify(m, q);
	}
}

static void vdev_reset(struct vdev *d)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	virtio_mmio_reset(&m->regs);
	m->reset_pending = false;
	update_line(m);
	k_spin_unlock(&m->lock, key);
	/* The worker is quiesced (vdev_reset_all): the device's own reset runs here. */
	if (m->ops->reset)
		m->ops->reset(m);
}

static void vdev_destroy(struct vdev *d)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;

	if (m->ops->destroy)
		m->ops->destroy(m->priv);
	k_free(m);
}

/* As QEMU virt writes its transports' nodes. */
static int vdev_fdt_node(struct vdev *d, void *fdt)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;
	int err = vm_fdt_begin_unit(fdt, "virtio_mmio", m->base);

	if (!err)
		err = fdt_property_string(fdt, "compatible", "virtio,mmio");
	if (!err)
		err = vm_fdt_prop_reg(fdt, m->base, VIRTIO_MMIO_SIZE);
	if (!err)
		err = vm_fdt_prop_spi(fdt, d->spis[0]);
	if (!err)
		err = fdt_property(fdt, "dma-coherent", NULL, 0);
	return err ? err : fdt_end_node(fdt);
}

static void vdev_info(struct vdev *d, void (*print)(const char *fmt, ...))
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;

	print("  %s: virtio-mmio at 0x%llx, SPI %u, device id %u, status 0x%x, features 0x%llx, "
	      "notifies %lu, worker passes %lu",
	      d->name, (unsigned long long)m->base, d->spis[0], m->regs.device_id, m->regs.status,
	      (unsigned long long)m->regs.driver_features, m->notifies, vdev_worker_runs(d));
}

static const struct vdev_ops virtio_vdev_ops = {
    .reset = vdev_reset,
    .destroy = vdev_destroy,
    .fdt_node = vdev_fdt_node,
    .info = vdev_info,
};

int virtio_mmio_dev_create(struct vm *vm, const struct virtio_dev_ops *ops, void *priv)
{
	struct virtio_mmio_dev *m = k_calloc(1, sizeof(*m));
	int err = -ENOSPC;

	if (!m) {
		if (ops->destroy)
			ops->destroy(priv);
		return -ENOMEM;
	}
	m->ops = ops;
	m->priv = priv;
	virtio_mmio_init(&m->regs, ops->device_id, ops->features, ops->nr_queues,
			 ops->queue_num_max, ops->config, priv);
	vdev_init(vm, &m->vdev, ops->name, &virtio_vdev_ops);
	for (unsigned i = 0; i < VIRTIO_MMIO_SLOTS && err; i++) {
		m->base = VIRTIO_MMIO_BASE + i * VIRTIO_MMIO_SIZE;
		err = vdev_add_mmio(&m->vdev, m->base, VIRTIO_MMIO_SIZE, &virtio_mmio_ops, m);
		if (err && err != -EBUSY)
			return err;
	}
	if (err)
		return err;
	err = vdev_add_spi(&m->vdev, VDEV_SPI_ANY);
	if (err < 0)
		return err;
	return vdev_worker_init(&m->vdev, work);
}

void *virtio_mmio_dev_priv(const struct virtio_mmio_dev *m)
{
	return m->priv;
}

struct vm *virtio_mmio_dev_vm(const struct virtio_mmio_dev *m)
{
	return m->vdev.vm;
}

bool virtio_mmio_dev_queue(struct virtio_mmio_dev *m, unsigned q, struct virtio_mmio_queue *out,
			   unsigned *resets)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool live = virtio_mmio_queue_live(&m->regs, q, out);

	*resets = m->regs.resets;
	k_spin_unlock(&m->lock, key);
	return live;
}

static void signal_driver(struct virtio_mmio_dev *m, uint32_t bits, bool broken)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	if (broken) {
		virtio_mmio_needs_reset(&m->regs);
		m->broken++;
	} else {
		virtio_mmio_raise(&m->regs, bits);
	}
	update_line(m);
	k_spin_unlock(&m->lock, key);
}

void virtio_mmio_dev_used(struct virtio_mmio_dev *m)
{
	signal_driver(m, VIRTIO_MMIO_INT_VRING, false);
}

void virtio_mmio_dev_config_changed(struct virtio_mmio_dev *m)
{
	signal_driver(m, VIRTIO_MMIO_INT_CONFIG, false);
}

void virtio_mmio_dev_broken(struct virtio_mmio_dev *m)
{
	signal_driver(m, 0, true);
}
