/* Split virtqueue and feature logic of the host virtio-blk driver (virtio 1.x, sections 2.7 and
 * 5.2). Everything the device writes is checked before use: a bad value yields -EIO, never an
 * access outside the ring. */
#include <drivers/virtio_blk_ring.h>

#include <errno.h>
#include <string.h>

int vblk_negotiate(uint64_t offered, uint64_t *accepted)
{
	if (!(offered & VBLK_F_VERSION_1))
		return -ENOTSUP;
	/* RO, BLK_SIZE, SIZE_MAX and SEG_MAX only tell the driver something (the last two: how
	 * requests may be cut into pieces); FLUSH, DISCARD and WRITE_ZEROES add requests it can
	 * send. */
	*accepted = offered & (VBLK_F_VERSION_1 | VBLK_F_FLUSH | VBLK_F_RO | VBLK_F_BLK_SIZE |
			       VBLK_F_DISCARD | VBLK_F_WZEROES | VBLK_F_SIZE_MAX | VBLK_F_SEG_MAX |
			       VBLK_F_INDIRECT);
	return 0;
}

uint16_t vring_pick_num(uint32_t qmax)
{
	uint16_t n = VRING_MAX;

	while (n > qmax)
		n >>= 1;
	return n;
}

size_t vring_avail_off(uint16_t num)
{
	return (size_t)num * sizeof(struct vring_desc);
}

/* The used ring needs 4-byte alignment; round to 16 so the layout is the same everywhere. */
size_t vring_used_off(uint16_t num)
{
	size_t end = vring_avail_off(num) + 2 * (3 + (size_t)num);

	return (end + 15) & ~(size_t)15;
}

size_t vring_bytes(uint16_t num)
{
	return vring_used_off(num) + 4 + (size_t)num * sizeof(struct vring_used_elem) + 2;
}

void vring_init(struct vring *r, void *mem, uint16_t num)
{
	memset(mem, 0, vring_bytes(num));
	memset(r, 0, sizeof(*r));
	r->desc = mem;
	r->avail = (volatile uint16_t *)((char *)mem + vring_avail_off(num));
	r->used = (volatile uint16_t *)((char *)mem + vring_used_off(num));
	r->num = num;
	for (uint16_t i = 0; i < num; i++)
		r->free_next[i] = (uint16_t)(i + 1);
	r->free_head = 0;
	r->nr_free = num;
}

static uint16_t take_desc(struct vring *r)
{
	uint16_t d = r->free_head;

	r->free_head = r->free_next[d];
	r->nr_free--;
	return d;
}

/* Appends descriptor {pa, len, flags} to the chain ending at *tail (none yet: *tail is
 * VRING_MAX); returns its id. */
static uint16_t append(struct vring *r, uint16_t head, uint16_t *tail, uint64_t pa, uint32_t len,
		       uint16_t flags)
{
	uint16_t d = take_desc(r);

	r->desc[d] = (struct vring_desc){pa, len, flags, 0};
	if (*tail != VRING_MAX) {
		r->desc[*tail].flags |= VRING_DESC_F_NEXT;
		r->desc[*tail].next = d;
		r->link[*tail] = d;
	}
	*tail = d;
	r->chain_n[head]++;
	return d;
}

int vring_add_blk(struct vring *r, const struct vblk_chain *c)
{
	bool dev_reads =
	    c->type == VBLK_T_OUT || c->type == VBLK_T_DISCARD || c->type == VBLK_T_WZEROES;
	bool sg = c->nr_sg != 0, has_data = sg || c->data_len != 0;
	uint16_t data_flags = dev_reads ? 0 : VRING_DESC_F_WRITE;
	uint16_t head, tail = VRING_MAX;
	uint32_t writable = 1;
	unsigned nr_data = sg ? c->nr_sg : has_data;

	if (!dev_reads && c->type != VBLK_T_IN && c->type != VBLK_T_FLUSH &&
	    c->type != VBLK_T_GET_ID)
		return -EINVAL;
	if (c->type == VBLK_T_FLUSH ? has_data : !has_data)
		return -EINVAL;
	if (sg && (c->nr_sg > VBLK_SG_MAX || (c->type != VBLK_T_IN && c->type != VBLK_T_OUT)))
		return -EINVAL;
	for (unsigned i = 0; sg && i < c->nr_sg; i++)
		if (!c->sg[i].len)
			return -EINVAL;
	if (r->nr_free < (c->table ? 1 : nr_data + 2))
		return -ENOSPC;
	for (unsigned i = 0; i < nr_data && !dev_reads; i++)
		writable += sg ? c->sg[i].len : c->data_len;
	head = r->free_head;
	r->chain_n[head] = 0;
	if (c->table) {
		/* Header, data, status at 0..n-1 of the table, each linked to the next. */
		unsigned n = nr_data + 2;

		c->table[0] = (struct vring_desc){c->hdr_pa, 16, VRING_DESC_F_NEXT, 1};
		for (unsigned i = 0; i < nr_data; i++)
			c->table[i + 1] = (struct vring_desc){
			    sg ? c->sg[i].pa : c->data_pa, sg ? c->sg[i].len : c->data_len,
			    (uint16_t)(data_flags | VRING_DESC_F_NEXT), (uint16_t)(i + 2)};
		c->table[n - 1] = (struct vring_desc){c->status_pa, 1, VRING_DESC_F_WRITE, 0};
		append(r, head, &tail, c->table_pa, (uint32_t)(n * sizeof(struct vring_desc)),
		       VRING_DESC_F_INDIRECT);
	} else {
		append(r, head, &tail, c->hdr_pa, 16, 0);
		for (unsigned i = 0; i < nr_data; i++)
			append(r, head, &tail, sg ? c->sg[i].pa : c->data_pa,
			       sg ? c->sg[i].len : c->data_len, data_flags);
		append(r, head, &tail, c->status_pa, 1, VRING_DESC_F_WRITE);
	}
	r->chain_len[head] = writable;
	r->busy[head] = true;
	r->avail[2 + (r->avail_idx & (r->num - 1))] = head;
	r->avail_idx++;
	r->inflight++;
	return head;
}

void vring_publish(struct vring *r)
{
	__atomic_store_n(&r->avail[1], r->avail_idx, __ATOMIC_RELEASE);
}

/* Puts the chain of head back on the free list, from our copy of its members. */
static void free_chain(struct vring *r, uint16_t head)
{
	uint16_t d = head;

	for (unsigned i = 0; i < r->chain_n[head]; i++) {
		uint16_t next = r->link[d];

		r->free_next[d] = r->free_head;
		r->free_head = d;
		r->nr_free++;
		d = next;
	}
	r->chain_n[head] = 0;
	r->busy[head] = false;
	r->chain_len[head] = 0;
	r->inflight--;
}

int vring_pop_used(struct vring *r, uint16_t *head, uint32_t *len)
{
	uint16_t idx = __atomic_load_n(&r->used[1], __ATOMIC_ACQUIRE);
	const volatile struct vring_used_elem *e;
	uint32_t id, l;

	if (idx == r->last_used)
		return 0;
	/* More completions than chains in flight: the index is garbage. */
	if ((uint16_t)(idx - r->last_used) > r->inflight)
		return -EIO;
	e = (const volatile struct vring_used_elem *)(r->used + 2) + (r->last_used & (r->num - 1));
	id = e->id;
	l = e->len;
	if (id >= r->num || !r->busy[id] || l > r->chain_len[id])
		return -EIO;
	free_chain(r, (uint16_t)id);
	r->last_used++;
	*head = (uint16_t)id;
	*len = l;
	return 1;
}
