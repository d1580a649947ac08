/* virtio-mmio transport, version 2 (virtio 1.x, spec section 4.2.2): the register block of one
 * device. This part is pure register logic (virtio_mmio.c, host unit tested): no locks, no
 * vGIC, no threads; virtio_mmio_vdev.c puts it on the VM's bus behind a lock, drives its SPI
 * and runs queue notifications on the device's worker thread.
 *
 * Rules kept here (a guest's writes are hostile):
 *  - registers below 0x100 take 32-bit aligned accesses only (4.2.2.2); config space from 0x100
 *    on is the device's, any width;
 *  - the driver may only add Status bits; 0 resets the transport; FEATURES_OK sticks only if
 *    the driver's features are a subset of the device's and include VIRTIO_F_VERSION_1;
 *    DRIVER_OK only after FEATURES_OK;
 *  - DriverFeatures is writable only between DRIVER and FEATURES_OK;
 *  - a queue's size and addresses change only while it is not ready; QueueReady = 1 sticks only
 *    for a size that is a power of 2 up to QueueNumMax and ring addresses aligned as 2.7 says
 *    (descriptors 16, driver area 2, device area 4) whose ends do not wrap;
 *  - a QueueNotify before DRIVER_OK, for a queue that does not exist or is not ready, or while
 *    the device needs a reset is ignored (the caller logs the first one). */
#ifndef ZVM_VIRTIO_VIRTIO_MMIO_H
#define ZVM_VIRTIO_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_MMIO_MAGIC     0x74726976u /* "virt" */
#define VIRTIO_MMIO_VERSION   2u
#define VIRTIO_MMIO_VENDOR_ID 0x4d565a00u /* "\0ZVM" little endian: any value is allowed */
#define VIRTIO_MMIO_SIZE      0x200ULL	  /* as QEMU virt's transports: registers + config */

/* Register offsets (4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE		0x000
#define VIRTIO_MMIO_VERSION_REG		0x004
#define VIRTIO_MMIO_DEVICE_ID		0x008
#define VIRTIO_MMIO_VENDOR_ID_REG	0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES	0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES	0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL		0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX	0x034
#define VIRTIO_MMIO_QUEUE_NUM		0x038
#define VIRTIO_MMIO_QUEUE_READY		0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY	0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS	0x060
#define VIRTIO_MMIO_INTERRUPT_ACK	0x064
#define VIRTIO_MMIO_STATUS		0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW	0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH	0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW	0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH	0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW	0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH	0x0a4
#define VIRTIO_MMIO_SHM_SEL		0x0ac
#define VIRTIO_MMIO_SHM_LEN_LOW		0x0b0
#define VIRTIO_MMIO_SHM_LEN_HIGH	0x0b4
#define VIRTIO_MMIO_SHM_BASE_LOW	0x0b8
#define VIRTIO_MMIO_SHM_BASE_HIGH	0x0bc
#define VIRTIO_MMIO_CONFIG_GENERATION	0x0fc
#define VIRTIO_MMIO_CONFIG		0x100

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE	 1u
#define VIRTIO_STATUS_DRIVER		 2u
#define VIRTIO_STATUS_DRIVER_OK		 4u
#define VIRTIO_STATUS_FEATURES_OK	 8u
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64u
#define VIRTIO_STATUS_FAILED		 128u

#define VIRTIO_F_INDIRECT_DESC 28
#define VIRTIO_F_EVENT_IDX     29
#define VIRTIO_F_VERSION_1     32

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING  1u /* used buffer notification */
#define VIRTIO_MMIO_INT_CONFIG 2u /* configuration change */

#define VIRTIO_MMIO_MAX_QUEUES 8
#define VIRTIO_QUEUE_SIZE_MAX  32768 /* 2.7: the largest split queue */

/* What the device behind the transport provides. Config accesses come with the offset from
 * the start of config space and 1, 2, 4 or 8 bytes; they run in exception context. */
