/* virtio console on a virtio-mmio transport (include/zvm/virtio/virtio_console.h): the
 * transmitq drained on the device's worker into the VM's console ring. */
#include <errno.h>
#include <kernel/heap.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtq.h>
#include <zvm/vm.h>

struct vcons {
	struct vcons_stats stats; /* worker only */
};

/* One drain pass's context: the transport calls with the generation of the pass. */
struct vcons_pass {
	struct virtio_mmio_dev *m;
	unsigned gen;
};

static int pass_pop(void *ctx, struct virtq_chain *c)
{
	struct vcons_pass *p = ctx;

	return virtio_mmio_dev_pop(p->m, VCONS_TXQ, p->gen, c);
}

static int pass_push(void *ctx, uint16_t head, uint32_t len)
{
	struct vcons_pass *p = ctx;

	return virtio_mmio_dev_push(p->m, VCONS_TXQ, p->gen, head, len);
}

/* vm_console_write only copies into the ring and offers the bytes to the host console's
 * buffer (never waits for the UART): the worker is not held. */
static void pass_out(void *ctx, const char *s, size_t len)
{
	struct vcons_pass *p = ctx;

	vm_console_write(virtio_mmio_dev_vm(p->m), s, len);
}

static void drain_tx(struct virtio_mmio_dev *m)
{
	struct vcons *vc = virtio_mmio_dev_priv(m);
	struct vcons_pass pass = {.m = m};
	struct vcons_io io = {
	    .q = virtio_mmio_dev_vq(m, VCONS_TXQ, &pass.gen),
	    .pop = pass_pop,
	    .push = pass_push,
	    .out = pass_out,
	    .ctx = &pass,
	};

	if (!io.q)
		return;
	/* Kicks off while draining; on again, and drain once more if chains came meanwhile. */
	do {
		int n;

		virtio_mmio_dev_kicks(m, VCONS_TXQ, pass.gen, false);
		n = vcons_tx_drain(&io, &vc->stats);
		if (n < 0)
			return; /* broken (NEEDS_RESET set) or reset: nothing more this pass */
		if (n)
			virtio_mmio_dev_signal(m, VCONS_TXQ, pass.gen);
	} while (virtio_mmio_dev_kicks(m, VCONS_TXQ, pass.gen, true));
}

static void vcons_notify(struct virtio_mmio_dev *m, unsigned queue)
{
	/* receiveq buffers wait for input, which goes to the PL011 (see the header). */
	if (queue == VCONS_TXQ)
		drain_tx(m);
}

static const struct virtio_dev_ops vcons_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .features = (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX),
    .nr_queues = 2,
    .queue_num_max = VIRTIO_CONSOLE_QUEUE_SIZE,
    .notify = vcons_notify,
    .destroy = k_free,
};

int virtio_console_create(struct vm *vm)
{
	struct vcons *vc = k_calloc(1, sizeof(*vc));

	if (!vc)
		return -ENOMEM;
	return virtio_mmio_dev_create(vm, &vcons_ops, vc, NULL);
}
