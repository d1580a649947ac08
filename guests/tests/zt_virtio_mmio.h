/* The virtio-mmio (version 2) registers and device status bits the test sets drive (virtio
 * 1.x, 4.2.2), shared by t_virtio.c and t_vcons.c. */
#ifndef ZT_VIRTIO_MMIO_H
#define ZT_VIRTIO_MMIO_H

#define MAGIC	       0x000
#define VERSION	       0x004
#define DEVICE_ID      0x008
#define VENDOR_ID      0x00c
#define DEV_FEATURES   0x010
#define DEV_FEAT_SEL   0x014
#define DRV_FEATURES   0x020
#define DRV_FEAT_SEL   0x024
#define QUEUE_SEL      0x030
#define QUEUE_NUM_MAX  0x034
#define QUEUE_NUM      0x038
#define QUEUE_READY    0x044
#define QUEUE_NOTIFY   0x050
#define INT_STATUS     0x060
#define INT_ACK	       0x064
#define STATUS	       0x070
#define QUEUE_DESC_LO  0x080
#define QUEUE_DESC_HI  0x084
#define QUEUE_AVAIL_LO 0x090
#define QUEUE_AVAIL_HI 0x094
#define QUEUE_USED_LO  0x0a0
#define QUEUE_USED_HI  0x0a4
#define CONFIG_GEN     0x0fc

#define S_ACK	      1u
#define S_DRIVER      2u
#define S_DRIVER_OK   4u
#define S_FEATURES_OK 8u
#define S_NEEDS_RESET 64u

#endif
