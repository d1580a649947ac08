/* The split virtqueue on crafted rings in a fake RAM (tests/unit/test_virtq_fake.h): chains,
 * indirect tables, every rule that breaks the queue or makes a bad request, the used ring
 * and both notification suppressions. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "test_virtq_fake.h"

#define QSIZE 8
#define DESC  (RAM_BASE + 0x0000)
#define AVAIL (RAM_BASE + 0x1000)
#define USED  (RAM_BASE + 0x2000)
#define TABLE (RAM_BASE + 0x3000) /* indirect tables */
#define BUF   (RAM_BASE + 0x8000)

static struct fake_ram *ram;
static struct virtq q;
static struct virtq_seg segs[2 * QSIZE];
static struct virtq_chain chain = {.segs = segs, .max = 2 * QSIZE};

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, sizeof(*ram));
	ram->check_size = RAM_SIZE;
	virtq_init(&q, &fake_ops, ram, 256);
	q.size = QSIZE;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	q.indirect = true;
	assert_int_equal(virtq_enable(&q), 0);
	chain.segs = segs;
	chain.max = 2 * QSIZE;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	/* Whatever the guest wrote, the queue only ever touched RAM. */
	assert_int_equal(ram->refused, 0);
	free(ram);
	return 0;
}

static void assert_seg(unsigned i, uint64_t ipa, uint32_t len, bool write)
{
	assert_true(i < chain.nr);
	assert_int_equal(segs[i].ipa, ipa);
	assert_int_equal(segs[i].len, len);
	assert_int_equal(segs[i].write, write);
}

static void assert_broken(enum virtq_broken why)
{
	assert_int_equal(virtq_pop(&q, &chain), -EIO);
	assert_int_equal(q.broken, why);
	/* Nothing more is taken until a reset. */
	assert_int_equal(virtq_pop(&q, &chain), -EIO);
}

static void test_normal_chain(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 2, BUF, 16, VIRTQ_DESC_F_NEXT, 5);
	fake_desc(ram, DESC, 5, BUF + 0x100, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 7);
	fake_desc(ram, DESC, 7, BUF + 0x400, 1, VIRTQ_DESC_F_WRITE, 3 /* ignored */);
	fake_avail(ram, &q, 2);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.head, 2);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.nr, 3);
	assert_int_equal(chain.nr_read, 1);
	assert_int_equal(chain.read_len, 16);
	assert_int_equal(chain.write_len, 513);
	assert_seg(0, BUF, 16, false);
	assert_seg(1, BUF + 0x100, 512, true);
	assert_seg(2, BUF + 0x400, 1, true);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	assert_int_equal(q.stats.chains, 1);
}

/* avail->idx is read once per batch and followed by a read barrier before the ring entry. */
static void test_avail_idx_read_then_rmb(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 8, 0, 0);
	fake_avail(ram, &q, 0);
	fake_avail(ram, &q, 0);
	ram->nlog = 0;
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(ram->log[0].kind, 'R');
	assert_int_equal(ram->log[0].ipa, AVAIL + 2);
	assert_int_equal(ram->log[1].kind, 'b');
	assert_int_equal(ram->log[1].len, VIRTQ_RMB);
	assert_int_equal(ram->log[2].kind, 'R');
	assert_int_equal(ram->log[2].ipa, AVAIL + 4);
	ram->nlog = 0;
	assert_int_equal(virtq_pop(&q, &chain), 1);
	/* Second chain of the same batch: straight to the ring entry. */
	assert_int_equal(ram->log[0].kind, 'R');
	assert_int_equal(ram->log[0].ipa, AVAIL + 6);
	assert_int_equal(virtq_pop(&q, &chain), 0);
}

static void test_indirect(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 1, TABLE, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, TABLE, 2, BUF + 0x10, 100, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, TABLE, 1, BUF + 0x200, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 1);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.head, 1);
	assert_int_equal(chain.nr, 3);
	assert_int_equal(chain.nr_read, 2);
	assert_seg(0, BUF, 16, false);
	assert_seg(1, BUF + 0x10, 100, false);
	assert_seg(2, BUF + 0x200, 1, true);
}

/* Direct descriptors followed by one indirect one (the device MUST handle it). */
static void test_direct_then_indirect(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.nr, 2);
	assert_seg(0, BUF, 16, false);
	assert_seg(1, BUF + 0x100, 1, true);
}

static void test_indirect_not_negotiated(void **state)
{
	(void)state;
	q.indirect = false;
	fake_desc(ram, DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDIRECT);
}

static void test_nested_indirect(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, TABLE, 1, TABLE + 0x100, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE + 0x100, 0, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDIRECT);
}

