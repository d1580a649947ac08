/* virtio-mmio version 2 register logic (include/zvm/virtio/virtio_mmio.h). Pure. */
#include <errno.h>
#include <stddef.h>
#include <zvm/virtio/virtio_mmio.h>
#include <zvm/virtio/virtq.h>

#define VERSION_1_BIT (1ULL << VIRTIO_F_VERSION_1)

static bool power_of_2(uint32_t n)
{
	return n && !(n & (n - 1));
}

void virtio_mmio_init(struct virtio_mmio_regs *r, uint32_t device_id, uint64_t features,
		      unsigned nr_queues, uint32_t queue_num_max,
		      const struct virtio_mmio_config_ops *config, void *dev)
{
	*r = (struct virtio_mmio_regs){0};
	r->device_id = device_id;
	r->device_features = features | VERSION_1_BIT;
	r->nr_queues = nr_queues < VIRTIO_MMIO_MAX_QUEUES ? nr_queues : VIRTIO_MMIO_MAX_QUEUES;
	if (queue_num_max > VIRTIO_QUEUE_SIZE_MAX)
		queue_num_max = VIRTIO_QUEUE_SIZE_MAX;
	while (queue_num_max && !power_of_2(queue_num_max)) /* down to a power of 2 */
		queue_num_max &= queue_num_max - 1;
	r->queue_num_max = queue_num_max;
	r->config = config;
	r->dev = dev;
}

void virtio_mmio_reset(struct virtio_mmio_regs *r)
{
	r->device_features_sel = 0;
	r->driver_features_sel = 0;
	r->queue_sel = 0;
	r->driver_features = 0;
	r->status = 0;
	r->interrupt_status = 0;
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		r->queues[i] = (struct virtio_mmio_queue){0};
	r->notify_pending = 0;
	r->resets++;
}

/* The queue QueueSel names, or NULL when it names none. */
static struct virtio_mmio_queue *selected(struct virtio_mmio_regs *r)
{
	return r->queue_sel < r->nr_queues ? &r->queues[r->queue_sel] : NULL;
}

/* 2.7 (split virtqueues): alignment of each part, and none may wrap the address space. */
static bool queue_ok(const struct virtio_mmio_regs *r, const struct virtio_mmio_queue *q)
{
	return virtq_shape_ok(q->num, r->queue_num_max, q->desc, q->driver, q->device);
}

static uint32_t read_reg(struct virtio_mmio_regs *r, uint64_t offset)
{
	const struct virtio_mmio_queue *q = selected(r);

	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return r->device_id;
	case VIRTIO_MMIO_VENDOR_ID_REG:
		return VIRTIO_MMIO_VENDOR_ID;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return r->device_features_sel < 2
			   ? (uint32_t)(r->device_features >> (32 * r->device_features_sel))
			   : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? r->queue_num_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return r->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return r->status;
	case VIRTIO_MMIO_SHM_LEN_LOW: /* no shared memory regions: length -1 (4.2.2) */
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffffu;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return r->config_generation;
	default: /* write-only, reserved, or legacy-only registers */
		return 0;
	}
}

int virtio_mmio_read(struct virtio_mmio_regs *r, uint64_t offset, unsigned size, uint64_t *val)
{
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (!r->config || !r->config->read) {
			*val = 0;
			return 0;
		}
		return r->config->read(r->dev, offset - VIRTIO_MMIO_CONFIG, size, val);
	}
	if (size != 4 || (offset & 3))
		return -EINVAL;
	*val = read_reg(r, offset);
	return 0;
}

/* The driver may only add bits (2.1.1); 0 is the reset, handled by the caller. Returns the
 * status to keep, with FEATURES_OK and DRIVER_OK dropped unless their conditions hold. */
