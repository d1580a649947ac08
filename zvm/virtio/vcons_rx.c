/* virtio console receiveq service (include/zvm/virtio/virtio_console.h): pure, no locks. */
#include <errno.h>
#include <zvm/virtio/virtio_console.h>
#include <zvm/virtio/virtq.h>

#define RX_SEGS 16 /* Linux posts one buffer per chain; more segments is a bad request */

int vcons_rx_fill(const struct vcons_io *io, struct vcons_stats *st)
{
	struct virtq_seg segs[RX_SEGS];
	struct virtq_chain c = {.segs = segs, .max = RX_SEGS};
	char buf[VCONS_RX_CHUNK];
	int served = 0;

	while (io->pending(io->ctx)) {
		int n = io->pop(io->ctx, &c);
		uint32_t len = 0;

		if (n <= 0)
			return n < 0 ? n : served; /* no buffer: the input waits for one */
		/* Only this side takes input, so what pending() saw is still there. */
		if (c.bad == VIRTQ_OK && c.write_len) {
			len = (uint32_t)io->in(
			    io->ctx, buf, c.write_len < sizeof(buf) ? c.write_len : sizeof(buf));
			if (virtq_chain_write(io->q, &c, 0, buf, len)) {
				st->rx_dropped +=
				    len; /* RAM was checked at pop; a fault loses it */
				len = 0;
			} else {
				st->rx_bytes += len;
			}
		}
		int err = io->push(io->ctx, c.head, len);

		if (err)
			return err;
		served++;
	}
	return served;
}
