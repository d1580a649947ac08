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
	/* RO and BLK_SIZE only tell the driver something; FLUSH, DISCARD and WRITE_ZEROES add
	 * requests it can send. */
	*accepted = offered & (VBLK_F_VERSION_1 | VBLK_F_FLUSH | VBLK_F_RO | VBLK_F_BLK_SIZE |
			       VBLK_F_DISCARD | VBLK_F_WZEROES);
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

int vring_add_blk(struct vring *r, const struct vblk_chain *c)
{
	bool has_data = c->data_len != 0;
	uint16_t need = has_data ? 3 : 2;
	uint16_t head, d, data = 0;
	uint16_t flags;

	bool dev_reads =
	    c->type == VBLK_T_OUT || c->type == VBLK_T_DISCARD || c->type == VBLK_T_WZEROES;

	if (!dev_reads && c->type != VBLK_T_IN && c->type != VBLK_T_FLUSH &&
	    c->type != VBLK_T_GET_ID)
		return -EINVAL;
	if (c->type == VBLK_T_FLUSH ? has_data : !has_data)
		return -EINVAL;
	if (r->nr_free < need)
		return -ENOSPC;
	head = take_desc(r);
	r->desc[head] = (struct vring_desc){c->hdr_pa, 16, VRING_DESC_F_NEXT, 0};
	d = head;
	if (has_data) {
		data = take_desc(r);
		flags = VRING_DESC_F_NEXT;
		if (!dev_reads)
			flags |= VRING_DESC_F_WRITE;
		r->desc[data] = (struct vring_desc){c->data_pa, c->data_len, flags, 0};
		r->desc[d].next = data;
		d = data;
	}
	uint16_t st = take_desc(r);

	r->desc[st] = (struct vring_desc){c->status_pa, 1, VRING_DESC_F_WRITE, 0};
	r->desc[d].next = st;
	r->chain[head][0] = head;
	r->chain[head][1] = has_data ? data : st;
	r->chain[head][2] = st;
	r->chain_n[head] = (uint8_t)need;
	r->chain_len[head] = 1 + (dev_reads ? 0 : c->data_len);
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
	for (unsigned i = 0; i < r->chain_n[head]; i++) {
		uint16_t d = r->chain[head][i];

		r->free_next[d] = r->free_head;
		r->free_head = d;
		r->nr_free++;
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
