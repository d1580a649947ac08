/* A virtio device on a virtio-mmio transport, as a vdev: the register block (virtio_mmio.h)
 * behind a lock at the next free slot from VIRTIO_MMIO_BASE, a "virtio,mmio" DT node, one SPI
 * from the VM's allocator that follows InterruptStatus (level), and a worker thread at the
 * VM's priority.
 *
 * The exit path (a guest's MMIO access, exception context) only updates registers and, for a
 * QueueNotify or a reset, wakes the worker. On the worker the device gets, in this order:
 *   ops->reset(m)      after the driver wrote Status 0 (the transport's registers are reset
 *                      at once; the device's own state here);
 *   ops->notify(m, q)  for each queue notified since the last pass, once the queue's rings
 *                      were checked to lie inside guest RAM (else DEVICE_NEEDS_RESET).
 * The device reads the rings with vm_read()/vm_write() through the snapshot
 * virtio_mmio_dev_queue() gives, and signals with virtio_mmio_dev_used(). */
#ifndef ZVM_VIRTIO_VIRTIO_MMIO_VDEV_H
#define ZVM_VIRTIO_VIRTIO_MMIO_VDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/virtio/virtio_mmio.h>

struct vm;
struct virtio_mmio_dev;

/* As QEMU virt: 32 transports of VIRTIO_MMIO_SIZE bytes from here. */
#define VIRTIO_MMIO_BASE  0x0a000000ULL
#define VIRTIO_MMIO_SLOTS 32

struct virtio_dev_ops {
	const char *name; /* vdev and worker thread name */
	uint32_t device_id;
	uint64_t features; /* VIRTIO_F_VERSION_1 is added */
	unsigned nr_queues;
	uint32_t queue_num_max;
	const struct virtio_mmio_config_ops *config; /* NULL: no config space */
	/* All optional; on the worker thread, which may block. */
	void (*reset)(struct virtio_mmio_dev *m);
	void (*notify)(struct virtio_mmio_dev *m, unsigned queue);
	/* When the VM is freed, after the worker stopped: frees priv. */
	void (*destroy)(void *priv);
};

/* Creates the device with priv as its state (config ops get priv): 0 or a negative errno. On
 * an error the VM's teardown frees what was made, priv included (through ops->destroy). */
int virtio_mmio_dev_create(struct vm *vm, const struct virtio_dev_ops *ops, void *priv);
void *virtio_mmio_dev_priv(const struct virtio_mmio_dev *m);
struct vm *virtio_mmio_dev_vm(const struct virtio_mmio_dev *m);
/* A copy of queue q while the driver may use it; *resets tells a later call whether the
 * driver reset the device in between (then drop the work). */
bool virtio_mmio_dev_queue(struct virtio_mmio_dev *m, unsigned q, struct virtio_mmio_queue *out,
			   unsigned *resets);
/* Used buffers are in a used ring: InterruptStatus bit 0, the SPI goes high. */
void virtio_mmio_dev_used(struct virtio_mmio_dev *m);
/* The device's config space changed: ConfigGeneration + 1, InterruptStatus bit 1. */
void virtio_mmio_dev_config_changed(struct virtio_mmio_dev *m);
/* The driver broke a queue: DEVICE_NEEDS_RESET and a config interrupt. */
void virtio_mmio_dev_broken(struct virtio_mmio_dev *m);

#endif
