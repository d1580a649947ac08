/* virtio block device for guests (virtio 1.x section 5.2), device id 2, on a host disk or a
 * range of one (`zvm new --disk NAME[@FIRST+COUNT][:ro]`, include/zvm/virtio/blk_disk.h; the
 * host disks: drivers/virtio_blk.c, `kernel blk`). One request queue; IN, OUT, FLUSH and
 * GET_ID (DISCARD and WRITE_ZEROES are not offered); VIRTIO_BLK_F_RO for a read-only disk.
 * Requests are parsed and checked by blk_req.c and served on the device's worker at the VM's
 * priority: data goes through a bounce buffer of BLK_BOUNCE bytes at a time, between guest RAM
 * (vm_read/vm_write) and the host disk (blkdev_rw, which sleeps until the disk answers; the
 * disk's lock hands it to the most urgent waiting VM first). */
#ifndef ZVM_VIRTIO_VIRTIO_BLK_H
#define ZVM_VIRTIO_VIRTIO_BLK_H

struct vm;

#define VIRTIO_ID_BLOCK	      2
#define VIRTIO_BLK_F_RO	      5
#define VIRTIO_BLK_F_FLUSH    9
#define VIRTIO_BLK_QUEUE_SIZE 128
#define BLK_BOUNCE	      (64 * 1024)

/* Adds the device for spec; 0 or a negative errno, the reason printed in words. */
int virtio_blk_create(struct vm *vm, const char *spec);

#endif
