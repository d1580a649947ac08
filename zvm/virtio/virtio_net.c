/* virtio-net on the host switch (include/zvm/virtio/virtio_net.h). Locking: spinlocks only, so
 * a holder cannot be preempted or throttled by its VM's CPU budget while other VMs wait (a
 * mutex held by a throttled worker would stall every VM's network until its refill):
 *   sw_lock    the switch table and the port table; held for one table walk and, while a
 *              frame is handed out, one inbox copy per destination port (a frame of at most
 *              VNET_FRAME_MAX bytes; at most VSWITCH_PORTS - 1 copies for a broadcast);
 *   n->lock    a port's inbox; held for one frame copy at most.
 * Never across guest memory accesses. A port leaves the switch in the device's stop, before
 * its worker stops, so no other worker kicks a stopped one. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/init_hook.h>
#include <kernel/spinlock.h>
#include <kernel/time.h>
#include <string.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtio_net.h>
#include <zvm/virtio/virtq.h>
#include <zvm/virtio/vswitch.h>
#include <zvm/vm.h>

#define SEGS 16 /* a frame in more pieces than this is dropped */

struct frame {
	uint16_t len;
	uint8_t data[VNET_FRAME_MAX];
};

struct vnet {
	struct virtio_mmio_dev *m;
	int port; /* on the switch; -1 once stopped */
	uint8_t mac[ETH_ALEN];
	struct k_spinlock lock; /* the inbox */
	/* The inbox, under lock: frames [head, head + count) mod VNET_INBOX. */
	struct frame inbox[VNET_INBOX];
	unsigned head, count;
	/* Counters: tx and rx by the owner's worker, inbox_drops under lock. */
	uint64_t tx_frames, tx_drops, tx_spoofed, rx_frames, rx_drops, inbox_drops;
};

static struct k_spinlock sw_lock;
static struct vswitch sw;
static struct vnet *ports[VSWITCH_PORTS];

static void vnet_init(void)
{
	vswitch_init(&sw);
}
INIT_HOOK(INIT_HOOK_BOOT, vnet_init);

/* sw_lock held (n stays on the switch). */
static void inbox_put(struct vnet *n, const uint8_t *data, size_t len)
{
	k_spinlock_key_t key = k_spin_lock(&n->lock);

	if (n->count == VNET_INBOX) {
		n->inbox_drops++; /* the guest does not take its frames: as a full NIC ring */
	} else {
		struct frame *f = &n->inbox[(n->head + n->count) % VNET_INBOX];

		memcpy(f->data, data, len);
		f->len = (uint16_t)len;
		n->count++;
	}
	k_spin_unlock(&n->lock, key);
}

static void tx_frame(struct vnet *n, const uint8_t *data, size_t len)
{
	k_spinlock_key_t key;
	vswitch_mask_t to;

	/* The host gave the port its MAC and offers no way to change it: a frame from another
	 * source is a guest posing as someone else (or filling the table), never forwarded. */
	if (memcmp(data + ETH_ALEN, n->mac, ETH_ALEN)) {
		n->tx_spoofed++;
		return;
	}
	key = k_spin_lock(&sw_lock);
	to = n->port < 0 ? 0
			 : vswitch_forward(&sw, (unsigned)n->port, data, len, k_uptime_ms() / 1000);
	for (unsigned p = 0; to; p++, to >>= 1) {
		if (!(to & 1) || !ports[p])
			continue;
		inbox_put(ports[p], data, len);
		virtio_mmio_dev_kick(ports[p]->m, VNET_RXQ);
	}
	k_spin_unlock(&sw_lock, key);
}