static void test_indirect_with_next(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, TABLE, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 16, 0, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDIRECT);
}

static void bad_table(uint64_t addr, uint32_t len)
{
	fake_desc(ram, DESC, 0, addr, len, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDIRECT);
}

static void test_indirect_len_not_16(void **state)
{
	(void)state;
	bad_table(TABLE, 24);
}

static void test_indirect_len_zero(void **state)
{
	(void)state;
	bad_table(TABLE, 0);
}

static void test_indirect_longer_than_queue(void **state)
{
	(void)state;
	bad_table(TABLE, (QSIZE + 1) * 16);
}

static void test_indirect_outside_ram(void **state)
{
	(void)state;
	bad_table(RAM_BASE + RAM_SIZE - 16, 32); /* straddles the end */
}

static void test_indirect_wraps(void **state)
{
	(void)state;
	bad_table(UINT64_MAX - 15, 32);
}

static void test_loop(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_LOOP);
	/* It ended after at most size descriptors. */
	assert_true(ram->accesses < 2 * QSIZE + 8);
}

static void test_loop_in_indirect(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, TABLE, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_avail(ram, &q, 0);
	ram->nlog = 0;
	assert_int_equal(virtq_pop(&q, &chain), -EIO);
	assert_int_equal(q.broken, VIRTQ_BROKEN_LOOP);
	/* The direct descriptor, then the table read ahead whole (2 entries) in one copy: the
	 * loop's later visits cost no guest access. */
	unsigned reads = 0;

	for (unsigned i = 0; i < ram->nlog; i++)
		reads += ram->log[i].kind == 'r';
	assert_int_equal(reads, 2);
}

/* A read ahead that fails (here: the table's tail past what the fake can read, as a dynamic
 * VM's page that cannot come back) falls back to the one entry: the chain still walks. */
static void test_indirect_read_ahead_falls_back(void **state)
{
	uint64_t table = RAM_BASE + RAM_SIZE - 32; /* 2 of its 8 entries readable */

	(void)state;
	ram->check_size = RAM_SIZE + 0x1000;
	fake_desc(ram, DESC, 0, table, 8 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, table, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, table, 1, BUF + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.nr, 2);
	assert_seg(0, BUF, 16, false);
	assert_seg(1, BUF + 0x100, 8, true);
	assert_int_equal(q.broken, VIRTQ_OK);
	ram->refused = 0; /* the refused read-aheads were this test's point */
}

/* An indirect table longer than one read-ahead window (16 entries), walked in order and across
 * the windows back and forth: every entry is the guest's, each window one copy in order. */
static void test_indirect_read_ahead(void **state)
{
	static const uint16_t order[] = {0, 17, 1, 18, 2, 23};
	unsigned n = sizeof(order) / sizeof(order[0]), reads = 0;
	struct virtq_seg many[32];

	(void)state;
	q.size = 32;
	chain.segs = many; /* more than the shared segs[] holds */
	chain.max = 32;
	fake_desc(ram, DESC, 0, TABLE, 24 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < 24; i++)
		fake_desc(ram, TABLE, i, BUF + 0x10 * i, i + 1, VIRTQ_DESC_F_NEXT,
			  (uint16_t)(i + 1));
	fake_desc(ram, TABLE, 23, BUF + 0x10 * 23, 24, 0, 0);
	fake_avail(ram, &q, 0);
	ram->nlog = 0;
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.nr, 24);
	for (unsigned i = 0; i < 24; i++)
		assert_true(many[i].ipa == BUF + 0x10 * i && many[i].len == i + 1 &&
			    !many[i].write);
	for (unsigned i = 0; i < ram->nlog; i++)
		reads += ram->log[i].kind == 'r' && ram->log[i].ipa >= TABLE;
	assert_int_equal(reads, 2); /* entries 0-15, then 16-23 */

	/* Jumping between the windows: each jump reads the entry's window again. */
	for (unsigned i = 0; i < n; i++)
		fake_desc(ram, TABLE, order[i], BUF + 0x100 * i, 512,
			  i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, i + 1 < n ? order[i + 1] : 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.nr, n);
	for (unsigned i = 0; i < n; i++)
		assert_true(many[i].ipa == BUF + 0x100 * i && many[i].len == 512);
}

/* A chain of exactly size descriptors is legal; the table holds no more. */
static void test_longest_chain(void **state)
{
	(void)state;
	for (unsigned i = 0; i < QSIZE; i++)
		fake_desc(ram, DESC, i, BUF + i, 1, i + 1 < QSIZE ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.nr, QSIZE);
	assert_int_equal(chain.bad, VIRTQ_OK);
}

