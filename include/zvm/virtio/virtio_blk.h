/* virtio block device for guests (virtio 1.x section 5.2), device id 2, on a host disk or a
 * range of one (`zvm new --disk NAME[@FIRST+COUNT][:ro]`, include/zvm/virtio/blk_disk.h; the
 * host disks: drivers/virtio_blk.c, `kernel blk`). One request queue; IN, OUT, FLUSH, GET_ID,
 * WRITE_ZEROES (read-write disks; the host driver writes zeros where the disk has no such
 * command) and DISCARD (read-write disks whose host disk has it), one range of at most
 * VBLK_RANGE_MAX_SECTORS per request; VIRTIO_BLK_F_RO for a read-only disk;
 * VIRTIO_BLK_F_SEG_MAX: up to VIRTIO_BLK_SEG_MAX data segments per request offered; the worker
 * takes chains of up to VIRTIO_BLK_SEG_MAX + 4 segments (header and status included, so a
 * driver slightly over the limit is still served) and answers a longer one IOERR: its segment
 * list holds no more.
 * Requests are parsed and checked by blk_req.c on the device's worker (at the VM's priority),
 * which queues them on the disk's I/O scheduler (include/block/blk_sched.h) in pieces. The
 * thread that sends a piece (the worker, or the disk's dispatcher) starts it straight between
 * guest RAM and the disk where the guest's buffers are host-contiguous RAM (a static VM:
 * blkdev_submit, pieces of up to VBLK_DIRECT_MAX bytes in as many buffers as the host disk
 * takes per request; the disk's interrupt finishes it), else moves it through a bounce buffer
 * (vm_read/vm_write, BLK_BOUNCE bytes at a time) before it returns. */
#ifndef ZVM_VIRTIO_VIRTIO_BLK_H
#define ZVM_VIRTIO_VIRTIO_BLK_H

struct vm;

#define VIRTIO_ID_BLOCK		  2
#define VIRTIO_BLK_F_SEG_MAX	  2
#define VIRTIO_BLK_F_RO		  5
#define VIRTIO_BLK_F_FLUSH	  9
#define VIRTIO_BLK_F_DISCARD	  13
#define VIRTIO_BLK_F_WRITE_ZEROES 14
/* As QEMU's default: a Linux guest then sends a 1 MiB read of 256 pages, some adjacent, as one
 * request (seg_max 254), where 128 split it in two, each with its own exits, switches and
 * interrupt. */
#define VIRTIO_BLK_QUEUE_SIZE 256
/* A request's chain (header, data, status) must fit the queue (2.7.5.3.1), an indirect table
 * too: Linux makes tables of seg_max + 2 entries, which the walker refuses past the queue
 * size (it broke the queue on a 128-piece request). QEMU sizes seg_max the same way. */
#define VIRTIO_BLK_SEG_MAX     (VIRTIO_BLK_QUEUE_SIZE - 2)
#define BLK_BOUNCE	       (64 * 1024)
#define VBLK_DIRECT_MAX	       (2048u * 1024) /* a piece moved without a copy */
#define VBLK_RANGE_MAX_SECTORS 65536u	      /* 32 MiB per DISCARD or WRITE_ZEROES range */

/* Adds the device for spec; 0 or a negative errno, the reason printed in words. */
int virtio_blk_create(struct vm *vm, const char *spec);

#endif