static void drain_tx(struct virtio_mmio_dev *m, struct vnet *n)
{
	struct virtq_seg segs[SEGS];
	struct virtq_chain c = {.segs = segs, .max = SEGS};
	uint8_t buf[VNET_FRAME_MAX];
	unsigned gen;
	struct virtq *q = virtio_mmio_dev_vq(m, VNET_TXQ, &gen);

	if (!q)
		return;
	do {
		int r, pushed = 0;

		virtio_mmio_dev_kicks(m, VNET_TXQ, gen, false);
		while ((r = virtio_mmio_dev_pop(m, VNET_TXQ, gen, &c)) == 1) {
			uint32_t len = c.read_len - VNET_HDR_LEN;

			/* The header's fields ask for offloads we did not offer: ignored. */
			if (c.bad || c.read_len < VNET_HDR_LEN + ETH_HLEN || len > VNET_FRAME_MAX ||
			    virtq_chain_read(q, &c, VNET_HDR_LEN, buf, len)) {
				n->tx_drops++;
				len = 0;
			}
			if (virtio_mmio_dev_push(m, VNET_TXQ, gen, c.head, 0))
				return; /* reset or broken */
			pushed++;
			if (len) {
				n->tx_frames++;
				tx_frame(n, buf, len);
			}
		}
		if (r < 0)
			return;
		if (pushed)
			virtio_mmio_dev_signal(m, VNET_TXQ, gen);
	} while (virtio_mmio_dev_kicks(m, VNET_TXQ, gen, true));
}

static bool inbox_empty(struct vnet *n)
{
	return !__atomic_load_n(&n->count, __ATOMIC_ACQUIRE);
}

/* Takes the inbox's oldest frame into buf: its length, or 0 when the inbox is empty. */
static size_t inbox_take(struct vnet *n, uint8_t *buf)
{
	k_spinlock_key_t key = k_spin_lock(&n->lock);
	size_t len = 0;

	if (n->count) {
		len = n->inbox[n->head].len;
		memcpy(buf, n->inbox[n->head].data, len);
		n->head = (n->head + 1) % VNET_INBOX;
		n->count--;
	}
	k_spin_unlock(&n->lock, key);
	return len;
}

static void drain_rx(struct virtio_mmio_dev *m, struct vnet *n)
{
	static const uint8_t hdr[VNET_HDR_LEN] = {[10] = 1}; /* num_buffers = 1 (LE) */
	struct virtq_seg segs[SEGS];
	struct virtq_chain c = {.segs = segs, .max = SEGS};
	uint8_t buf[VNET_FRAME_MAX];
	unsigned gen;
	struct virtq *q = virtio_mmio_dev_vq(m, VNET_RXQ, &gen);

	if (!q)
		return;
	for (;;) {
		bool starved = false;
		int pushed = 0;

		virtio_mmio_dev_kicks(m, VNET_RXQ, gen, false);
		/* A buffer first, then the frame: a frame waits in the inbox, not on the stack. */
		while (!inbox_empty(n)) {
			uint32_t len, used;
			int r = virtio_mmio_dev_pop(m, VNET_RXQ, gen, &c);

			if (r < 0)
				return;
			if (!r) {
				starved = true; /* the frame waits for the driver's next buffer */
				break;
			}
			len =
			    (uint32_t)inbox_take(n, buf); /* only this worker takes: still there */
			used = VNET_HDR_LEN + len;
			if (!len || c.bad || c.write_len < used ||
			    virtq_chain_write(q, &c, 0, hdr, sizeof(hdr)) ||
			    virtq_chain_write(q, &c, VNET_HDR_LEN, buf, len)) {
				n->rx_drops++; /* a buffer too small or outside RAM: lost */
				used = 0;
			} else {
				n->rx_frames++;
			}
			if (virtio_mmio_dev_push(m, VNET_RXQ, gen, c.head, used))
				return;
			pushed++;
		}
		if (pushed)
			virtio_mmio_dev_signal(m, VNET_RXQ, gen);
		/* Posted buffers wait for frames, not the other way round: go again only when
		 * frames waited for buffers and some came meanwhile (else the kick, or the next
		 * frame's, brings the worker back). */
		if (!virtio_mmio_dev_kicks(m, VNET_RXQ, gen, true) || !starved)
			return;
	}
}

