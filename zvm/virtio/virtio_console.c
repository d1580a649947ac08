/* virtio console on a virtio-mmio transport (include/zvm/virtio/virtio_console.h): the
 * transmitq drained on the device's worker into the VM's console ring; typed input (`zvm look
 * --hvc`) queued by the shell thread and written into receive buffers by the worker. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/spinlock.h>
#include <lib/byte_ring.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtq.h>
#include <zvm/vm.h>

struct vcons {
	struct vcons_stats stats;  /* worker only */
	struct k_spinlock in_lock; /* input: the shell thread puts, the worker takes */
	struct byte_ring in;
	uint8_t in_buf[VCONS_RX_SIZE];
	uint64_t in_lost; /* typed while the input was full: under in_lock */
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

static size_t pass_pending(void *ctx)
{
	struct vcons_pass *p = ctx;
	struct vcons *vc = virtio_mmio_dev_priv(p->m);
	k_spinlock_key_t key = k_spin_lock(&vc->in_lock);
	size_t n = byte_ring_used(&vc->in);

	k_spin_unlock(&vc->in_lock, key);
	return n;
}

static size_t pass_in(void *ctx, char *buf, size_t max)
{
	struct vcons_pass *p = ctx;
	struct vcons *vc = virtio_mmio_dev_priv(p->m);
	k_spinlock_key_t key = k_spin_lock(&vc->in_lock);
	size_t n = 0;

	while (n < max && byte_ring_used(&vc->in))
		buf[n++] = (char)byte_ring_get(&vc->in);
	k_spin_unlock(&vc->in_lock, key);
	return n;
}

static int pass_pop_rx(void *ctx, struct virtq_chain *c)
{
	struct vcons_pass *p = ctx;

	return virtio_mmio_dev_pop(p->m, VCONS_RXQ, p->gen, c);
}

static int pass_push_rx(void *ctx, uint16_t head, uint32_t len)
{
	struct vcons_pass *p = ctx;

	return virtio_mmio_dev_push(p->m, VCONS_RXQ, p->gen, head, len);
}

/* Input into the receive buffers the driver posted; called for a driver's notification (new
 * buffers) and for a host kick (new input). */
static void fill_rx(struct virtio_mmio_dev *m)
{
	struct vcons *vc = virtio_mmio_dev_priv(m);
	struct vcons_pass pass = {.m = m};
	struct vcons_io io = {
	    .q = virtio_mmio_dev_vq(m, VCONS_RXQ, &pass.gen),
	    .pop = pass_pop_rx,
	    .push = pass_push_rx,
	    .pending = pass_pending,
	    .in = pass_in,
	    .ctx = &pass,
	};

	if (!io.q)
		return;
	int n = vcons_rx_fill(&io, &vc->stats);

	if (n > 0)
		virtio_mmio_dev_signal(m, VCONS_RXQ, pass.gen);
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
	if (queue == VCONS_TXQ)
		drain_tx(m);
	else if (queue == VCONS_RXQ)
		fill_rx(m);
}

static void vcons_info(struct virtio_mmio_dev *m, void (*print)(const char *fmt, ...))
{
	struct vcons *vc = virtio_mmio_dev_priv(m);
	k_spinlock_key_t key = k_spin_lock(&vc->in_lock);
	unsigned waiting = byte_ring_used(&vc->in);
	uint64_t lost = vc->in_lost;

	k_spin_unlock(&vc->in_lock, key);
	/* The worker's counters, read while it may update them: a snapshot, not a sum. */
	print("    hvc0: out %llu bytes (dropped %llu), in %llu bytes (waiting %u, lost %llu)",
	      (unsigned long long)vc->stats.bytes, (unsigned long long)vc->stats.dropped,
	      (unsigned long long)vc->stats.rx_bytes, waiting,
	      (unsigned long long)(lost + vc->stats.rx_dropped));
}

static const struct virtio_dev_ops vcons_ops = {
    .name = "virtio-console",
    .device_id = VIRTIO_ID_CONSOLE,
    .features = (1ULL << VIRTIO_F_INDIRECT_DESC) | (1ULL << VIRTIO_F_EVENT_IDX),
    .nr_queues = 2,
    .queue_num_max = VIRTIO_CONSOLE_QUEUE_SIZE,
    .notify = vcons_notify,
    .info = vcons_info,
    .destroy = k_free,
};

int virtio_console_create(struct vm *vm)
{
	struct vcons *vc = k_calloc(1, sizeof(*vc));

	if (!vc)
		return -ENOMEM;
	byte_ring_init(&vc->in, vc->in_buf, sizeof(vc->in_buf));
	return virtio_mmio_dev_create(vm, &vcons_ops, vc, &vm->hvc);
}

bool virtio_console_receive(struct vm *vm, uint8_t byte)
{
	struct virtio_mmio_dev *m = vm->hvc;
	struct vcons *vc;
	k_spinlock_key_t key;
	bool ok;

	if (!m)
		return false;
	vc = virtio_mmio_dev_priv(m);
	key = k_spin_lock(&vc->in_lock);
	ok = byte_ring_put(&vc->in, byte);
	vc->in_lost += !ok;
	k_spin_unlock(&vc->in_lock, key);
	if (ok)
		virtio_mmio_dev_kick(m, VCONS_RXQ);
	return ok;
}
