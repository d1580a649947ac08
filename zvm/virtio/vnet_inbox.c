/* The inbox ring (include/zvm/virtio/vnet_inbox.h). Acquire/release pairs: publish (release
 * of seq) with peek (acquire), so the consumer sees the copied frame; release (release of
 * head) with reserve (acquire), so a producer reuses a slot only after the consumer read it. */
#include <stdbool.h>
#include <stddef.h>
#include <zvm/virtio/vnet_inbox.h>

struct vnet_slot *vnet_inbox_reserve(struct vnet_inbox *ib, uint16_t len)
{
	unsigned head = __atomic_load_n(&ib->head, __ATOMIC_ACQUIRE);
	struct vnet_slot *s;

	if (ib->tail - head >= VNET_INBOX) {
		ib->drops++;
		return NULL;
	}
	s = &ib->slot[ib->tail % VNET_INBOX];
	s->pos = ib->tail;
	s->len = len;
	__atomic_store_n(&ib->tail, ib->tail + 1, __ATOMIC_RELAXED);
	return s;
}

void vnet_inbox_publish(struct vnet_slot *s)
{
	__atomic_store_n(&s->seq, s->pos + 1, __ATOMIC_RELEASE);
}

static bool before(unsigned a, unsigned b)
{
	return (int)(a - b) < 0;
}

struct vnet_slot *vnet_inbox_peek(struct vnet_inbox *ib)
{
	for (;;) {
		unsigned head = ib->head;
		struct vnet_slot *s = &ib->slot[head % VNET_INBOX];

		if (__atomic_load_n(&s->seq, __ATOMIC_ACQUIRE) != head + 1)
			return NULL; /* empty, or not published yet */
		if (!before(head, ib->discard))
			return s;
		vnet_inbox_release(ib); /* reserved before a reset: dropped */
	}
}

void vnet_inbox_release(struct vnet_inbox *ib)
{
	__atomic_store_n(&ib->head, ib->head + 1, __ATOMIC_RELEASE);
}

void vnet_inbox_flush(struct vnet_inbox *ib)
{
	ib->discard = __atomic_load_n(&ib->tail, __ATOMIC_RELAXED);
	/* Drops the published ones now; the rest go when published. What it returns is a frame
	 * reserved after the flush, left for the next pass. */
	(void)vnet_inbox_peek(ib);
}
