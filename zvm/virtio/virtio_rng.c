/* virtio entropy device on a virtio-mmio transport (include/zvm/virtio/virtio_rng.h).
 *
 * Today it is the transport's smallest real client: the driver finds it, negotiates, sets up
 * its queue and notifies; the transport checks the rings and runs the notification on the
 * worker. Filling the guest's buffers needs the virtqueue walker (zvm/virtio/virtq.c, not on
 * main yet): until it lands no notify hook is set and requests stay unanswered, which a
 * virtio driver must tolerate (virtio_rng waits, interruptibly). */
#include <stddef.h>
#include <zvm/virtio/virtio_mmio_vdev.h>
#include <zvm/virtio/virtio_rng.h>

static const struct virtio_dev_ops rng_ops = {
    .name = "virtio-rng",
    .device_id = VIRTIO_ID_RNG,
    .nr_queues = 1,
    .queue_num_max = VIRTIO_RNG_QUEUE_SIZE,
};

int virtio_rng_create(struct vm *vm)
{
	return virtio_mmio_dev_create(vm, &rng_ops, NULL, NULL);
}
