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
#include <zvm/virtio/virtq.h>
#include <zvm/virtio/virtq_vm.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

struct virtio_mmio_dev {
	struct vdev vdev; /* first: the vdev ops get it */
	/* regs, line and the reset request; held across the vGIC call so line changes reach it
	 * in order (nothing the vGIC calls takes it). */
	struct k_spinlock lock;
	struct virtio_mmio_regs regs;
	bool line;
	bool reset_pending; /* the driver reset the device: ops->reset on the worker */
	bool stopped; /* the VM is going (or its worker faulted): no answer from an interrupt */
	bool told_notify, told_status; /* each guest mistake logged once */
	uint64_t base;
	const struct virtio_dev_ops *ops;
	void *priv;
	unsigned long notifies, broken;
	/* The walker of each queue: the worker's (vdev_reset runs with it quiesced), but for
	 * the used ring, which an interrupt may push to too, under the lock (dev_answer).
	 * vq_gen[q] is regs.resets when vqs[q] was enabled: a later reset makes its work stale. */
	struct virtq vqs[VIRTIO_MMIO_MAX_QUEUES];
	unsigned vq_gen[VIRTIO_MMIO_MAX_QUEUES];
	bool vq_pinned[VIRTIO_MMIO_MAX_QUEUES]; /* a dynamic VM's rings of vqs[q] are pinned */
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
	if (act & VIRTIO_MMIO_ACT_WAKE)
		vdev_worker_kick(&m->vdev);
	else if (act & VIRTIO_MMIO_ACT_RESET)
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

static void signal_driver(struct virtio_mmio_dev *m, uint32_t bits, bool broken,
			  const unsigned *gen);

/* Worker (or quiesced): queue q's walker off, and with it the pins of its rings. */
static void vq_off(struct virtio_mmio_dev *m, unsigned q)
{
	if (m->vq_pinned[q]) {
		virtq_vm_unpin(m->vdev.vm, &m->vqs[q]);
		m->vq_pinned[q] = false;
	}
	virtq_reset(&m->vqs[q]);
}

/* Worker: vqs[q] follows the driver's queue vq as of generation gen; re-enabled when a reset
 * came since, or the driver set the queue up anew. false: the rings are not inside RAM (or
 * misaligned), the device needs a reset. */
static bool sync_vq(struct virtio_mmio_dev *m, unsigned q, const struct virtio_mmio_queue *vq,
		    unsigned gen, uint64_t features)
{
	struct virtq *v = &m->vqs[q];

	if (v->ready && m->vq_gen[q] == gen && v->desc == vq->desc && v->avail == vq->driver &&
	    v->used == vq->device && v->size == vq->num)
		return true;
	vq_off(m, q);
	v->size = (uint16_t)vq->num; /* <= QueueNumMax <= 32768 (the transport's rule) */
	v->desc = vq->desc;
	v->avail = vq->driver;
	v->used = vq->device;
	v->indirect = features & (1ULL << VIRTIO_F_INDIRECT_DESC);
	v->event_idx = features & (1ULL << VIRTIO_F_EVENT_IDX);
	m->vq_gen[q] = gen;
	/* A dynamic VM's rings pinned first: the transport's lock is held on ring accesses. */
	if (virtq_vm_pin(m->vdev.vm, v))
		return false;
	m->vq_pinned[q] = true;
	if (virtq_enable(v) == 0)
		return true;
	vq_off(m, q);
	return false;
}

/* The worker: the device's reset, then each notified queue. */
static void work(struct vdev *d)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool reset = m->reset_pending;
	uint32_t pending = virtio_mmio_take_notifies(&m->regs);
	uint64_t features = m->regs.driver_features;

