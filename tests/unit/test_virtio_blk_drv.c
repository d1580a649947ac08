/* The pure half of the host virtio-blk driver (drivers/virtio_blk_ring.c): which features it
 * accepts, the ring layout, the descriptor chain of each request type, and taking completions
 * back from a used ring the test plays the device on, hostile values included. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <drivers/virtio_blk_ring.h>

static _Alignas(16) uint8_t mem[VRING_BYTES_MAX];
static struct vring r;

#define HDR    0x1000u
#define DATA   0x2000u
#define STATUS 0x3000u

static int setup(void **state)
{
	(void)state;
	memset(mem, 0xee, sizeof(mem)); /* vring_init must clear it */
	vring_init(&r, mem, 8);
	return 0;
}

static struct vblk_chain req(uint32_t type, uint32_t len)
{
	return (struct vblk_chain){
	    .type = type, .hdr_pa = HDR, .data_pa = DATA, .data_len = len, .status_pa = STATUS};
}

static uint16_t avail_idx(void)
{
	return r.avail[1];
}

static uint16_t avail_ring(unsigned i)
{
	return r.avail[2 + i];
}

/* The device's side: completes head with len bytes written. */
static void complete(uint32_t head, uint32_t len)
{
	volatile struct vring_used_elem *e = (volatile struct vring_used_elem *)(r.used + 2);
	uint16_t idx = r.used[1];

	e[idx & (r.num - 1)].id = head;
	e[idx & (r.num - 1)].len = len;
	r.used[1] = (uint16_t)(idx + 1);
}

static void negotiate_needs_version_1(void **state)
{
	uint64_t acc = 0;

	(void)state;
	assert_int_equal(vblk_negotiate(VBLK_F_FLUSH | VBLK_F_RO, &acc), -ENOTSUP);
	assert_int_equal(vblk_negotiate(VBLK_F_VERSION_1, &acc), 0);
	assert_int_equal(acc, VBLK_F_VERSION_1);
}

static void negotiate_takes_only_what_is_implemented(void **state)
{
	/* QEMU's offer: SEG_MAX, GEOMETRY, BLK_SIZE, FLUSH, TOPOLOGY, CONFIG_WCE, MQ, DISCARD,
	 * WRITE_ZEROES, INDIRECT_DESC, EVENT_IDX, VERSION_1 and more. */
	uint64_t offer = (1ull << 2) | (1ull << 4) | VBLK_F_BLK_SIZE | VBLK_F_FLUSH | (1ull << 10) |
			 (1ull << 11) | (1ull << 12) | (1ull << 13) | (1ull << 14) | (1ull << 28) |
			 (1ull << 29) | VBLK_F_VERSION_1 | (1ull << 33) | (1ull << 35);
	uint64_t acc = 0;

	(void)state;
	assert_int_equal(vblk_negotiate(offer, &acc), 0);
	assert_int_equal(acc, VBLK_F_VERSION_1 | VBLK_F_FLUSH | VBLK_F_BLK_SIZE | VBLK_F_DISCARD |
				  VBLK_F_WZEROES | VBLK_F_SEG_MAX | VBLK_F_INDIRECT);
	assert_true(vblk_negotiate(offer | VBLK_F_SIZE_MAX, &acc) == 0 && (acc & VBLK_F_SIZE_MAX));
	assert_int_equal(vblk_negotiate(offer | VBLK_F_RO, &acc), 0);
	assert_true(acc & VBLK_F_RO);
}

static void ring_size_and_layout(void **state)
{
	(void)state;
	assert_int_equal(vring_pick_num(1024), 256);
	assert_int_equal(vring_pick_num(256), 256);
	assert_int_equal(vring_pick_num(64), 64);
	assert_int_equal(vring_pick_num(48), 32);
	assert_int_equal(vring_pick_num(3), 2);
	assert_int_equal(vring_pick_num(0), 0);
	for (uint16_t n = 1; n <= VRING_MAX; n <<= 1) {
		assert_int_equal(vring_avail_off(n), 16u * n);
		/* avail: flags, idx, ring, used_event; used: 4-byte aligned, after it. */
		assert_true(vring_used_off(n) >= vring_avail_off(n) + 6 + 2u * n);
		assert_int_equal(vring_used_off(n) % 4, 0);
		assert_int_equal(vring_bytes(n), vring_used_off(n) + 6 + 8u * n);
	}
	assert_int_equal(vring_bytes(VRING_MAX), VRING_BYTES_MAX); /* the driver's allocation */
	assert_ptr_equal((void *)r.desc, mem);
	assert_ptr_equal((void *)r.used, mem + vring_used_off(8));
	for (size_t i = 0; i < vring_bytes(8); i++)
		assert_int_equal(mem[i], 0);
	assert_int_equal(mem[vring_bytes(8)], 0xee); /* and nothing past it */
}

