/* Walking a descriptor chain into a bounded segment list, and copying to/from its parts.
 * Rules (virtio 1.x 2.7.5, checked at least as strictly as rust-vmm and Firecracker):
 *  - every index below its table's size; at most size descriptors per table, so a loop ends;
 *  - zero or more direct descriptors then at most one INDIRECT one, which has no NEXT, is
 *    negotiated, is not inside an indirect table, and names a table of 16-byte entries, at
 *    most size of them, wholly in RAM;
 *  - all device-readable buffers before all device-writable ones.
 * Breaking one of those breaks the queue. A buffer outside RAM (or wrapping), an empty chain,
 * a part longer than 4 GiB - 1 or more segments than the caller holds make a bad request. */
#include <errno.h>
#include <zvm/virtio/virtq.h>

#include "virtq_internal.h"

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

/* Descriptors of an indirect table read ahead with one guest copy: drivers lay a chain out
 * from entry 0 on, and a copy costs far more than its bytes (a 1 MiB read names up to 256 pages).
 * The table was checked whole, so the read stays inside it; one that fails (a dynamic VM's page
 * that cannot come back) is retried for the one entry before the queue breaks. */
#define DESC_AHEAD 16

struct desc_window {
	uint64_t table;
	uint32_t first, n; /* n = 0: empty */
	uint8_t raw[16 * DESC_AHEAD];
};

/* Entry idx of table (size entries; ahead: read ahead in it). A descriptor the guest
 * rewrites meanwhile is seen as it was at the read, once, as with a read of its own. */
static int read_desc(struct virtq *q, struct desc_window *w, uint64_t table, uint32_t size,
		     bool ahead, uint32_t idx, struct desc *d)
{
	const uint8_t *raw;

	if (!w->n || w->table != table || idx < w->first || idx - w->first >= w->n) {
		uint64_t at = table + 16 * (uint64_t)idx;
		uint32_t n = ahead ? (size - idx < DESC_AHEAD ? size - idx : DESC_AHEAD) : 1;

		if (q->ops->read(q->ctx, at, w->raw, 16 * (size_t)n)) {
			if (n == 1 || q->ops->read(q->ctx, at, w->raw, 16)) {
				virtq_break(q, VIRTQ_BROKEN_MEM);
				return -EIO; /* literal: the compiler sees d set on success */
			}
			n = 1;
		}
		w->table = table;
		w->first = idx;
		w->n = ahead ? n : 0; /* the ring's own table: entries of a chain are anywhere */
	}
	raw = w->raw + 16 * (idx - w->first);
	d->addr = get_le64(raw);
	d->len = get_le32(raw + 8);
	d->flags = get_le16(raw + 12);
	d->next = get_le16(raw + 14);
	return 0;
}

static void set_bad(struct virtq_chain *c, enum virtq_bad why)
{
	if (!c->bad)
		c->bad = why;
}

/* Switches the walk to the indirect table d names (its address and entry count). */
static int enter_indirect(struct virtq *q, const struct desc *d, uint64_t *table, uint32_t *size)
{
	if (!q->indirect || (d->flags & VIRTQ_DESC_F_NEXT))
		return virtq_break(q, VIRTQ_BROKEN_INDIRECT);
	if (!d->len || d->len % 16 || d->len / 16 > q->size)
		return virtq_break(q, VIRTQ_BROKEN_INDIRECT);
	/* Checked whole and without wrap, so table + 16 * idx below stays inside it. */
	if (d->addr > UINT64_MAX - d->len || q->ops->check(q->ctx, d->addr, d->len))
		return virtq_break(q, VIRTQ_BROKEN_INDIRECT);
	*table = d->addr;
	*size = d->len / 16;
	return 0;
}

int virtq_walk(struct virtq *q, uint16_t head, struct virtq_chain *c)
{
	uint64_t table = q->desc, rlen = 0, wlen = 0;
	uint32_t size = q->size, budget = q->size, idx = head;
	bool indirect = false, writing = false;
	struct desc_window win = {.n = 0};
	struct desc d;

	c->head = head;
	c->nr = c->nr_read = 0;
	c->read_len = c->write_len = 0;
	c->bad = VIRTQ_OK;
	for (;;) {
		if (idx >= size)
			return virtq_break(q, VIRTQ_BROKEN_INDEX);
		if (!budget--)
			return virtq_break(q, VIRTQ_BROKEN_LOOP);
		if (read_desc(q, &win, table, size, indirect, idx, &d))
			return -EIO;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			/* Its WRITE flag is ignored (2.7.5.3.2). */
			if (indirect)
				return virtq_break(q, VIRTQ_BROKEN_INDIRECT);
			if (enter_indirect(q, &d, &table, &size))
				return -EIO;
			indirect = true;
			budget = size;
			idx = 0;
			continue;
		}
		bool w = d.flags & VIRTQ_DESC_F_WRITE;

		if (!w && writing)
			return virtq_break(q, VIRTQ_BROKEN_ORDER);
		writing = w;
		/* Zero-length buffers touch nothing; any other must lie in RAM without wrap. */
		if (d.len && (d.addr > UINT64_MAX - d.len || q->ops->check(q->ctx, d.addr, d.len)))
			set_bad(c, VIRTQ_BAD_ADDR);
		if (w)
			wlen += d.len;
		else
			rlen += d.len;
		if (c->nr < c->max) {
			c->segs[c->nr++] =
			    (struct virtq_seg){.ipa = d.addr, .len = d.len, .write = w};
			if (!w)
				c->nr_read = c->nr;
		} else {
			set_bad(c, VIRTQ_BAD_SEGS);
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		idx = d.next;
	}
	/* At most 2 * 32768 descriptors of < 2^32 bytes: the 64-bit sums cannot wrap. */
	if (rlen > UINT32_MAX || wlen > UINT32_MAX)
		set_bad(c, VIRTQ_BAD_LEN);
	else if (!rlen && !wlen)
		set_bad(c, VIRTQ_BAD_EMPTY);
	c->read_len = rlen > UINT32_MAX ? UINT32_MAX : (uint32_t)rlen;
	c->write_len = wlen > UINT32_MAX ? UINT32_MAX : (uint32_t)wlen;
	return 0;
}

/* Copies len bytes at byte offset off of the chain's readable (or writable) segments. */
static int chain_copy(const struct virtq *q, const struct virtq_chain *c, bool to_guest,
		      uint32_t off, uint8_t *buf, uint32_t len)
{
	unsigned first = to_guest ? c->nr_read : 0, end = to_guest ? c->nr : c->nr_read;

	for (unsigned i = first; i < end && len; i++) {
		const struct virtq_seg *s = &c->segs[i];
		uint32_t n;
		int err;

		if (off >= s->len) {
			off -= s->len;
			continue;
		}
		n = s->len - off < len ? s->len - off : len;
		if (to_guest)
			err = q->ops->write(q->ctx, s->ipa + off, buf, n);
		else
			err = q->ops->read(q->ctx, s->ipa + off, buf, n);
		if (err)
			return -EFAULT;
		buf += n;
		len -= n;
		off = 0;
	}
	return len ? -EINVAL : 0;
}

int virtq_chain_read(const struct virtq *q, const struct virtq_chain *c, uint32_t off, void *buf,
		     uint32_t len)
{
	return chain_copy(q, c, false, off, buf, len);
}

int virtq_chain_write(const struct virtq *q, const struct virtq_chain *c, uint32_t off,
		      const void *buf, uint32_t len)
{
	return chain_copy(q, c, true, off, (uint8_t *)buf, len);
}