	m->reset_pending = false;
	k_spin_unlock(&m->lock, key);
	if (reset) {
		for (unsigned q = 0; q < m->regs.nr_queues; q++)
			vq_off(m, q);
		if (m->ops->reset)
			m->ops->reset(m);
	}
	for (unsigned q = 0; pending; q++, pending >>= 1) {
		struct virtio_mmio_queue vq = {0}; /* filled below; LTO cannot tell */
		unsigned resets;

		if (!(pending & 1) || !virtio_mmio_dev_queue(m, q, &vq, &resets))
			continue;
		m->notifies++;
		if (!sync_vq(m, q, &vq, resets, features)) {
			signal_driver(m, 0, true, &resets);
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
	/* The worker is quiesced (vdev_reset_all): the queues' and the device's own reset run
	 * here. */
	for (unsigned q = 0; q < m->regs.nr_queues; q++)
		vq_off(m, q);
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
	      "notifies %lu, worker passes %lu (CPU handed to it %lu)",
	      d->name, (unsigned long long)m->base, d->spis[0], m->regs.device_id, m->regs.status,
	      (unsigned long long)m->regs.driver_features, m->notifies, vdev_worker_runs(d),
	      vdev_worker_handoffs(d));
	/* The worker's counters, read unlocked: a snapshot. */
	for (unsigned q = 0; q < m->regs.nr_queues; q++) {
		const struct virtq *v = &m->vqs[q];

		print("    queue %u: %s, size %u, requests %llu (bad %llu), interrupts %llu "
		      "(suppressed %llu)",
		      q,
		      v->broken	 ? virtq_broken_name(v->broken)
		      : v->ready ? "enabled"
				 : "off",
		      v->size, (unsigned long long)v->stats.chains,
		      (unsigned long long)v->stats.bad, (unsigned long long)v->stats.irqs,
		      (unsigned long long)v->stats.irqs_suppressed);
	}
	if (m->ops->info)
		m->ops->info(m, print);
}

void virtio_mmio_dev_kick(struct virtio_mmio_dev *m, unsigned q)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool wake = virtio_mmio_host_notify(&m->regs, q);

	k_spin_unlock(&m->lock, key);
	if (wake)
		vdev_worker_wake(&m->vdev);
}

static void vdev_stop(struct vdev *d)
{
	struct virtio_mmio_dev *m = (struct virtio_mmio_dev *)d;
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	m->stopped = true; /* after this, no interrupt reaches the vGIC or the VM's memory */
	k_spin_unlock(&m->lock, key);
	if (m->ops->stop)
		m->ops->stop(m);
}

static const struct vdev_ops virtio_vdev_ops = {
    .stop = vdev_stop,
    .reset = vdev_reset,
    .destroy = vdev_destroy,
    .fdt_node = vdev_fdt_node,
    .info = vdev_info,
};

int virtio_mmio_dev_create(struct vm *vm, const struct virtio_dev_ops *ops, void *priv,
			   struct virtio_mmio_dev **out)
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
	for (unsigned q = 0; q < m->regs.nr_queues; q++)
		virtq_init(&m->vqs[q], &virtq_vm_ops, vm, (uint16_t)m->regs.queue_num_max);
	vdev_init(vm, &m->vdev, ops->name, &virtio_vdev_ops);
	if (out)
		*out = m;
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

struct k_sem *virtio_mmio_dev_wake_sem(struct virtio_mmio_dev *m)
{
	return vdev_worker_sem(&m->vdev);
}

void virtio_mmio_dev_rewake(struct virtio_mmio_dev *m)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool pending = m->reset_pending || m->regs.notify_pending;

	k_spin_unlock(&m->lock, key);
	/* A quiesce, a stop or an armed fault also came with a wake the pass may have taken. */
	if (pending || vdev_worker_should_yield(&m->vdev))
		vdev_worker_wake(&m->vdev);
}

uint64_t virtio_mmio_dev_features(struct virtio_mmio_dev *m)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	uint64_t f = m->regs.driver_features;

	k_spin_unlock(&m->lock, key);
	return f;
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

/* gen NULL: whatever the generation; else nothing if a reset came since gen. */
static void signal_driver(struct virtio_mmio_dev *m, uint32_t bits, bool broken,
			  const unsigned *gen)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	if (gen && *gen != m->regs.resets) {
		k_spin_unlock(&m->lock, key);
		return;
	}
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
	signal_driver(m, VIRTIO_MMIO_INT_VRING, false, NULL);
}