static void test_next_past_table(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, QSIZE);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDEX);
}

static void test_next_past_indirect_table(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, TABLE, 32, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 2); /* table has 2 entries */
	fake_desc(ram, TABLE, 2, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_INDEX);
}

static void test_head_past_table(void **state)
{
	(void)state;
	fake_avail(ram, &q, QSIZE);
	assert_broken(VIRTQ_BROKEN_INDEX);
}

static void test_buffer_outside_ram(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, RAM_BASE + RAM_SIZE - 8, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, DESC, 2, BUF + 0x100, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_ADDR);
	assert_int_equal(chain.head, 0);
	/* The whole chain was still walked: the status byte can be found. */
	assert_int_equal(chain.nr, 3);
	assert_int_equal(q.broken, VIRTQ_ALIVE);
	assert_int_equal(q.stats.bad, 1);
	/* Below RAM too. */
	fake_desc(ram, DESC, 3, RAM_BASE - 1, 2, 0, 0);
	fake_avail(ram, &q, 3);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_ADDR);
}

static void test_buffer_wraps(void **state)
{
	(void)state;
	/* addr + len wraps to inside RAM: must not be taken for RAM. */
	fake_desc(ram, DESC, 0, UINT64_MAX - 0xf, (uint32_t)(RAM_BASE + 0x100), 0, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_ADDR);
}

static void test_zero_length_chain(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 0, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, 0xdead0000, 0, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_EMPTY);
}

static void test_total_length_overflow(void **state)
{
	(void)state;
	ram->check_size = 1ULL << 34; /* a large RAM: only the lengths are wrong */
	fake_desc(ram, DESC, 0, BUF, 0x80000000u, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 0x80000000u, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_LEN);
	/* 2^32 - 1 in total is still fine. */
	fake_desc(ram, DESC, 2, BUF, 0x80000000u, VIRTQ_DESC_F_NEXT, 3);
	fake_desc(ram, DESC, 3, BUF, 0x7fffffffu, 0, 0);
	fake_avail(ram, &q, 2);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_OK);
	assert_int_equal(chain.read_len, UINT32_MAX);
}

static void test_too_many_segments(void **state)
{
	(void)state;
	chain.max = 2;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, DESC, 2, BUF, 1, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(chain.bad, VIRTQ_BAD_SEGS);
	assert_int_equal(chain.nr, 2);
}

static void test_readable_after_writable(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_ORDER);
}

static void test_readable_after_writable_across_indirect(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, TABLE, 16, VIRTQ_DESC_F_INDIRECT, 0);
	fake_desc(ram, TABLE, 0, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_broken(VIRTQ_BROKEN_ORDER);
}

static void test_avail_idx_jump(void **state)
{
	(void)state;
	for (unsigned i = 0; i < QSIZE; i++)
		fake_desc(ram, DESC, i, BUF, 1, 0, 0);
	/* Exactly size ahead is a full ring: fine. */
	fake_put(ram, AVAIL + 2, QSIZE, 2);
	for (unsigned i = 0; i < QSIZE; i++)
		assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	fake_put(ram, AVAIL + 2, 2 * QSIZE + 1, 2);
	assert_broken(VIRTQ_BROKEN_AVAIL_IDX);
	/* A reset (and re-enable) brings it back. */
	virtq_reset(&q);
	assert_int_equal(q.ready, false);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	fake_put(ram, AVAIL + 2, 0, 2);
	assert_int_equal(virtq_enable(&q), 0);
	assert_int_equal(virtq_pop(&q, &chain), 0);
}

/* A driver going backwards is also more than size ahead, modulo 2^16. */
static void test_avail_idx_backwards(void **state)
{
	(void)state;
	fake_put(ram, AVAIL + 2, 0xffff, 2);
	assert_broken(VIRTQ_BROKEN_AVAIL_IDX);
}

static void test_avail_idx_wraps(void **state)
{
	(void)state;
	q.last_avail = q.avail_cache = 0xfffe;
	fake_desc(ram, DESC, 0, BUF, 1, 0, 0);
	fake_put(ram, AVAIL + 2, 0xfffe, 2);
	for (int i = 0; i < 4; i++)
		fake_avail(ram, &q, 0);
	assert_int_equal(fake_get(ram, AVAIL + 2, 2), 2);
	for (int i = 0; i < 4; i++)
		assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	assert_int_equal(q.last_avail, 2);
}

