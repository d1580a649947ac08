/* The virtio-net inbox (zvm/virtio/vnet_inbox.c) under any interleaving of its producers and
 * its consumer, checked against a model queue. Each step: an operation byte and its argument.
 * Reserve (len), publish (which of the reserved, unpublished frames: producers finish copying
 * in any order), consume (peek, check, release), flush (a device reset). The counters start
 * anywhere, near their wrap included. Checks: a reservation fails exactly when VNET_INBOX
 * frames wait, and is counted; tail - head never exceeds VNET_INBOX; the consumer gets frames
 * in reservation order, each once, published, with its own length and bytes; none reserved
 * before a flush, and every one reserved after it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/virtio/vnet_inbox.h>

#include "fuzz_input.h"

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vnet_inbox: %s\n", why);
	abort();
}

/* The model: frames reserved and not released, oldest first. */
struct model_frame {
	unsigned pos;
	struct vnet_slot *slot;
	uint16_t len;
	uint8_t tag;
	bool published, discarded;
};

static struct vnet_inbox ib;
static struct model_frame q[VNET_INBOX];
static unsigned nq;

static void drop_head(void)
{
	memmove(&q[0], &q[1], (nq - 1) * sizeof(q[0]));
	nq--;
}

/* What vnet_inbox_peek must give: the oldest frame if published, after dropping the published
 * discarded ones before it. */
static struct model_frame *model_peek(void)
{
	while (nq && q[0].published && q[0].discarded)
		drop_head();
	return nq && q[0].published ? &q[0] : NULL;
}

static void consume(void)
{
	struct vnet_slot *s = vnet_inbox_peek(&ib);
	struct model_frame *m = model_peek();

	if (!s != !m)
		fail(s ? "a frame given that is not published or was flushed" : "a frame missed");
	if (!s)
		return;
	if (s != m->slot || s->pos != m->pos || s->len != m->len)
		fail("frames out of reservation order");
	for (unsigned i = 0; i < m->len; i++)
		if (s->data[i] != (uint8_t)(m->tag + i))
			fail("a frame's bytes changed");
	vnet_inbox_release(&ib);
	drop_head();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned start = fuzz_u32(&in);
	uint64_t drops = 0;

	memset(&ib, 0, sizeof(ib));
	nq = 0;
	ib.head = ib.tail = ib.discard = start;
	for (unsigned i = 0; i < VNET_INBOX; i++) /* stale publishes of a former life */
		ib.slot[i].seq = start + i + 1 - VNET_INBOX;
	while (in.n) {
		unsigned op = fuzz_u8(&in), arg = fuzz_u8(&in);

		switch (op % 4) {
		case 0: { /* reserve a frame of 0..VNET_FRAME_MAX bytes */
			uint16_t len = (uint16_t)((arg * 61u) % (VNET_FRAME_MAX + 1));
			bool full = nq == VNET_INBOX;
			unsigned want = ib.tail;
			struct vnet_slot *s = vnet_inbox_reserve(&ib, len);

			if (!s != full)
				fail(full ? "a reservation beyond VNET_INBOX"
					  : "a reservation refused");
			if (!s) {
				if (ib.drops != ++drops)
					fail("a refused reservation not counted");
				break;
			}
			if (s->pos != want || s->len != len || ib.tail != want + 1)
				fail("a reservation not at the next position");
			q[nq] =
			    (struct model_frame){s->pos, s, len, (uint8_t)(op + arg), false, false};
			for (unsigned i = 0; i < len; i++)
				s->data[i] = (uint8_t)(q[nq].tag + i);
			nq++;
			break;
		}
		case 1: { /* a producer finishes: publish one of the unpublished */
			unsigned pending = 0, pick;

			for (unsigned i = 0; i < nq; i++)
				pending += !q[i].published;
			if (!pending)
				break;
			pick = arg % pending;
			for (unsigned i = 0; i < nq; i++) {
				if (q[i].published || pick--)
					continue;
				vnet_inbox_publish(q[i].slot);
				q[i].published = true;
				break;
			}
			break;
		}
		case 2:
			consume();
			break;
		default:
			vnet_inbox_flush(&ib);
			for (unsigned i = 0; i < nq; i++)
				q[i].discarded = true;
			(void)model_peek();
			break;
		}
		if (ib.tail - ib.head > VNET_INBOX || ib.tail - ib.head != nq)
			fail("the inbox's count is not the frames waiting");
	}
	return 0;
}
