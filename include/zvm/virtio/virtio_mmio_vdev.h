/* A virtio device on a virtio-mmio transport, as a vdev: the register block (virtio_mmio.h)
 * behind a lock at the next free slot from VIRTIO_MMIO_BASE, a "virtio,mmio" DT node, one SPI
 * from the VM's allocator that follows InterruptStatus (level), and a worker thread at the
 * VM's priority.
 *
 * The exit path (a guest's MMIO access, exception context) only updates registers and, for a
 * QueueNotify or a reset, wakes the worker. On the worker the device gets, in this order:
 *   ops->reset(m)      after the driver wrote Status 0 (the transport's registers are reset
 *                      at once; the device's own state here);
 *   ops->notify(m, q)  for each queue notified since the last pass, once the queue's walker
 *                      (struct virtq over the VM's RAM, virtq_vm.h) was enabled with the
 *                      driver's setup: rings inside RAM, else DEVICE_NEEDS_RESET.
 * The device takes chains with virtio_mmio_dev_pop(), returns them with virtio_mmio_dev_push()
 * and then calls virtio_mmio_dev_signal() (the used-buffer interrupt if the driver's
 * suppression or event index asks for it). Each takes the generation virtio_mmio_dev_vq()
 * gave: after a device reset they do nothing (-ESTALE), so work begun before a reset never
 * writes the rings the driver set up after it. A broken queue (-EIO) sets
 * DEVICE_NEEDS_RESET. */
#ifndef ZVM_VIRTIO_VIRTIO_MMIO_VDEV_H
#define ZVM_VIRTIO_VIRTIO_MMIO_VDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/virtio/virtio_mmio.h>

struct k_sem;
struct vm;
struct virtio_mmio_dev;
struct virtq;
struct virtq_chain;

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
	/* The VM is going: before the worker stops (nothing may kick it after this). */
	void (*stop)(struct virtio_mmio_dev *m);
	/* More lines for `zvm info` (counters the device keeps). */
	void (*info)(struct virtio_mmio_dev *m, void (*print)(const char *fmt, ...));
	/* When the VM is freed, after the worker stopped: frees priv. */
	void (*destroy)(void *priv);
};

/* Creates the device with priv as its state (config ops get priv): 0 or a negative errno. On
 * an error the VM's teardown frees what was made, priv included (through ops->destroy).
 * *out (if out) is the device once it is listed on the VM. */
int virtio_mmio_dev_create(struct vm *vm, const struct virtio_dev_ops *ops, void *priv,
			   struct virtio_mmio_dev **out);
/* Host side: queue q is to be served as if the driver had notified it (a frame came in for
 * it). Any thread; never blocks. Ignored unless the driver set the queue up. */
void virtio_mmio_dev_kick(struct virtio_mmio_dev *m, unsigned q);
void *virtio_mmio_dev_priv(const struct virtio_mmio_dev *m);
/* The worker's wake-up (vdev_worker_sem), and a wake of it when a reset or a notification
 * waits: a notify callback that took wakes while waiting on it calls this when it returns, so
 * nothing a wake it took announced waits for the next one. */
struct k_sem *virtio_mmio_dev_wake_sem(struct virtio_mmio_dev *m);
void virtio_mmio_dev_rewake(struct virtio_mmio_dev *m);
/* The features the driver accepted (its last write before FEATURES_OK). */
uint64_t virtio_mmio_dev_features(struct virtio_mmio_dev *m);
struct vm *virtio_mmio_dev_vm(const struct virtio_mmio_dev *m);
/* A copy of queue q while the driver may use it; *resets tells a later call whether the
 * driver reset the device in between (then drop the work). */
bool virtio_mmio_dev_queue(struct virtio_mmio_dev *m, unsigned q, struct virtio_mmio_queue *out,
			   unsigned *resets);
/* Worker only (ops->notify or ops->reset): queue q's walker and its generation, or NULL when
 * the queue is not enabled (not set up, never notified since a reset) or broken. */
struct virtq *virtio_mmio_dev_vq(struct virtio_mmio_dev *m, unsigned q, unsigned *gen);
/* virtq_pop on queue q: 1, 0 or -EIO (then DEVICE_NEEDS_RESET, if gen is current). */
int virtio_mmio_dev_pop(struct virtio_mmio_dev *m, unsigned q, unsigned gen, struct virtq_chain *c);
/* virtq_push under the transport's lock if gen is current: 0, -ESTALE (dropped: the device
 * was reset) or -EIO (DEVICE_NEEDS_RESET). */
int virtio_mmio_dev_push(struct virtio_mmio_dev *m, unsigned q, unsigned gen, uint16_t head,
			 uint32_t len);
/* From a disk's interrupt (IRQs masked): *byte = val (a status byte in the chain's buffers, at
 * its fixed host address), the push and the signal, all under the transport's lock and only if
 * gen is current and the device not stopped (else -ESTALE, nothing written). A broken queue
 * (-EIO) is marked DEVICE_NEEDS_RESET. */
int virtio_mmio_dev_answer(struct virtio_mmio_dev *m, unsigned q, unsigned gen, uint16_t head,
			   uint32_t len, volatile uint8_t *byte, uint8_t val);
/* After pushes: the used-buffer interrupt if virtq_should_notify says so and gen is current. */
void virtio_mmio_dev_signal(struct virtio_mmio_dev *m, unsigned q, unsigned gen);
/* virtq_kick_disable (on false) / virtq_kick_enable (on true, returns its answer) if gen is
 * current; false when stale. */
bool virtio_mmio_dev_kicks(struct virtio_mmio_dev *m, unsigned q, unsigned gen, bool on);
/* Worker: should work begun under gen stop now? The driver reset the device since (its
 * buffers are no longer the device's to touch), or the VM is being reset or deleted (its
 * worker must end the pass). Long requests check it between pieces. */
bool virtio_mmio_dev_stale(struct virtio_mmio_dev *m, unsigned gen);
/* Used buffers are in a used ring: InterruptStatus bit 0, the SPI goes high. */
void virtio_mmio_dev_used(struct virtio_mmio_dev *m);
/* The device's config space changed: ConfigGeneration + 1, InterruptStatus bit 1. */
void virtio_mmio_dev_config_changed(struct virtio_mmio_dev *m);
/* The driver broke a queue: DEVICE_NEEDS_RESET and a config interrupt. */
void virtio_mmio_dev_broken(struct virtio_mmio_dev *m);

#endif
