/* virtio network device (virtio 1.x section 5.1), device id 1, on the host's software switch
 * (vswitch.h): every VM created with `--dev virtio-net` gets one port of the one switch, so
 * the VMs form a LAN. Features: VIRTIO_NET_F_MAC only (no checksum or segmentation offloads,
 * no mergeable receive buffers), so every frame is at most VNET_FRAME_MAX bytes behind a
 * 12-byte virtio_net_hdr_v1 that is all zero but num_buffers = 1 on receive.
 *   receiveq1 (queue 0): the driver posts writable buffers; a frame for this port waits in
 *             the port's inbox (VNET_INBOX frames, then dropped and counted) until there is
 *             one, and is written there by this device's worker.
 *   transmitq1 (queue 1): drained by this device's worker; each frame goes through the switch
 *             into the inboxes of the ports it is for, whose workers are kicked.
 * MAC: 52:54:00:5a:00:<VM id>, locally administered (QEMU's own prefix). A frame never goes
 * from one VM's memory to another's directly: it is copied into the inbox in between. */
#ifndef ZVM_VIRTIO_VIRTIO_NET_H
#define ZVM_VIRTIO_VIRTIO_NET_H

struct vm;

#define VIRTIO_ID_NET	      1
#define VIRTIO_NET_F_MAC      5
#define VIRTIO_NET_QUEUE_SIZE 256
#define VNET_RXQ	      0
#define VNET_TXQ	      1
#define VNET_HDR_LEN	      12   /* struct virtio_net_hdr_v1 */
#define VNET_FRAME_MAX	      1518 /* Ethernet with a VLAN tag, no FCS: Linux's rx buffers */
#define VNET_INBOX	      32

int virtio_net_create(struct vm *vm);

#endif
