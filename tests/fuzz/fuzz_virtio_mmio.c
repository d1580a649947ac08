/* The virtio-mmio register logic (zvm/virtio/virtio_mmio.c) under any sequence of guest
 * accesses, mixed with the device side (interrupts, NEEDS_RESET, taking notifications). Each
 * step: a kind byte, an offset (mostly register offsets, sometimes anything), a size and a
 * 32-bit value. Checks after every step, the transport's promises: DRIVER_OK only with
 * FEATURES_OK; FEATURES_OK only with VERSION_1 and features offered; a ready queue has a
 * power-of-2 size up to QueueNumMax and aligned rings; notifications pending only for ready
 * queues after DRIVER_OK; register-block accesses other than aligned 32-bit ones refused. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <zvm/virtio/virtio_mmio.h>

#include "fuzz_input.h"

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_virtio_mmio: %s\n", why);
	abort();
}

static int cfg_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)dev;
	*val = off * 7 + size;
	return off < 16 ? 0 : -EINVAL;
}

static int cfg_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)dev, (void)size, (void)val;
	return off < 16 ? 0 : -EINVAL;
}

static const struct virtio_mmio_config_ops cfg = {cfg_read, cfg_write};

static void check(const struct virtio_mmio_regs *r)
{
	uint64_t v1 = 1ULL << VIRTIO_F_VERSION_1;

	if ((r->status & VIRTIO_STATUS_DRIVER_OK) && !(r->status & VIRTIO_STATUS_FEATURES_OK))
		fail("DRIVER_OK without FEATURES_OK");
	if ((r->status & VIRTIO_STATUS_FEATURES_OK) &&
	    (!(r->driver_features & v1) || (r->driver_features & ~r->device_features)))
		fail("FEATURES_OK with features not acceptable");
	for (unsigned i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		const struct virtio_mmio_queue *q = &r->queues[i];

		if (!q->ready)
			continue;
		if (i >= r->nr_queues || !q->num || (q->num & (q->num - 1)) ||
		    q->num > r->queue_num_max || (q->desc & 15) || (q->driver & 1) ||
		    (q->device & 3))
			fail("a ready queue with a bad setup");
	}
	for (unsigned i = 0; i < 32; i++)
		if ((r->notify_pending >> i & 1) && (i >= r->nr_queues || !r->queues[i].ready ||
						     !(r->status & VIRTIO_STATUS_DRIVER_OK)))
			fail("a notification pending for a queue that cannot take it");
}

static const uint16_t regs[] = {0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x020, 0x024,
				0x030, 0x034, 0x038, 0x044, 0x050, 0x060, 0x064, 0x070,
				0x080, 0x084, 0x090, 0x094, 0x0a0, 0x0a4, 0x0fc, 0x100};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	struct virtio_mmio_regs r;
	unsigned nq = fuzz_u8(&in) % 10, qmax = (unsigned)fuzz_bytes(&in, 2) * 2;

	virtio_mmio_init(&r, 3, fuzz_u32(&in), nq, qmax, fuzz_u8(&in) & 1 ? &cfg : NULL, NULL);
	if (r.nr_queues > VIRTIO_MMIO_MAX_QUEUES || r.queue_num_max > VIRTIO_QUEUE_SIZE_MAX ||
	    (r.queue_num_max & (r.queue_num_max - 1)))
		fail("limits not clamped");
	while (in.n) {
		unsigned kind = fuzz_u8(&in), sz = 1u << (fuzz_u8(&in) & 3), act;
		uint64_t off = kind & 0x40 ? fuzz_bytes(&in, 2) & 0x1ff
					   : regs[fuzz_u8(&in) % (sizeof(regs) / sizeof(regs[0]))];
		uint32_t val = kind & 0x20 ? fuzz_u8(&in) : fuzz_u32(&in);
		uint64_t got;
		int err;

		if (!(kind & 0x80))
			sz = 4;
		switch (kind & 7) {
		case 0:
		case 1:
		case 2:
			err = virtio_mmio_write(&r, off, sz, val, &act);
			break;
		case 3:
		case 4:
			err = virtio_mmio_read(&r, off, sz, &got);
			break;
		case 5:
			virtio_mmio_raise(&r, val);
			err = 0;
			break;
		case 6:
			virtio_mmio_needs_reset(&r);
			err = 0;
			break;
		default:
			virtio_mmio_take_notifies(&r);
			err = 0;
			break;
		}
		if (off < VIRTIO_MMIO_CONFIG && (kind & 7) <= 4 &&
		    ((sz != 4 || (off & 3)) != !!err))
			fail("a register access accepted or refused wrongly");
		check(&r);
	}
	return 0;
}
