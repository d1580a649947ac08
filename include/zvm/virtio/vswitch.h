/* The host's software Ethernet switch between VMs' virtio-net devices: a learning bridge. A
 * frame's source MAC teaches the table which port it lives behind; a frame to a learnt
 * unicast MAC goes to that port only, any other (broadcast, multicast, unknown) to every port
 * but the one it came from. Entries age out after VSWITCH_AGE_TICKS of silence, and a port's
 * entries go when the port does (its VM was deleted). Pure logic, no locking: the caller
 * (virtio_net.c) holds one lock around every call; unit-tested on the host. */
#ifndef ZVM_VIRTIO_VSWITCH_H
#define ZVM_VIRTIO_VSWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VSWITCH_PORTS	  64  /* one per VM with a virtio-net device (VM_MAX) */
#define VSWITCH_MACS	  256 /* learnt addresses; the oldest is replaced when full */
#define VSWITCH_AGE_TICKS 300 /* caller's time unit (virtio_net.c: seconds) */
#define ETH_ALEN	  6
#define ETH_HLEN	  14 /* destination, source, ethertype */

typedef uint64_t vswitch_mask_t; /* bit p: port p */

struct vswitch_mac {
	uint8_t mac[ETH_ALEN];
	uint8_t port;
	bool used;
	uint64_t seen; /* time of the last frame from it */
};

struct vswitch {
	vswitch_mask_t ports; /* attached ports */
	struct vswitch_mac macs[VSWITCH_MACS];
	uint64_t learnt, moved, flooded, unicast;
};

void vswitch_init(struct vswitch *sw);
/* The lowest free port, attached: 0..VSWITCH_PORTS-1, or -1 when all are taken. */
int vswitch_attach(struct vswitch *sw);
/* Detaches port p and forgets every address learnt behind it. */
void vswitch_detach(struct vswitch *sw, unsigned p);
/* A frame of len bytes came in on port from at time now: learns its source (a unicast
 * source only) and returns the ports it goes out on (never from; 0 for a frame shorter
 * than an Ethernet header or from a port not attached). */
vswitch_mask_t vswitch_forward(struct vswitch *sw, unsigned from, const uint8_t *frame, size_t len,
			       uint64_t now);

#endif