struct virtio_mmio_config_ops {
	int (*read)(void *dev, uint64_t offset, unsigned size, uint64_t *val);
	int (*write)(void *dev, uint64_t offset, unsigned size, uint64_t val);
};

/* One queue as the driver set it up: guest IPAs, not yet checked against RAM (the virtqueue
 * walker does that on every access). */
struct virtio_mmio_queue {
	uint64_t desc, driver, device;
	uint32_t num;
	bool ready;
};

struct virtio_mmio_regs {
	/* The device: constant after virtio_mmio_init. */
	uint32_t device_id;
	uint64_t device_features; /* VIRTIO_F_VERSION_1 always included */
	unsigned nr_queues;	  /* at most VIRTIO_MMIO_MAX_QUEUES */
	uint32_t queue_num_max;	  /* a power of 2, at most VIRTIO_QUEUE_SIZE_MAX */
	const struct virtio_mmio_config_ops *config;
	void *dev;
	/* Driver-visible state. */
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t status;
	uint32_t interrupt_status;
	uint32_t config_generation;
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
	uint32_t notify_pending; /* queues notified and not yet taken by the worker */
	unsigned resets;	 /* transport resets so far: work begun before one is stale */
};

/* What a write asks of the caller (virtio_mmio_write's *actions). */
#define VIRTIO_MMIO_ACT_WAKE	       1u  /* a queue notification is pending: wake the worker */
#define VIRTIO_MMIO_ACT_LINE	       2u  /* InterruptStatus changed: update the interrupt line */
#define VIRTIO_MMIO_ACT_RESET	       4u  /* the driver reset the device: reset its state too */
#define VIRTIO_MMIO_ACT_BAD_NOTIFY     8u  /* a notification was ignored (log it once) */
#define VIRTIO_MMIO_ACT_STATUS_REFUSED 16u /* a Status write was refused in part (log it) */

/* nr_queues and queue_num_max are clamped to the limits above. */
void virtio_mmio_init(struct virtio_mmio_regs *r, uint32_t device_id, uint64_t features,
		      unsigned nr_queues, uint32_t queue_num_max,
		      const struct virtio_mmio_config_ops *config, void *dev);
/* The transport's reset (Status 0 or a VM reset): everything the driver set back to 0. */
void virtio_mmio_reset(struct virtio_mmio_regs *r);
/* 0, or -EINVAL for an access the register block does not take (the guest gets an external
 * abort); config space answers what the device says. */
int virtio_mmio_read(struct virtio_mmio_regs *r, uint64_t offset, unsigned size, uint64_t *val);
int virtio_mmio_write(struct virtio_mmio_regs *r, uint64_t offset, unsigned size, uint64_t val,
		      unsigned *actions);
/* The device side: sets InterruptStatus bits (a config change also bumps ConfigGeneration). */
void virtio_mmio_raise(struct virtio_mmio_regs *r, uint32_t bits);
/* The device found a queue broken: DEVICE_NEEDS_RESET, and a config change interrupt (4.2.2.1
 * via 2.1.2: the device MUST send one). */
void virtio_mmio_needs_reset(struct virtio_mmio_regs *r);
/* The queues notified since the last call, cleared. */
/* The host asks for queue q to be served as if notified (virtio_mmio_dev_kick): true (worker
 * to wake) when the queue is live (DRIVER_OK, set up, no reset needed). */
bool virtio_mmio_host_notify(struct virtio_mmio_regs *r, unsigned q);
uint32_t virtio_mmio_take_notifies(struct virtio_mmio_regs *r);
/* Copies queue q if the driver may use it now (DRIVER_OK, ready, no reset needed). */
bool virtio_mmio_queue_live(const struct virtio_mmio_regs *r, unsigned q,
			    struct virtio_mmio_queue *out);
static inline bool virtio_mmio_line(const struct virtio_mmio_regs *r)
{
	return r->interrupt_status != 0;
}

#endif