static uint32_t checked_status(const struct virtio_mmio_regs *r, uint32_t val)
{
	uint32_t add = val & ~r->status;

	val &= ~VIRTIO_STATUS_DEVICE_NEEDS_RESET; /* the device's bit */
	val |= r->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	if (add & VIRTIO_STATUS_FEATURES_OK) {
		bool ok = (val & VIRTIO_STATUS_DRIVER) &&
			  !(r->driver_features & ~r->device_features) &&
			  (r->driver_features & VERSION_1_BIT);

		if (!ok)
			val &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((add & VIRTIO_STATUS_DRIVER_OK) && !(val & VIRTIO_STATUS_FEATURES_OK))
		val &= ~VIRTIO_STATUS_DRIVER_OK;
	return val;
}

static void write_status(struct virtio_mmio_regs *r, uint32_t val, unsigned *actions)
{
	uint32_t keep;

	if (val == 0) {
		bool line = virtio_mmio_line(r);

		virtio_mmio_reset(r);
		*actions |= VIRTIO_MMIO_ACT_RESET | (line ? VIRTIO_MMIO_ACT_LINE : 0);
		return;
	}
	if (r->status & ~val & ~VIRTIO_STATUS_DEVICE_NEEDS_RESET) { /* clears a bit */
		*actions |= VIRTIO_MMIO_ACT_STATUS_REFUSED;
		return;
	}
	keep = checked_status(r, val);
	if (keep != (val | (r->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET)))
		*actions |= VIRTIO_MMIO_ACT_STATUS_REFUSED;
	r->status = keep;
}

static void notify(struct virtio_mmio_regs *r, uint32_t queue, unsigned *actions)
{
	bool live = (r->status & VIRTIO_STATUS_DRIVER_OK) &&
		    !(r->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) && queue < r->nr_queues &&
		    r->queues[queue].ready;

	if (!live) {
		*actions |= VIRTIO_MMIO_ACT_BAD_NOTIFY;
		return;
	}
	r->notify_pending |= 1u << queue;
	*actions |= VIRTIO_MMIO_ACT_WAKE;
}

/* Low or high half of a 64-bit queue address. */
static void set_half(uint64_t *addr, bool high, uint32_t val)
{
	*addr =
	    high ? (*addr & 0xffffffffULL) | ((uint64_t)val << 32) : (*addr & ~0xffffffffULL) | val;
}

static void write_queue(struct virtio_mmio_regs *r, uint64_t offset, uint32_t val)
{
	struct virtio_mmio_queue *q = selected(r);

	if (!q)
		return;
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		q->ready = val == 1 && queue_ok(r, q);
		/* A queue taken out of service has no notification left for the device: the
		 * worker would serve rings the driver is free to move (found by fuzz_virtio_mmio).
		 */
		if (!q->ready)
			r->notify_pending &= ~(1u << r->queue_sel);
		return;
	}
	if (q->ready) /* its setup is fixed while the device may use it */
		return;
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = val;
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		set_half(&q->driver, offset == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
		break;
	default:
		set_half(&q->device, offset == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
		break;
	}
}

int virtio_mmio_write(struct virtio_mmio_regs *r, uint64_t offset, unsigned size, uint64_t val,
		      unsigned *actions)
{
	uint32_t v = (uint32_t)val;

	*actions = 0;
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (!r->config || !r->config->write)
			return 0;
		return r->config->write(r->dev, offset - VIRTIO_MMIO_CONFIG, size, val);
	}
	if (size != 4 || (offset & 3))
		return -EINVAL;
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		r->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		r->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (!(r->status & VIRTIO_STATUS_DRIVER) || (r->status & VIRTIO_STATUS_FEATURES_OK))
			break; /* only while negotiating */
		if (r->driver_features_sel < 2)
			set_half(&r->driver_features, r->driver_features_sel == 1, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		r->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		write_queue(r, offset, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		notify(r, v, actions);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		if (r->interrupt_status & v) {
			r->interrupt_status &= ~v;
			*actions |= VIRTIO_MMIO_ACT_LINE;
		}
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(r, v, actions);
		break;
	default: /* read-only or reserved: ignored */
		break;
	}
	return 0;
}

void virtio_mmio_raise(struct virtio_mmio_regs *r, uint32_t bits)
{
	bits &= VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG;
	if (bits & VIRTIO_MMIO_INT_CONFIG)
		r->config_generation++;
	r->interrupt_status |= bits;
}

void virtio_mmio_needs_reset(struct virtio_mmio_regs *r)
{
	if (!(r->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (r->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET))
		return;
	r->status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
	r->notify_pending = 0;
	virtio_mmio_raise(r, VIRTIO_MMIO_INT_CONFIG);
}

uint32_t virtio_mmio_take_notifies(struct virtio_mmio_regs *r)
{
	uint32_t n = r->notify_pending;

	r->notify_pending = 0;
	return n;
}

bool virtio_mmio_queue_live(const struct virtio_mmio_regs *r, unsigned q,
			    struct virtio_mmio_queue *out)
{
	if (!(r->status & VIRTIO_STATUS_DRIVER_OK) ||
	    (r->status & VIRTIO_STATUS_DEVICE_NEEDS_RESET) || q >= r->nr_queues ||
	    !r->queues[q].ready)
		return false;
	*out = r->queues[q];
	return true;
}

bool virtio_mmio_host_notify(struct virtio_mmio_regs *r, unsigned q)
{
	struct virtio_mmio_queue unused;

	if (!virtio_mmio_queue_live(r, q, &unused))
		return false;
	r->notify_pending |= 1u << q;
	return true;
}
