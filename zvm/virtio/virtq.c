/* Split virtqueue, device side: enabling, taking available chains, returning used ones and
 * the two notification suppressions. The chain walk is in virtq_walk.c. Every ring access
 * goes through q->ops, which bounds-checks it against guest RAM. */
#include <errno.h>
#include <zvm/virtio/virtq.h>

#include "virtq_internal.h"

/* Ring layout (virtio 1.x, 2.7): avail = flags, idx, ring[size], used_event;
 * used = flags, idx, ring[size] of {u32 id, u32 len}, avail_event. */
#define AVAIL_IDX(q)	    ((q)->avail + 2)
#define AVAIL_RING(q, i)    ((q)->avail + 4 + 2 * (uint64_t)((i) & ((q)->size - 1)))
#define AVAIL_USED_EVENT(q) ((q)->avail + 4 + 2 * (uint64_t)(q)->size)
#define USED_IDX(q)	    ((q)->used + 2)
#define USED_RING(q, i)	    ((q)->used + 4 + 8 * (uint64_t)((i) & ((q)->size - 1)))
#define USED_AVAIL_EVENT(q) ((q)->used + 4 + 8 * (uint64_t)(q)->size)

const char *virtq_broken_name(enum virtq_broken why)
{
	switch (why) {
	case VIRTQ_ALIVE:
		return "alive";
	case VIRTQ_BROKEN_MEM:
		return "broken (a ring or table outside RAM)";
	case VIRTQ_BROKEN_AVAIL_IDX:
		return "broken (avail index moved more than the size ahead)";
	case VIRTQ_BROKEN_INDEX:
		return "broken (a descriptor index past its table)";
	case VIRTQ_BROKEN_LOOP:
		return "broken (a chain longer than its table)";
	case VIRTQ_BROKEN_INDIRECT:
		return "broken (a bad indirect table)";
	case VIRTQ_BROKEN_ORDER:
		return "broken (a device-readable buffer after a writable one)";
	}
	return "broken";
}

int virtq_break(struct virtq *q, enum virtq_broken why)
{
	if (!q->broken)
		q->broken = why;
	return -EIO;
}

void virtq_init(struct virtq *q, const struct virtq_mem_ops *ops, void *ctx, uint16_t max_size)
{
	*q = (struct virtq){.ops = ops, .ctx = ctx, .max_size = max_size};
}

int virtq_enable(struct virtq *q)
{
	uint64_t n = q->size;

	if (!virtq_shape_ok(n, q->max_size, q->desc, q->avail, q->used))
		return -EINVAL;
	/* Every ring in guest RAM. */
	if (q->ops->check(q->ctx, q->desc, 16 * n) || q->ops->check(q->ctx, q->avail, 6 + 2 * n) ||
	    q->ops->check(q->ctx, q->used, 6 + 8 * n))
		return -EINVAL;
	q->ready = true;
	q->broken = VIRTQ_ALIVE;
	q->last_avail = q->avail_cache = q->used_idx = q->signalled = 0;
	return 0;
}

void virtq_reset(struct virtq *q)
{
	q->ready = false;
	q->broken = VIRTQ_ALIVE;
	q->last_avail = q->avail_cache = q->used_idx = q->signalled = 0;
}

int virtq_pop(struct virtq *q, struct virtq_chain *c)
{
	uint16_t head;
	int err;

	if (q->broken)
		return -EIO;
	if (!q->ready)
		return 0;
	if (q->last_avail == q->avail_cache) {
		uint16_t idx;

		/* Read once; the driver may move it at any time. More than size ahead of what
		 * we took means the driver overwrote entries we had not consumed. */
		if (q->ops->read16(q->ctx, AVAIL_IDX(q), &idx))
			return virtq_break(q, VIRTQ_BROKEN_MEM);
		if ((uint16_t)(idx - q->last_avail) > q->size)
			return virtq_break(q, VIRTQ_BROKEN_AVAIL_IDX);
		q->avail_cache = idx;
		if (idx == q->last_avail)
			return 0;
		/* The ring entries and descriptors were written before idx. */
		q->ops->barrier(q->ctx, VIRTQ_RMB);
	}
	if (q->ops->read16(q->ctx, AVAIL_RING(q, q->last_avail), &head))
		return virtq_break(q, VIRTQ_BROKEN_MEM);
	q->last_avail++;
	/* The walk checks head < size. */
	err = virtq_walk(q, head, c);
	if (err)
		return err;
	q->stats.chains++;
	if (c->bad)
		q->stats.bad++;
	return 1;
}

