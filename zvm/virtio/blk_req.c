/* virtio-blk request parsing: see include/zvm/virtio/blk_req.h. Status choices follow the
 * spec (5.2.6.1): unknown types, features not negotiated and flags a command does not take
 * are UNSUPP; writes to a read-only disk, bad layouts, lengths and ranges are IOERR. */
#include <errno.h>
#include <zvm/virtio/blk_req.h>

#include "virtq_internal.h"

/* The status byte is the last byte of the writable part; it must lie in RAM. */
static void locate_status(const struct virtq *q, const struct virtq_chain *c, struct blk_req *r)
{
	if (c->bad == VIRTQ_BAD_SEGS) /* the chain's end was not recorded */
		return;
	for (unsigned i = c->nr; i > c->nr_read; i--) {
		const struct virtq_seg *s = &c->segs[i - 1];

		if (!s->len)
			continue;
		if (s->ipa <= UINT64_MAX - s->len &&
		    !q->ops->check(q->ctx, s->ipa + s->len - 1, 1)) {
			r->has_status = true;
			r->status_ipa = s->ipa + s->len - 1;
		}
		return;
	}
}

/* r->segs = the bytes [off, off + len) of the readable (or writable) part. */
static void slice(const struct virtq_chain *c, bool writable, uint32_t off, uint32_t len,
		  struct blk_req *r)
{
	unsigned first = writable ? c->nr_read : 0, end = writable ? c->nr : c->nr_read;
	uint64_t pos = 0, lo = off, hi = (uint64_t)off + len;

	r->nr_segs = 0;
	for (unsigned i = first; i < end && pos < hi; i++) {
		const struct virtq_seg *s = &c->segs[i];
		uint64_t a = pos > lo ? pos : lo, b = pos + s->len < hi ? pos + s->len : hi;

		if (a < b)
			r->segs[r->nr_segs++] = (struct virtq_seg){
			    .ipa = s->ipa + (a - pos), .len = (uint32_t)(b - a), .write = writable};
		pos += s->len;
	}
	r->data_len = len;
}

static bool range_ok(const struct blk_cfg *cfg, uint64_t sector, uint64_t nr)
{
	return sector <= cfg->capacity && nr <= cfg->capacity - sector;
}

static uint8_t parse_rw(const struct blk_cfg *cfg, struct blk_req *r)
{
	if (r->data_len % VIRTIO_BLK_SECTOR)
		return VIRTIO_BLK_S_IOERR;
	if (!range_ok(cfg, r->sector, r->data_len / VIRTIO_BLK_SECTOR))
		return VIRTIO_BLK_S_IOERR;
	return VIRTIO_BLK_S_OK;
}

/* DISCARD / WRITE_ZEROES: data = readable ranges of 16 bytes {le64 sector, le32 num, le32
 * flags}, at most max_seg of them, each of at most max_sectors inside the disk. */
static uint8_t parse_ranges(const struct virtq *q, const struct virtq_chain *c,
			    const struct blk_cfg *cfg, struct blk_req *r, uint32_t len)
{
	bool discard = r->type == VIRTIO_BLK_T_DISCARD;
	uint32_t max_seg = discard ? cfg->max_discard_seg : cfg->max_write_zeroes_seg;
	uint32_t max_sectors = discard ? cfg->max_discard_sectors : cfg->max_write_zeroes_sectors;
	uint32_t n = len / BLK_REQ_RANGE_LEN;

	if (max_seg > BLK_REQ_MAX_RANGES)
		max_seg = BLK_REQ_MAX_RANGES;
	if (!len || len % BLK_REQ_RANGE_LEN)
		return VIRTIO_BLK_S_IOERR;
	if (n > max_seg) /* past what we offered: as QEMU, unsupported */
		return VIRTIO_BLK_S_UNSUPP;
	for (uint32_t i = 0; i < n; i++) {
		uint8_t raw[BLK_REQ_RANGE_LEN];
		struct blk_range *rg = &r->ranges[i];
		uint32_t flags;

		if (virtq_chain_read(q, c, BLK_REQ_HDR_LEN + i * BLK_REQ_RANGE_LEN, raw,
				     sizeof(raw)))
			return VIRTIO_BLK_S_IOERR;
		rg->sector = get_le64(raw);
		rg->nr_sectors = get_le32(raw + 8);
		flags = get_le32(raw + 12);
		/* Unknown flags, or unmap on a discard: UNSUPP (5.2.6.1). */
		if ((flags & ~VIRTIO_BLK_WZ_F_UNMAP) || (discard && flags))
			return VIRTIO_BLK_S_UNSUPP;
		rg->unmap = flags & VIRTIO_BLK_WZ_F_UNMAP;
		if (rg->nr_sectors > max_sectors || !range_ok(cfg, rg->sector, rg->nr_sectors))
			return VIRTIO_BLK_S_IOERR;
	}
	r->nr_ranges = (uint16_t)n;
	return VIRTIO_BLK_S_OK;
}

uint8_t blk_req_parse(const struct virtq *q, const struct virtq_chain *c, const struct blk_cfg *cfg,
		      struct blk_req *r, struct virtq_seg *segs)
{
	uint8_t hdr[BLK_REQ_HDR_LEN];
	uint32_t in, out, ioprio;

	*r = (struct blk_req){.segs = segs};
	locate_status(q, c, r);
	if (c->bad || !r->has_status)
		return VIRTIO_BLK_S_IOERR;
	if (c->read_len < BLK_REQ_HDR_LEN || virtq_chain_read(q, c, 0, hdr, sizeof(hdr)))
		return VIRTIO_BLK_S_IOERR;
	r->type = get_le32(hdr);
	ioprio = get_le32(hdr + 4);
	r->sector = get_le64(hdr + 8);
	r->prio_class = (ioprio >> 13) & 7;
	if (r->prio_class > IOPRIO_CLASS_IDLE)
		r->prio_class = IOPRIO_CLASS_NONE;
	r->prio_level = ioprio & 7;
	in = c->read_len - BLK_REQ_HDR_LEN; /* device-readable bytes after the header */
	out = c->write_len - 1;		    /* device-writable bytes before the status */

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		if (in)
			return VIRTIO_BLK_S_IOERR;
		slice(c, true, 0, out, r);
		return parse_rw(cfg, r);
	case VIRTIO_BLK_T_OUT:
		if (cfg->ro)
			return VIRTIO_BLK_S_IOERR;
		if (out)
			return VIRTIO_BLK_S_IOERR;
		slice(c, false, BLK_REQ_HDR_LEN, in, r);
		return parse_rw(cfg, r);
	case VIRTIO_BLK_T_FLUSH:
		if (!cfg->flush)
			return VIRTIO_BLK_S_UNSUPP;
		return in || out ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_GET_ID:
		/* The device writes min(20, data_len) bytes of the NUL-padded id. */
		if (in || !out)
			return VIRTIO_BLK_S_IOERR;
		slice(c, true, 0, out, r);
		return VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		if (r->type == VIRTIO_BLK_T_DISCARD ? !cfg->discard : !cfg->write_zeroes)
			return VIRTIO_BLK_S_UNSUPP;
		if (cfg->ro || out)
			return VIRTIO_BLK_S_IOERR;
		return parse_ranges(q, c, cfg, r, in);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}
