/* virtio console (virtio 1.x section 5.3): device id 3, one port (no VIRTIO_CONSOLE_F_MULTIPORT,
 * no F_SIZE, no config space), the guest's hvc0 beside the PL011.
 *   receiveq0  (queue 0, host to guest): the driver posts writable buffers; typed input goes
 *              into them when the user attached with `zvm look --hvc` (by default input goes
 *              to the PL011, the console a QEMU/KVM user types into). Up to VCONS_RX_SIZE
 *              typed bytes wait for buffers; beyond that they are lost (counted).
 *   transmitq0 (queue 1, guest to host): each chain's readable bytes go to the VM's console
 *              ring (vm_console_write, the output `zvm look` shows); returned with len 0.
 * The queue logic is pure (vcons_tx_drain, vcons_rx_fill, unit tested over a fake RAM);
 * virtio_console.c puts it on the virtio-mmio transport. */
#ifndef ZVM_VIRTIO_VIRTIO_CONSOLE_H
#define ZVM_VIRTIO_VIRTIO_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm;
struct virtq;
struct virtq_chain;

#define VIRTIO_ID_CONSOLE	  3
#define VIRTIO_CONSOLE_QUEUE_SIZE 64
#define VCONS_RXQ		  0
#define VCONS_TXQ		  1
/* Bytes of one chain passed to the console; the rest is dropped (counted): Linux sends at most
 * a page per buffer, and a 4 GiB chain must not hold the worker. */
#define VCONS_TX_MAX   (64 * 1024)
#define VCONS_TX_CHUNK 256 /* one vm_console_write, from a stack buffer */
#define VCONS_RX_SIZE  256 /* typed bytes waiting for receive buffers */
#define VCONS_RX_CHUNK 64  /* at most this much input into one receive buffer */

/* How vcons_tx_drain reaches the queue and the console: on the transport in ZVM, straight
 * virtq calls in the tests. pop and push return what virtq_pop / virtq_push do (push may also
 * say -ESTALE: the device was reset, stop). */
struct vcons_io {
	struct virtq *q;
	int (*pop)(void *ctx, struct virtq_chain *c);
	int (*push)(void *ctx, uint16_t head, uint32_t len);
	void (*out)(void *ctx, const char *s, size_t len);
	/* Receive side: how many input bytes wait; takes up to max of them into buf. */
	size_t (*pending)(void *ctx);
	size_t (*in)(void *ctx, char *buf, size_t max);
	void *ctx;
};

struct vcons_stats {
	uint64_t bytes;	     /* passed to the console */
	uint64_t dropped;    /* beyond VCONS_TX_MAX, or unreadable */
	uint64_t rx_bytes;   /* input written into receive buffers */
	uint64_t rx_dropped; /* input taken for a buffer that faulted */
};

/* Serves every available transmit chain: its readable part, in order, to out (at most
 * VCONS_TX_MAX bytes), then the chain back with len 0. Bad requests (buffers outside RAM...)
 * are returned unread. Returns the number of chains returned, or a negative errno from pop or
 * push (-EIO: the queue broke; -ESTALE: a reset) after which nothing more is done. */
int vcons_tx_drain(const struct vcons_io *io, struct vcons_stats *st);
/* While input waits, fills available receive chains: up to VCONS_RX_CHUNK bytes into each
 * chain's writable part, returned with that length; a bad chain goes back with 0 (the input
 * stays). Without chains the input waits. Returns the chains returned, or a negative errno
 * from pop or push as vcons_tx_drain. */
int vcons_rx_fill(const struct vcons_io *io, struct vcons_stats *st);

int virtio_console_create(struct vm *vm);
/* Typed input for hvc0 (`zvm look --hvc`), any thread: queued for the receiveq and the device's
 * worker kicked. false: no virtio console, or VCONS_RX_SIZE bytes wait already (lost). */
bool virtio_console_receive(struct vm *vm, uint8_t byte);

#endif