int virtq_push(struct virtq *q, uint16_t head, uint32_t len)
{
	uint8_t elem[8];

	if (q->broken)
		return -EIO;
	if (!q->ready || head >= q->size)
		return -EINVAL;
	put_le32(elem, head);
	put_le32(elem + 4, len);
	if (q->ops->write(q->ctx, USED_RING(q, q->used_idx), elem, sizeof(elem)))
		return virtq_break(q, VIRTQ_BROKEN_MEM);
	/* The element must be visible before the index that publishes it. */
	q->ops->barrier(q->ctx, VIRTQ_WMB);
	if (q->ops->write16(q->ctx, USED_IDX(q), (uint16_t)(q->used_idx + 1)))
		return virtq_break(q, VIRTQ_BROKEN_MEM);
	q->used_idx++;
	return 0;
}

bool virtq_should_notify(struct virtq *q)
{
	uint16_t v;
	bool notify;

	if (q->broken || !q->ready)
		return false;
	/* Our used->idx store before the load of the driver's flags or used_event, against the
	 * driver's store of those before its load of used->idx: else both miss each other. */
	q->ops->barrier(q->ctx, VIRTQ_MB);
	if (q->event_idx) {
		uint16_t old = q->signalled;

		if (q->ops->read16(q->ctx, AVAIL_USED_EVENT(q), &v)) {
			virtq_break(q, VIRTQ_BROKEN_MEM);
			return false;
		}
		/* From a fresh queue old = used_idx = 0 is exact: no forced first interrupt. */
		q->signalled = q->used_idx;
		notify = virtq_need_event(v, q->used_idx, old);
	} else {
		/* Without EVENT_IDX the flag is only a hint, but honouring it is allowed. */
		if (q->ops->read16(q->ctx, q->avail, &v)) {
			virtq_break(q, VIRTQ_BROKEN_MEM);
			return false;
		}
		notify = !(v & VIRTQ_AVAIL_F_NO_INTERRUPT);
	}
	if (notify)
		q->stats.irqs++;
	else
		q->stats.irqs_suppressed++;
	return notify;
}

void virtq_kick_disable(struct virtq *q)
{
	/* With EVENT_IDX a stale avail_event already stops further kicks after one. */
	if (q->broken || !q->ready || q->event_idx)
		return;
	if (q->ops->write16(q->ctx, q->used, VIRTQ_USED_F_NO_NOTIFY))
		virtq_break(q, VIRTQ_BROKEN_MEM);
}

bool virtq_kick_enable(struct virtq *q)
{
	uint16_t idx;
	int err;

	if (q->broken || !q->ready)
		return false;
	if (q->event_idx)
		err = q->ops->write16(q->ctx, USED_AVAIL_EVENT(q), q->last_avail);
	else
		err = q->ops->write16(q->ctx, q->used, 0);
	if (err) {
		virtq_break(q, VIRTQ_BROKEN_MEM);
		return false;
	}
	/* The store above before the re-read of avail->idx (the driver orders the other way). */
	q->ops->barrier(q->ctx, VIRTQ_MB);
	if (q->ops->read16(q->ctx, AVAIL_IDX(q), &idx)) {
		virtq_break(q, VIRTQ_BROKEN_MEM);
		return false;
	}
	return idx != q->last_avail;
}