static void vnet_notify(struct virtio_mmio_dev *m, unsigned queue)
{
	struct vnet *n = virtio_mmio_dev_priv(m);

	if (queue == VNET_TXQ)
		drain_tx(m, n);
	else if (queue == VNET_RXQ)
		drain_rx(m, n);
}

/* The driver reset the device: frames waiting for it are gone, as on a NIC. */
static void vnet_reset(struct virtio_mmio_dev *m)
{
	struct vnet *n = virtio_mmio_dev_priv(m);
	k_spinlock_key_t key = k_spin_lock(&n->lock);

	n->head = n->count = 0;
	k_spin_unlock(&n->lock, key);
}

static void port_leave(struct vnet *n)
{
	k_spinlock_key_t key = k_spin_lock(&sw_lock);

	if (n->port >= 0) {
		vswitch_detach(&sw, (unsigned)n->port);
		ports[n->port] = NULL;
		n->port = -1;
	}
	k_spin_unlock(&sw_lock, key);
}

static void vnet_stop(struct virtio_mmio_dev *m)
{
	port_leave(virtio_mmio_dev_priv(m));
}

/* After the stop, or for a VM whose creation failed half-way (then no worker ever ran). */
static void vnet_destroy(void *priv)
{
	port_leave(priv);
	k_free(priv);
}

static int config_read(void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct vnet *n = dev;
	uint64_t v = 0;

	if (offset >= ETH_ALEN || size > ETH_ALEN - offset)
		return -EINVAL;
	for (unsigned i = size; i-- > 0;)
		v = v << 8 | n->mac[offset + i];
	*val = v;
	return 0;
}

static int config_write(void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	(void)dev;
	(void)offset;
	(void)size;
	(void)val;
	return 0; /* the MAC is read-only without VIRTIO_NET_F_CTRL_MAC_ADDR */
}

static const struct virtio_mmio_config_ops vnet_config = {
    .read = config_read,
    .write = config_write,
};

static void vnet_info(struct virtio_mmio_dev *m, void (*print)(const char *fmt, ...))
{
	const struct vnet *n = virtio_mmio_dev_priv(m);

	print("    net: mac %02x:%02x:%02x:%02x:%02x:%02x, switch port %d, tx %llu (dropped %llu, "
	      "spoofed %llu), rx %llu (dropped %llu, inbox full %llu)",
	      n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5], n->port,
	      (unsigned long long)n->tx_frames, (unsigned long long)n->tx_drops,
	      (unsigned long long)n->tx_spoofed, (unsigned long long)n->rx_frames,
	      (unsigned long long)n->rx_drops, (unsigned long long)n->inbox_drops);
}

static const struct virtio_dev_ops vnet_ops = {
    .name = "virtio-net",
    .device_id = VIRTIO_ID_NET,
    .features = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_F_INDIRECT_DESC) |
		(1ULL << VIRTIO_F_EVENT_IDX),
    .nr_queues = 2,
    .queue_num_max = VIRTIO_NET_QUEUE_SIZE,
    .config = &vnet_config,
    .notify = vnet_notify,
    .reset = vnet_reset,
    .stop = vnet_stop,
    .info = vnet_info,
    .destroy = vnet_destroy,
};

int virtio_net_create(struct vm *vm)
{
	struct vnet *n = k_calloc(1, sizeof(*n));
	k_spinlock_key_t key;
	int port, err;

	if (!n)
		return -ENOMEM;
	n->port = -1;
	n->mac[0] = 0x52;
	n->mac[1] = 0x54;
	n->mac[2] = 0x00;
	n->mac[3] = 0x5a;
	n->mac[4] = (uint8_t)(vm->id >> 8);
	n->mac[5] = (uint8_t)vm->id;
	err = virtio_mmio_dev_create(vm, &vnet_ops, n, &n->m);
	if (err)
		return err; /* n is freed with the VM */
	key = k_spin_lock(&sw_lock);
	port = vswitch_attach(&sw);
	if (port >= 0) {
		n->port = port;
		ports[port] = n;
	}
	k_spin_unlock(&sw_lock, key);
	return port < 0 ? -ENOSPC : 0;
}
