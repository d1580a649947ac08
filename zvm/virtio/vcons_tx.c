/* virtio console transmitq service (include/zvm/virtio/virtio_console.h): pure, no locks. */
#include <errno.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtq.h>

#define TX_SEGS 16 /* Linux sends one buffer per chain; more segments is a bad request */

/* Passes the readable part of c to out in chunks; counts what it could not. */
static void tx_chain(const struct vcons_io *io, const struct virtq_chain *c, struct vcons_stats *st)
{
	char buf[VCONS_TX_CHUNK];
	uint32_t total = c->read_len < VCONS_TX_MAX ? c->read_len : VCONS_TX_MAX;
	uint32_t off = 0;

	st->dropped += c->read_len - total;
	while (off < total) {
		uint32_t n = total - off < sizeof(buf) ? total - off : sizeof(buf);

		/* The driver may rewrite the buffer meanwhile: it then gets what it wrote. A
		 * fault (RAM was checked at pop) drops the rest. */
		if (virtq_chain_read(io->q, c, off, buf, n)) {
			st->dropped += total - off;
			return;
		}
		io->out(io->ctx, buf, n);
		st->bytes += n;
		off += n;
	}
}

int vcons_tx_drain(const struct vcons_io *io, struct vcons_stats *st)
{
	struct virtq_seg segs[TX_SEGS];
	struct virtq_chain c = {.segs = segs, .max = TX_SEGS};
	int served = 0;

	for (;;) {
		int n = io->pop(io->ctx, &c);

		if (n <= 0)
			return n < 0 ? n : served;
		if (c.bad == VIRTQ_OK)
			tx_chain(io, &c, st);
		else
			st->dropped += c.read_len;
		/* The device writes nothing into transmit buffers. */
		int err = io->push(io->ctx, c.head, 0);

		if (err)
			return err;
		served++;
	}
}
