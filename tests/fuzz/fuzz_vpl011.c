/* The virtual PL011's register model (zvm/vdev/vpl011_regs.c) under any mix of guest accesses
 * (offset, width, value) and host input. Checks the FIFO bookkeeping after every step. */
#include <stdlib.h>
#include <zvm/vdev/vpl011.h>

#include "fuzz_input.h"

static void check(const struct vpl011_regs *r)
{
	if (r->rx_head >= VPL011_FIFO_SIZE || r->rx_count > VPL011_FIFO_SIZE)
		abort();
	if (vpl011_regs_mis(r) & ~r->imsc)
		abort(); /* a masked source may not drive the line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vpl011_regs r;
	struct fuzz_in in = {data, size};

	vpl011_regs_reset(&r);
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		uint64_t off = fuzz_u8(&in) | (uint64_t)(op & 0xf0) << 4; /* mostly in the page */
		unsigned width = 1u << (fuzz_u8(&in) & 3);
		uint64_t val;
		struct vpl011_effect eff = {0};

		switch (op & 7) {
		case 0:
		case 1:
			(void)vpl011_regs_read(&r, off, width, &val);
			break;
		case 2:
		case 3:
			(void)vpl011_regs_write(&r, off, width, fuzz_u32(&in), &eff);
			break;
		case 4:
			(void)vpl011_regs_rx_push(&r, fuzz_u8(&in));
			break;
		case 5:
			(void)vpl011_regs_input(&r, fuzz_u8(&in));
			break;
		case 6:
			vpl011_regs_reset(&r);
			break;
		default:
			for (unsigned i = fuzz_u8(&in); i; i--)
				(void)vpl011_regs_input(&r, (uint8_t)i);
			break;
		}
		check(&r);
	}
	return 0;
}