static void read_chain(void **state)
{
	struct vblk_chain c = req(VBLK_T_IN, 4096);
	int h;

	(void)state;
	h = vring_add_blk(&r, &c);
	assert_true(h >= 0 && h < 8);
	assert_int_equal(avail_idx(), 0); /* not published yet */
	vring_publish(&r);
	assert_int_equal(avail_idx(), 1);
	assert_int_equal(avail_ring(0), h);

	struct vring_desc *d0 = &r.desc[h], *d1, *d2;

	assert_int_equal(d0->addr, HDR);
	assert_int_equal(d0->len, 16);
	assert_int_equal(d0->flags, VRING_DESC_F_NEXT);
	d1 = &r.desc[d0->next];
	assert_int_equal(d1->addr, DATA);
	assert_int_equal(d1->len, 4096);
	assert_int_equal(d1->flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	d2 = &r.desc[d1->next];
	assert_int_equal(d2->addr, STATUS);
	assert_int_equal(d2->len, 1);
	assert_int_equal(d2->flags, VRING_DESC_F_WRITE);
	assert_true(d0 != d1 && d1 != d2 && d0 != d2);
	assert_int_equal(r.nr_free, 5);
}

static void write_flush_and_get_id_chains(void **state)
{
	struct vblk_chain w = req(VBLK_T_OUT, 512), f = req(VBLK_T_FLUSH, 0);
	struct vblk_chain id = req(VBLK_T_GET_ID, VBLK_ID_BYTES);
	int hw, hf, hi;

	(void)state;
	hw = vring_add_blk(&r, &w);
	assert_true(hw >= 0);
	/* The device only reads the data of a write. */
	assert_int_equal(r.desc[r.desc[hw].next].flags, VRING_DESC_F_NEXT);
	assert_int_equal(r.chain_len[hw], 1);
	hf = vring_add_blk(&r, &f);
	assert_true(hf >= 0);
	assert_int_equal(r.desc[r.desc[hf].next].addr, STATUS);
	assert_int_equal(r.desc[r.desc[hf].next].flags, VRING_DESC_F_WRITE);
	assert_int_equal(r.chain_len[hf], 1);
	hi = vring_add_blk(&r, &id);
	assert_true(hi >= 0);
	assert_int_equal(r.chain_len[hi], 1 + VBLK_ID_BYTES);
	vring_publish(&r);
	assert_int_equal(avail_idx(), 3);
	assert_int_equal(avail_ring(0), hw);
	assert_int_equal(avail_ring(1), hf);
	assert_int_equal(avail_ring(2), hi);
	assert_int_equal(r.nr_free, 0);
}

/* DISCARD and WRITE_ZEROES: the 16-byte range is data the device only reads. */
static void range_chains(void **state)
{
	struct vblk_chain dc = req(VBLK_T_DISCARD, 16), wz = req(VBLK_T_WZEROES, 16);
	struct vblk_chain empty = req(VBLK_T_WZEROES, 0);
	int hd, hz;

	(void)state;
	assert_int_equal(vring_add_blk(&r, &empty), -EINVAL);
	hd = vring_add_blk(&r, &dc);
	hz = vring_add_blk(&r, &wz);
	assert_true(hd >= 0 && hz >= 0);
	for (int h = hd, i = 0; i < 2; h = hz, i++) {
		const struct vring_desc *d1 = &r.desc[r.desc[h].next];

		assert_int_equal(d1->addr, DATA);
		assert_int_equal(d1->len, 16);
		assert_int_equal(d1->flags, VRING_DESC_F_NEXT);
		assert_int_equal(r.desc[d1->next].flags, VRING_DESC_F_WRITE);
		assert_int_equal(r.chain_len[h], 1); /* only the status byte comes back */
	}
}

/* A read into several pieces: one descriptor each, in order, all device-writable; the device
 * may write them all. A full list that does not fit waits (-ENOSPC), a wrong one is refused;
 * completing frees every member. */
static void scatter_gather_chains(void **state)
{
	struct vblk_seg sg[VBLK_SG_MAX + 1];
	struct vblk_chain c = req(VBLK_T_IN, 0);
	uint16_t head, n;
	uint32_t len;
	int h;

	(void)state;
	for (unsigned i = 0; i <= VBLK_SG_MAX; i++)
		sg[i] = (struct vblk_seg){0x10000u + 0x1000u * i, 512u * (i + 1)};
	c.sg = sg;
	c.nr_sg = 5;
	h = vring_add_blk(&r, &c);
	assert_true(h >= 0);
	n = r.desc[h].next;
	for (unsigned i = 0; i < 5; i++, n = r.desc[n].next) {
		assert_int_equal(r.desc[n].addr, sg[i].pa);
		assert_int_equal(r.desc[n].len, sg[i].len);
		assert_int_equal(r.desc[n].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	}
	assert_int_equal(r.desc[n].addr, STATUS);
	assert_int_equal(r.desc[n].flags, VRING_DESC_F_WRITE);
	assert_int_equal(r.chain_len[h], 1 + 512 * (1 + 2 + 3 + 4 + 5));
	assert_int_equal(r.nr_free, 1); /* 8 entries: header, 5 pieces, status */
	c.nr_sg = 1;
	assert_int_equal(vring_add_blk(&r, &c), -ENOSPC);
	/* Completion gives all seven back. */
	vring_publish(&r);
	complete((uint32_t)h, r.chain_len[h]);
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(head, h);
	assert_int_equal(r.nr_free, 8);
	/* Too many pieces, an empty one, or pieces on a flush. */
	c.nr_sg = VBLK_SG_MAX + 1;
	assert_int_equal(vring_add_blk(&r, &c), -EINVAL);
	c.nr_sg = 2;
	sg[1].len = 0;
	assert_int_equal(vring_add_blk(&r, &c), -EINVAL);
	sg[1].len = 512;
	c.type = VBLK_T_FLUSH;
	assert_int_equal(vring_add_blk(&r, &c), -EINVAL);
	c.type = VBLK_T_GET_ID;
	assert_int_equal(vring_add_blk(&r, &c), -EINVAL);
	assert_int_equal(r.nr_free, 8);
}

/* The largest requests in a ring of VRING_MAX entries: a direct chain of VBLK_SG_MAX pieces
 * takes every entry (256 members: a count that wrapped would free none of them), and the same
 * request in an indirect table (one page of 256 descriptors, status last) takes one. */
static void largest_chains_in_a_full_size_ring(void **state)
{
	static struct vring_desc table[VBLK_SG_MAX + 2];
	static struct vblk_seg sg[VBLK_SG_MAX];
	struct vblk_chain c = req(VBLK_T_IN, 0);
	uint16_t head;
	uint32_t len;
	int h;

	(void)state;
	_Static_assert(sizeof(table) == 4096, "an indirect table of VRING_MAX entries is a page");
	vring_init(&r, mem, VRING_MAX);
	for (unsigned i = 0; i < VBLK_SG_MAX; i++)
		sg[i] = (struct vblk_seg){0x100000u + 0x1000u * i, 4096};
	c.sg = sg;
	c.nr_sg = VBLK_SG_MAX;
	for (int round = 0; round < 3; round++) {
		h = vring_add_blk(&r, &c);
		assert_true(h >= 0);
		assert_int_equal(r.nr_free, 0);
		assert_int_equal(r.chain_n[h], VRING_MAX);
		assert_int_equal(r.chain_len[h], 1 + 4096u * VBLK_SG_MAX);
		vring_publish(&r);
		complete((uint32_t)h, r.chain_len[h]);
		assert_int_equal(vring_pop_used(&r, &head, &len), 1);
		assert_int_equal(head, h);
		assert_int_equal(r.nr_free, VRING_MAX);
	}
	c.table = table;
	c.table_pa = 0x9000;
	h = vring_add_blk(&r, &c);
	assert_true(h >= 0);
	assert_int_equal(r.nr_free, VRING_MAX - 1);
	assert_int_equal(r.desc[h].flags, VRING_DESC_F_INDIRECT);
	assert_int_equal(r.desc[h].len, sizeof(table));
	assert_int_equal(table[0].addr, HDR);
	assert_int_equal(table[VBLK_SG_MAX].addr, sg[VBLK_SG_MAX - 1].pa);
	assert_int_equal(table[VBLK_SG_MAX + 1].addr, STATUS);
	assert_int_equal(table[VBLK_SG_MAX + 1].flags, VRING_DESC_F_WRITE);
}

/* Two long requests at once in an 8-entry ring: each chain in its own table, one ring entry
 * each; the tables are laid out as the device walks them; completion frees the one entry. */
static void indirect_chains_take_one_entry_each(void **state)
{
	static struct vring_desc tables[2][VBLK_SG_MAX + 2];
	struct vblk_seg sg[20];
	struct vblk_chain in = req(VBLK_T_IN, 0), out = req(VBLK_T_OUT, 0);
	uint16_t head;
	uint32_t len;
	int a, b;

	(void)state;
	for (unsigned i = 0; i < 20; i++)
		sg[i] = (struct vblk_seg){0x40000u + 0x1000u * i, 4096};
	in.sg = out.sg = sg;
	in.nr_sg = 20; /* would need 22 ring entries */
	out.nr_sg = 3;
	in.table = tables[0];
	in.table_pa = 0x9000;
	out.table = tables[1];
	out.table_pa = 0xa000;
	out.hdr_pa = HDR + 16;
	a = vring_add_blk(&r, &in);
	b = vring_add_blk(&r, &out);
	assert_true(a >= 0 && b >= 0 && a != b);
	assert_int_equal(r.nr_free, 6);
	assert_int_equal(r.desc[a].addr, 0x9000);
	assert_int_equal(r.desc[a].len, 22 * sizeof(struct vring_desc));
	assert_int_equal(r.desc[a].flags, VRING_DESC_F_INDIRECT);
	assert_int_equal(r.desc[b].len, 5 * sizeof(struct vring_desc));
	/* The table: header (read), pieces (written by the device for IN), status, linked. */
	assert_int_equal(tables[0][0].addr, HDR);
	assert_int_equal(tables[0][0].flags, VRING_DESC_F_NEXT);
	for (unsigned i = 0; i < 20; i++) {
		assert_int_equal(tables[0][i + 1].addr, sg[i].pa);
		assert_int_equal(tables[0][i + 1].flags, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
		assert_int_equal(tables[0][i].next, i + 1);
	}
	assert_int_equal(tables[0][21].addr, STATUS);
	assert_int_equal(tables[0][21].flags, VRING_DESC_F_WRITE);
	assert_int_equal(tables[1][1].flags, VRING_DESC_F_NEXT); /* OUT: the device reads */
	assert_int_equal(tables[1][4].flags, VRING_DESC_F_WRITE);
	assert_int_equal(r.chain_len[a], 1 + 20 * 4096);
	assert_int_equal(r.chain_len[b], 1);
	vring_publish(&r);
	assert_int_equal(avail_idx(), 2);
	/* Out of order completion; a length past what the table offers is refused. */
	complete((uint32_t)b, 2);
	assert_int_equal(vring_pop_used(&r, &head, &len), -EIO);
	r.used[1] = (uint16_t)(r.used[1] - 1);
	complete((uint32_t)b, 1);
	complete((uint32_t)a, 1 + 20 * 4096);
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(head, b);
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(head, a);
	assert_int_equal(r.nr_free, 8);
	/* The same checks as a chain in the ring. */
	in.nr_sg = VBLK_SG_MAX + 1;
	assert_int_equal(vring_add_blk(&r, &in), -EINVAL);
}

static void malformed_requests_refused(void **state)
{
	struct vblk_chain flush_data = req(VBLK_T_FLUSH, 512), read_none = req(VBLK_T_IN, 0);
	struct vblk_chain bad_type = req(7, 512);

	(void)state;
	assert_int_equal(vring_add_blk(&r, &flush_data), -EINVAL);
	assert_int_equal(vring_add_blk(&r, &read_none), -EINVAL);
	assert_int_equal(vring_add_blk(&r, &bad_type), -EINVAL);
	assert_int_equal(r.nr_free, 8);
	assert_int_equal(r.avail_idx, 0);
}

static void full_ring_then_completion_frees(void **state)
{
	struct vblk_chain c = req(VBLK_T_IN, 512);
	uint16_t head;
	uint32_t len;
	int h1, h2;

	(void)state;
	h1 = vring_add_blk(&r, &c);
	h2 = vring_add_blk(&r, &c);
	assert_true(h1 >= 0 && h2 >= 0 && h1 != h2);
	assert_int_equal(vring_add_blk(&r, &c), -ENOSPC); /* 2 left, 3 needed */
	vring_publish(&r);
	assert_int_equal(vring_pop_used(&r, &head, &len), 0);
	complete((uint32_t)h2, 513);
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(head, h2);
	assert_int_equal(len, 513);
	assert_int_equal(vring_pop_used(&r, &head, &len), 0);
	assert_int_equal(r.nr_free, 5);
	assert_true(vring_add_blk(&r, &c) >= 0);
}

static void indices_wrap_without_leaking(void **state)
{
	struct vblk_chain c = req(VBLK_T_OUT, 512);
	uint16_t head;
	uint32_t len;

	(void)state;
	for (unsigned i = 0; i < 70000; i++) {
		int h = vring_add_blk(&r, &c);

		assert_true(h >= 0);
		vring_publish(&r);
		complete((uint32_t)h, 1);
		assert_int_equal(vring_pop_used(&r, &head, &len), 1);
		assert_int_equal(head, h);
	}
	assert_int_equal(r.nr_free, 8);
	assert_int_equal(r.inflight, 0);
	assert_int_equal(r.avail_idx, (uint16_t)70000);
}

/* Each bad completion is refused and leaves the ring as it was. */
static void expect_refused(void)
{
	uint16_t last = r.last_used, head = 0xbeef;
	uint32_t len = 0xbeef;

	assert_int_equal(vring_pop_used(&r, &head, &len), -EIO);
	assert_int_equal(r.last_used, last);
	assert_int_equal(head, 0xbeef);
	assert_int_equal(r.inflight, 1);
}

static void hostile_used_entries_refused(void **state)
{
	struct vblk_chain c = req(VBLK_T_IN, 512);
	int h;
	uint16_t head;
	uint32_t len;

	(void)state;
	h = vring_add_blk(&r, &c);
	vring_publish(&r);

	complete(8, 1); /* id past the ring */
	expect_refused();
	r.used[1]--;
	complete(0xffffffffu, 1);
	expect_refused();
	r.used[1]--;
	complete((uint32_t)(h + 1), 0); /* a descriptor that is not a head in flight */
	expect_refused();
	r.used[1]--;
	complete((uint32_t)h, 514); /* more than the chain let it write */
	expect_refused();
	r.used[1]--;
	complete((uint32_t)h, 1);
	r.used[1] = 5; /* a good first entry, but more completions than requests */
	expect_refused();
	r.used[1] = 0;

	complete((uint32_t)h, 513); /* the right answer still works */
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(head, h);
	/* The same head twice: no longer in flight. */
	complete((uint32_t)h, 0);
	assert_int_equal(vring_pop_used(&r, &head, &len), -EIO);
}

/* The device may scribble over the shared descriptor table: the free list does not care. */
static void scribbled_table_does_not_corrupt_free_list(void **state)
{
	struct vblk_chain c = req(VBLK_T_IN, 512);
	uint16_t head;
	uint32_t len;
	int h;

	(void)state;
	h = vring_add_blk(&r, &c);
	vring_publish(&r);
	for (unsigned i = 0; i < 8; i++) {
		r.desc[i].next = 0xffff;
		r.desc[i].flags = VRING_DESC_F_NEXT;
	}
	complete((uint32_t)h, 1);
	assert_int_equal(vring_pop_used(&r, &head, &len), 1);
	assert_int_equal(r.nr_free, 8);
	for (unsigned i = 0; i < 2; i++) {
		int n = vring_add_blk(&r, &c);

		assert_true(n >= 0 && n < 8);
		assert_true(r.desc[n].next < 8);
		assert_true(r.desc[r.desc[n].next].next < 8);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(negotiate_needs_version_1, setup),
	    cmocka_unit_test_setup(negotiate_takes_only_what_is_implemented, setup),
	    cmocka_unit_test_setup(ring_size_and_layout, setup),
	    cmocka_unit_test_setup(read_chain, setup),
	    cmocka_unit_test_setup(write_flush_and_get_id_chains, setup),
	    cmocka_unit_test_setup(range_chains, setup),
	    cmocka_unit_test_setup(scatter_gather_chains, setup),
	    cmocka_unit_test_setup(indirect_chains_take_one_entry_each, setup),
	    cmocka_unit_test_setup(largest_chains_in_a_full_size_ring, setup),
	    cmocka_unit_test_setup(malformed_requests_refused, setup),
	    cmocka_unit_test_setup(full_ring_then_completion_frees, setup),
	    cmocka_unit_test_setup(indices_wrap_without_leaking, setup),
	    cmocka_unit_test_setup(hostile_used_entries_refused, setup),
	    cmocka_unit_test_setup(scribbled_table_does_not_corrupt_free_list, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
