/* The split virtqueue and the virtio-blk parser (zvm/virtio/) on a fake guest RAM that the
 * input fills: rings anywhere (in, across the edge of or outside RAM), any descriptors, any
 * indices, with the driver's index moving between steps. Checked after each step:
 *  - the device never asks for an access outside RAM (the fake counts refusals): it validated
 *    every ring, table and buffer before touching it;
 *  - each pop ends within its bound of descriptor reads (loops end);
 *  - a good chain has every segment inside RAM, readable ones first, lengths that add up;
 *  - a broken queue stays broken until reset; only taken heads are given back;
 *  - a parsed request's data lies in the chain's segments, its sectors inside the disk and
 *    the device's limits.
 * Layout: 16 header bytes, the RAM image, and at the end `nops` operation bytes. */
#include <stdlib.h>
#include <string.h>
#include <zvm/virtio/blk_req.h>

#include "fuzz_input.h"
#include "test_virtq_fake.h"

#define MAX_SEGS 64

static struct fake_ram ram;

static bool in_ram(uint64_t ipa, uint64_t len)
{
	return !len || (ipa >= RAM_BASE && ipa - RAM_BASE <= RAM_SIZE &&
			len <= RAM_SIZE - (ipa - RAM_BASE));
}

static void check_chain(const struct virtq *q, const struct virtq_chain *c)
{
	uint64_t rd = 0, wr = 0;

	if (c->head >= q->size || c->nr > c->max || c->nr_read > c->nr)
		abort();
	if (c->bad)
		return;
	for (unsigned i = 0; i < c->nr; i++) {
		if (!in_ram(c->segs[i].ipa, c->segs[i].len) ||
		    c->segs[i].write != (i >= c->nr_read))
			abort();
		*(c->segs[i].write ? &wr : &rd) += c->segs[i].len;
	}
	if (rd != c->read_len || wr != c->write_len || !(rd + wr))
		abort();
}

/* The data segments are pieces of the chain's segments, of the right direction. */
static bool covered(const struct virtq_chain *c, const struct virtq_seg *s)
{
	for (unsigned i = 0; i < c->nr; i++) {
		const struct virtq_seg *t = &c->segs[i];

		if (t->write == s->write && s->ipa >= t->ipa && s->ipa - t->ipa <= t->len &&
		    s->len <= t->len - (s->ipa - t->ipa))
			return true;
	}
	return false;
}