/* The used element is written exactly, then a write barrier, then used->idx. */
static void test_used_ring_exact(void **state)
{
	uint8_t before[6 + 8 * QSIZE];

	(void)state;
	memset(ram->mem + (USED - RAM_BASE), 0xaa, sizeof(before));
	fake_put(ram, USED + 2, 0, 2);
	memcpy(before, ram->mem + (USED - RAM_BASE), sizeof(before));
	ram->nlog = 0;
	assert_int_equal(virtq_push(&q, 5, 0x12345678), 0);
	assert_int_equal(ram->nlog, 3);
	assert_int_equal(ram->log[0].kind, 'w');
	assert_int_equal(ram->log[0].ipa, USED + 4);
	assert_int_equal(ram->log[0].len, 8);
	assert_int_equal(ram->log[1].kind, 'b');
	assert_int_equal(ram->log[1].len, VIRTQ_WMB);
	assert_int_equal(ram->log[2].kind, 'W');
	assert_int_equal(ram->log[2].ipa, USED + 2);
	assert_int_equal(fake_get(ram, USED + 2, 2), 1);
	assert_int_equal(fake_get(ram, USED + 4, 4), 5);
	assert_int_equal(fake_get(ram, USED + 8, 4), 0x12345678);
	/* Nothing else changed: flags, the other slots, avail_event. */
	assert_memory_equal(ram->mem + (USED - RAM_BASE), before, 2);
	assert_memory_equal(ram->mem + (USED - RAM_BASE) + 12, before + 12, sizeof(before) - 12);
	/* The ring wraps at size, the index at 2^16. */
	q.used_idx = 0xffff;
	assert_int_equal(virtq_push(&q, 3, 7), 0);
	assert_int_equal(fake_get(ram, USED + 4 + 8 * (QSIZE - 1), 4), 3);
	assert_int_equal(fake_get(ram, USED + 2, 2), 0);
	assert_int_equal(virtq_push(&q, QSIZE, 0), -EINVAL);
}

static void test_no_interrupt_flag(void **state)
{
	(void)state;
	assert_int_equal(virtq_push(&q, 0, 0), 0);
	ram->nlog = 0;
	assert_true(virtq_should_notify(&q));
	/* A full barrier between our used->idx store and the load of the flags. */
	assert_int_equal(ram->log[0].kind, 'b');
	assert_int_equal(ram->log[0].len, VIRTQ_MB);
	fake_put(ram, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT, 2);
	assert_false(virtq_should_notify(&q));
	assert_int_equal(q.stats.irqs_suppressed, 1);
}

static void test_event_idx(void **state)
{
	uint64_t used_event = AVAIL + 4 + 2 * QSIZE;

	(void)state;
	q.event_idx = true;
	fake_put(ram, AVAIL, VIRTQ_AVAIL_F_NO_INTERRUPT, 2); /* ignored with EVENT_IDX */
	fake_put(ram, used_event, 0, 2);
	assert_int_equal(virtq_push(&q, 0, 0), 0);
	assert_true(virtq_should_notify(&q));  /* entry 0 used */
	assert_false(virtq_should_notify(&q)); /* nothing new since */
	assert_int_equal(virtq_push(&q, 0, 0), 0);
	assert_false(virtq_should_notify(&q)); /* driver asked at 0, we are past */
	fake_put(ram, used_event, 3, 2);
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* used idx 3 */
	assert_false(virtq_should_notify(&q));	   /* entry 3 not used yet */
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* used idx 4: entry 3 done */
	assert_true(virtq_should_notify(&q));
}

static void test_event_idx_across_wrap(void **state)
{
	uint64_t used_event = AVAIL + 4 + 2 * QSIZE;

	(void)state;
	q.event_idx = true;
	q.used_idx = q.signalled = 0xfffd;
	fake_put(ram, used_event, 0xffff, 2);
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* 0xfffe */
	assert_false(virtq_should_notify(&q));
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* 0xffff */
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* 0x0000: entry 0xffff used */
	assert_true(virtq_should_notify(&q));
	fake_put(ram, used_event, 0x0001, 2);
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* 0x0001 */
	assert_false(virtq_should_notify(&q));
	assert_int_equal(virtq_push(&q, 0, 0), 0); /* 0x0002 */
	assert_true(virtq_should_notify(&q));
	/* need_event itself, at the wrap. */
	assert_true(virtq_need_event(0xffff, 0x0001, 0xfffe));
	assert_false(virtq_need_event(0x0001, 0x0001, 0xfffe));
	assert_true(virtq_need_event(0x0000, 0x0001, 0xffff));
}