void virtio_mmio_dev_config_changed(struct virtio_mmio_dev *m)
{
	signal_driver(m, VIRTIO_MMIO_INT_CONFIG, false, NULL);
}

void virtio_mmio_dev_broken(struct virtio_mmio_dev *m)
{
	signal_driver(m, 0, true, NULL);
}

/* Lock held: a ring access in the call just made broke queue q: DEVICE_NEEDS_RESET once. */
static void lost_queue(struct virtio_mmio_dev *m, unsigned q)
{
	if (m->vqs[q].broken && !(m->regs.status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)) {
		virtio_mmio_needs_reset(&m->regs);
		m->broken++;
	}
}

struct virtq *virtio_mmio_dev_vq(struct virtio_mmio_dev *m, unsigned q, unsigned *gen)
{
	if (q >= m->regs.nr_queues || !m->vqs[q].ready || m->vqs[q].broken)
		return NULL;
	*gen = m->vq_gen[q];
	return &m->vqs[q];
}

int virtio_mmio_dev_pop(struct virtio_mmio_dev *m, unsigned q, unsigned gen, struct virtq_chain *c)
{
	int n = virtq_pop(&m->vqs[q], c);

	if (n == -EIO)
		signal_driver(m, 0, true, &gen);
	return n;
}

/* Under the lock the driver's Status 0 takes: once that write is done, no push of an older
 * generation reaches a used ring (the driver may set up the new one at the same place). A
 * push is two small stores and a barrier. */
int virtio_mmio_dev_push(struct virtio_mmio_dev *m, unsigned q, unsigned gen, uint16_t head,
			 uint32_t len)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	int err = -ESTALE;

	if (gen == m->regs.resets)
		err = virtq_push(&m->vqs[q], head, len);
	k_spin_unlock(&m->lock, key);
	if (err == -EIO)
		signal_driver(m, 0, true, &gen);
	return err;
}

/* Lock held, gen current: the used-buffer interrupt if the driver wants one; a queue that
 * broke on the way asks for a reset. */
static void signal_locked(struct virtio_mmio_dev *m, unsigned q)
{
	if (virtq_should_notify(&m->vqs[q]))
		virtio_mmio_raise(&m->regs, VIRTIO_MMIO_INT_VRING);
	lost_queue(m, q);
	update_line(m);
}

int virtio_mmio_dev_answer(struct virtio_mmio_dev *m, unsigned q, unsigned gen, uint16_t head,
			   uint32_t len, volatile uint8_t *byte, uint8_t val)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	int err = -ESTALE;

	if (gen == m->regs.resets && !m->stopped) {
		*byte = val; /* published by the push's barrier before the used index */
		err = virtq_push(&m->vqs[q], head, len);
		signal_locked(m, q); /* a broken queue notifies nothing, asks for the reset */
	}
	k_spin_unlock(&m->lock, key);
	return err;
}

void virtio_mmio_dev_signal(struct virtio_mmio_dev *m, unsigned q, unsigned gen)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);

	if (gen == m->regs.resets)
		signal_locked(m, q);
	k_spin_unlock(&m->lock, key);
}

bool virtio_mmio_dev_kicks(struct virtio_mmio_dev *m, unsigned q, unsigned gen, bool on)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool more = false;

	if (gen == m->regs.resets) {
		if (on)
			more = virtq_kick_enable(&m->vqs[q]);
		else
			virtq_kick_disable(&m->vqs[q]);
		lost_queue(m, q);
		update_line(m);
	}
	k_spin_unlock(&m->lock, key);
	return more;
}

bool virtio_mmio_dev_stale(struct virtio_mmio_dev *m, unsigned gen)
{
	k_spinlock_key_t key = k_spin_lock(&m->lock);
	bool stale = gen != m->regs.resets;

	k_spin_unlock(&m->lock, key);
	return stale || vdev_worker_should_yield(&m->vdev);
}