static void check_blk(const struct virtq *q, const struct virtq_chain *c, const struct blk_cfg *cfg)
{
	struct virtq_seg data[MAX_SEGS];
	struct blk_req r;
	uint8_t st = blk_req_parse(q, c, cfg, &r, data);
	uint64_t len = 0;

	if (r.has_status && !in_ram(r.status_ipa, 1))
		abort();
	if (st == VIRTIO_BLK_S_UNSUPP || st == VIRTIO_BLK_S_IOERR)
		return;
	if (st != VIRTIO_BLK_S_OK || c->bad || !r.has_status || r.nr_segs > c->nr)
		abort();
	for (unsigned i = 0; i < r.nr_segs; i++) {
		if (!covered(c, &data[i]))
			abort();
		len += data[i].len;
	}
	if (r.type == VIRTIO_BLK_T_IN || r.type == VIRTIO_BLK_T_OUT) {
		unsigned __int128 end = (unsigned __int128)r.sector + r.data_len / 512;

		if (len != r.data_len || r.data_len % 512 || end > cfg->capacity)
			abort();
		if (r.type == VIRTIO_BLK_T_OUT && cfg->ro)
			abort();
	}
	for (unsigned i = 0; i < r.nr_ranges; i++) {
		bool discard = r.type == VIRTIO_BLK_T_DISCARD;

		if ((unsigned __int128)r.ranges[i].sector + r.ranges[i].nr_sectors >
			cfg->capacity ||
		    r.ranges[i].nr_sectors >
			(discard ? cfg->max_discard_sectors : cfg->max_write_zeroes_sectors) ||
		    r.nr_ranges > (discard ? cfg->max_discard_seg : cfg->max_write_zeroes_seg) ||
		    (discard && r.ranges[i].unmap))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size < 16 ? size : 16};
	struct virtq_seg segs[MAX_SEGS];
	struct virtq_chain c = {.segs = segs};
	uint16_t taken[256];
	unsigned ntaken = 0;
	struct virtq q;
	uint8_t shape = fuzz_u8(&in), flags = fuzz_u8(&in), nops = fuzz_u8(&in);
	uint16_t d = fuzz_bytes(&in, 2), a = fuzz_bytes(&in, 2), u = fuzz_bytes(&in, 2);
	struct blk_cfg cfg = {
	    .capacity = fuzz_u32(&in),
	    .ro = flags & 4,
	    .flush = flags & 8,
	    .discard = flags & 16,
	    .write_zeroes = flags & 32,
	    .max_discard_sectors = 64,
	    .max_discard_seg = 4,
	    .max_write_zeroes_sectors = 1 << 20,
	    .max_write_zeroes_seg = 1,
	};
	size_t body = size > 16 ? size - 16 : 0;
	size_t nram = body > nops ? body - nops : 0;
	struct fuzz_in ops = {data + 16 + nram, body - nram};

	memset(&ram, 0, sizeof(ram));
	ram.check_size = RAM_SIZE;
	memcpy(ram.mem, data + 16, nram < RAM_SIZE ? nram : RAM_SIZE);
	virtq_init(&q, &fake_ops, &ram, 256);
	q.size = (uint16_t)(1u << (shape & 15)); /* up to 2^15, above max_size past 256 */
	if (shape & 0x80)
		q.size = shape & 0x70; /* not always a power of 2 */
	q.desc = RAM_BASE + (uint64_t)(d & 0x1fff) * 8;
	q.avail = RAM_BASE + (uint64_t)a * 2 - (flags & 64 ? 0x100000 : 0);
	q.used = RAM_BASE + (uint64_t)u * 2 - (flags & 128 ? UINT64_C(1) << 63 : 0);
	q.event_idx = flags & 1;
	q.indirect = flags & 2;
	c.max = shape & 0x40 ? 3 : MAX_SEGS;
	if (virtq_enable(&q)) {
		if (ram.refused || q.ready)
			abort();
		return 0;
	}
	while (ops.n) {
		uint8_t op = fuzz_u8(&ops);
		unsigned before = ram.accesses;
		int ret;

		switch (op & 7) {
		case 0:
		case 1:
		case 2:
			ret = virtq_pop(&q, &c);
			/* avail->idx, barrier, ring entry, then at most 2 * size descriptors. */
			if (ram.accesses - before > 3 + 2u * q.size)
				abort();
			if (ret == 1) {
				check_chain(&q, &c);
				check_blk(&q, &c, &cfg);
				taken[ntaken++ % 256] = c.head;
			} else if (ret == -EIO) {
				if (!q.broken || virtq_pop(&q, &c) != -EIO)
					abort();
			} else if (ret != 0) {
				abort();
			}
			break;
		case 3:
			if (ntaken) {
				ntaken--;
				ret = virtq_push(&q, taken[ntaken % 256], fuzz_u32(&ops));
				if (ret && !(ret == -EIO && q.broken))
					abort();
			}
			break;
		case 4:
			virtq_should_notify(&q);
			break;
		case 5:
			if (op & 8)
				virtq_kick_disable(&q);
			else
				virtq_kick_enable(&q);
			break;
		case 6: /* the driver moves its index */
			if (in_ram(q.avail + 2, 2))
				fake_put(&ram, q.avail + 2, fuzz_bytes(&ops, 2), 2);
			break;
		default:
			if (op & 8) {
				virtq_reset(&q);
				if (virtq_enable(&q))
					abort(); /* it was accepted once */
				ntaken = 0;
			}
			break;
		}
		if (ram.refused)
			abort();
	}
	return 0;
}