static void test_kick_suppression(void **state)
{
	uint64_t avail_event = USED + 4 + 8 * QSIZE;

	(void)state;
	virtq_kick_disable(&q);
	assert_int_equal(fake_get(ram, USED, 2), VIRTQ_USED_F_NO_NOTIFY);
	assert_false(virtq_kick_enable(&q));
	assert_int_equal(fake_get(ram, USED, 2), 0);
	fake_desc(ram, DESC, 0, BUF, 1, 0, 0);
	fake_avail(ram, &q, 0);
	assert_true(virtq_kick_enable(&q)); /* arrived meanwhile: drain again */
	assert_int_equal(virtq_pop(&q, &chain), 1);
	q.event_idx = true;
	fake_put(ram, USED, 0, 2);
	virtq_kick_disable(&q);
	assert_int_equal(fake_get(ram, USED, 2), 0); /* flags untouched with EVENT_IDX */
	assert_false(virtq_kick_enable(&q));
	assert_int_equal(fake_get(ram, avail_event, 2), 1);
}

static void test_enable_checks(void **state)
{
	(void)state;
	virtq_reset(&q);
	q.size = 6;
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.size = 512; /* above max_size 256 */
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.size = 0;
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.size = QSIZE;
	q.desc = DESC + 8;
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.desc = DESC;
	q.used = USED + 2;
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.used = RAM_BASE + RAM_SIZE - 4 - 8 * QSIZE; /* avail_event falls off the end */
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.used = USED;
	q.avail = UINT64_MAX - 1;
	assert_int_equal(virtq_enable(&q), -EINVAL);
	q.avail = AVAIL;
	assert_false(q.ready);
	assert_int_equal(virtq_pop(&q, &chain), 0);
	assert_int_equal(virtq_enable(&q), 0);
	assert_true(q.ready);
}

static void test_chain_copy(void **state)
{
	uint8_t buf[8];

	(void)state;
	fake_desc(ram, DESC, 0, BUF, 3, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF + 0x100, 5, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, DESC, 2, BUF + 0x200, 4, VIRTQ_DESC_F_WRITE, 0);
	memcpy(ram->mem + (BUF - RAM_BASE), "abc", 3);
	memcpy(ram->mem + (BUF + 0x100 - RAM_BASE), "defgh", 5);
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	assert_int_equal(virtq_chain_read(&q, &chain, 1, buf, 6), 0);
	assert_memory_equal(buf, "bcdefg", 6);
	assert_int_equal(virtq_chain_read(&q, &chain, 4, buf, 5), -EINVAL);
	/* Starting at a segment boundary touches only the next segment. */
	ram->nlog = 0;
	assert_int_equal(virtq_chain_read(&q, &chain, 3, buf, 2), 0);
	assert_memory_equal(buf, "de", 2);
	assert_int_equal(ram->nlog, 1);
	assert_int_equal(ram->log[0].ipa, BUF + 0x100);
	assert_int_equal(virtq_chain_write(&q, &chain, 1, "xyz", 3), 0);
	assert_memory_equal(ram->mem + (BUF + 0x201 - RAM_BASE), "xyz", 3);
	assert_int_equal(virtq_chain_write(&q, &chain, 2, "xyz", 3), -EINVAL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_normal_chain),
	    T(test_avail_idx_read_then_rmb),
	    T(test_indirect),
	    T(test_direct_then_indirect),
	    T(test_indirect_not_negotiated),
	    T(test_nested_indirect),
	    T(test_indirect_with_next),
	    T(test_indirect_len_not_16),
	    T(test_indirect_len_zero),
	    T(test_indirect_longer_than_queue),
	    T(test_indirect_outside_ram),
	    T(test_indirect_wraps),
	    T(test_loop),
	    T(test_loop_in_indirect),
	    T(test_indirect_read_ahead),
	    T(test_indirect_read_ahead_falls_back),
	    T(test_longest_chain),
	    T(test_next_past_table),
	    T(test_next_past_indirect_table),
	    T(test_head_past_table),
	    T(test_buffer_outside_ram),
	    T(test_buffer_wraps),
	    T(test_zero_length_chain),
	    T(test_total_length_overflow),
	    T(test_too_many_segments),
	    T(test_readable_after_writable),
	    T(test_readable_after_writable_across_indirect),
	    T(test_avail_idx_jump),
	    T(test_avail_idx_backwards),
	    T(test_avail_idx_wraps),
	    T(test_used_ring_exact),
	    T(test_no_interrupt_flag),
	    T(test_event_idx),
	    T(test_event_idx_across_wrap),
	    T(test_kick_suppression),
	    T(test_enable_checks),
	    T(test_chain_copy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
