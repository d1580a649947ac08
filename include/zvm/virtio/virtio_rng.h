/* virtio entropy device (virtio 1.x section 5.4): device id 4, one request queue, no config
 * space, no feature bits beyond VIRTIO_F_VERSION_1. */
#ifndef ZVM_VIRTIO_VIRTIO_RNG_H
#define ZVM_VIRTIO_VIRTIO_RNG_H

struct vm;

#define VIRTIO_ID_RNG	      4
#define VIRTIO_RNG_QUEUE_SIZE 64

int virtio_rng_create(struct vm *vm);

#endif
