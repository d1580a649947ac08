/* A virtio-net port's inbox: frames for the port wait here until its worker writes them into
 * the guest's receive buffers. Many producers (the workers of the VMs sending to this port),
 * one consumer (the port's own worker).
 *
 * A producer reserves a slot (the caller's lock around vnet_inbox_reserve only: an index
 * check and an increment, never a copy), copies the frame into it with interrupts enabled,
 * and publishes it. The consumer takes published frames in reservation order, reading the
 * slot in place, and releases it. Positions are free-running unsigned counters; a slot at
 * position p is published when its seq is p + 1, so a stale publish never looks current.
 *
 * Invariants: tail - head <= VNET_INBOX; a reserved slot is written by its producer alone
 * until published, and read by the consumer alone until released; head is written only by
 * the consumer (a producer seeing an older head thinks the inbox fuller: safe). Pure, no
 * locking of its own: unit-tested on the host (tests/unit/test_vnet_inbox.c). */
#ifndef ZVM_VIRTIO_VNET_INBOX_H
#define ZVM_VIRTIO_VNET_INBOX_H

#include <stdint.h>
#include <zvm/virtio/virtio_net.h>

struct vnet_slot {
	unsigned seq; /* position + 1 once published */
	unsigned pos; /* the position it was reserved for */
	uint16_t len;
	uint8_t data[VNET_FRAME_MAX];
};

struct vnet_inbox {
	struct vnet_slot slot[VNET_INBOX];
	unsigned head;	  /* oldest frame not released (consumer) */
	unsigned tail;	  /* next position to reserve (producers, under their lock) */
	unsigned discard; /* frames before this position are dropped unread (a reset) */
	uint64_t drops;	  /* reservations refused: the inbox was full (producers' lock) */
};

/* Producer, under the caller's lock: a slot for a frame of len bytes, or NULL (full: counted
 * in drops, as a NIC's full ring). len <= VNET_FRAME_MAX. */
struct vnet_slot *vnet_inbox_reserve(struct vnet_inbox *ib, uint16_t len);
/* Producer, no lock: the frame is in s->data; the consumer may take it. */
void vnet_inbox_publish(struct vnet_slot *s);
/* Consumer: the oldest frame if it is published, else NULL (empty, or a producer is still
 * copying: it kicks the worker after publishing). Drops discarded frames on the way. */
struct vnet_slot *vnet_inbox_peek(struct vnet_inbox *ib);
/* Consumer: done with what vnet_inbox_peek returned; its slot may be reserved again. */
void vnet_inbox_release(struct vnet_inbox *ib);
/* Consumer (the device was reset): every frame reserved so far is dropped unread, those
 * still being copied included. */
void vnet_inbox_flush(struct vnet_inbox *ib);

#endif
