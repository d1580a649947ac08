/* The virtio console's transmitq service over the fake RAM (test_virtq_fake.h): bytes of each
 * chain in order to the console, chains returned with len 0, bad requests returned unread,
 * a broken ring stops the drain with -EIO, a reset (-ESTALE from push) stops it too, the
 * per-chain cap. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zvm/virtio/virtio_console.h>

#include "test_virtq_fake.h"

#define QSIZE 8
#define DESC  (RAM_BASE + 0x0000)
#define AVAIL (RAM_BASE + 0x1000)
#define USED  (RAM_BASE + 0x2000)
#define BUF   (RAM_BASE + 0x4000)

static struct fake_ram *ram;
static struct virtq q;
static char out[2 * VCONS_TX_MAX];
static size_t out_len;
static unsigned out_calls;
static int push_err; /* what push says instead of pushing (0: push) */
static struct vcons_stats st;

static int io_pop(void *ctx, struct virtq_chain *c)
{
	return virtq_pop(ctx, c);
}

static int io_push(void *ctx, uint16_t head, uint32_t len)
{
	return push_err ? push_err : virtq_push(ctx, head, len);
}

static void io_out(void *ctx, const char *s, size_t len)
{
	(void)ctx;
	assert_true(len <= VCONS_TX_CHUNK);
	assert_true(out_len + len <= sizeof(out));
	memcpy(out + out_len, s, len);
	out_len += len;
	out_calls++;
}

/* Typed input waiting for receive buffers. */
static char input[512];
static size_t input_len, input_taken;

static size_t io_pending(void *ctx)
{
	(void)ctx;
	return input_len - input_taken;
}

static size_t io_in(void *ctx, char *buf, size_t max)
{
	size_t n = input_len - input_taken < max ? input_len - input_taken : max;

	(void)ctx;
	memcpy(buf, input + input_taken, n);
	input_taken += n;
	return n;
}

static void type_in(const char *s)
{
	memcpy(input + input_len, s, strlen(s));
	input_len += strlen(s);
}

static const struct vcons_io io = {.q = &q,
				   .pop = io_pop,
				   .push = io_push,
				   .out = io_out,
				   .pending = io_pending,
				   .in = io_in,
				   .ctx = &q};

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, sizeof(*ram));
	ram->check_size = RAM_SIZE;
	virtq_init(&q, &fake_ops, ram, 64);
	q.size = QSIZE;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	assert_int_equal(virtq_enable(&q), 0);
	out_len = out_calls = 0;
	push_err = 0;
	st = (struct vcons_stats){0};
	input_len = input_taken = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(ram->refused, 0);
	free(ram);
	return 0;
}

static void put_text(uint64_t ipa, const char *s)
{
	memcpy(ram->mem + (ipa - RAM_BASE), s, strlen(s));
}

/* Used ring element i: id and len. */
static void assert_used(unsigned i, uint16_t id, uint32_t len)
{
	assert_int_equal(fake_get(ram, USED + 4 + 8 * i, 4), id);
	assert_int_equal(fake_get(ram, USED + 8 + 8 * i, 4), len);
}

static void test_bytes_in_order(void **state)
{
	(void)state;
	put_text(BUF, "hello ");
	put_text(BUF + 0x100, "wor");
	put_text(BUF + 0x200, "ld\n");
	fake_desc(ram, DESC, 3, BUF, 6, 0, 0);
	fake_desc(ram, DESC, 1, BUF + 0x100, 3, VIRTQ_DESC_F_NEXT, 6);
	fake_desc(ram, DESC, 6, BUF + 0x200, 3, 0, 0);
	fake_avail(ram, &q, 3);
	fake_avail(ram, &q, 1);
	assert_int_equal(vcons_tx_drain(&io, &st), 2);
	assert_int_equal(out_len, 12);
	assert_memory_equal(out, "hello world\n", 12);
	assert_int_equal(st.bytes, 12);
	assert_int_equal(st.dropped, 0);
	/* Both returned, in order, with nothing written. */
	assert_int_equal(fake_get(ram, USED + 2, 2), 2);
	assert_used(0, 3, 0);
	assert_used(1, 1, 0);
	/* Nothing more: the next drain serves nothing and writes nothing. */
	assert_int_equal(vcons_tx_drain(&io, &st), 0);
	assert_int_equal(out_len, 12);
}

static void test_writable_part_ignored(void **state)
{
	(void)state;
	put_text(BUF, "ab");
	fake_desc(ram, DESC, 0, BUF, 2, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF + 0x100, 64, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(vcons_tx_drain(&io, &st), 1);
	assert_int_equal(out_len, 2);
	assert_used(0, 0, 0);
}

static void test_bad_request_returned_unread(void **state)
{
	(void)state;
	put_text(BUF, "ok");
	fake_desc(ram, DESC, 0, RAM_BASE + RAM_SIZE - 4, 64, 0, 0); /* past the end of RAM */
	fake_desc(ram, DESC, 1, BUF, 2, 0, 0);
	fake_avail(ram, &q, 0);
	fake_avail(ram, &q, 1);
	assert_int_equal(vcons_tx_drain(&io, &st), 2);
	assert_int_equal(out_len, 2);
	assert_memory_equal(out, "ok", 2);
	assert_used(0, 0, 0);
	assert_used(1, 1, 0);
	assert_int_equal(q.stats.bad, 1);
}

static void test_broken_ring_stops(void **state)
{
	(void)state;
	put_text(BUF, "x");
	fake_desc(ram, DESC, 0, BUF, 1, 0, 0);
	fake_avail(ram, &q, 0);
	fake_avail(ram, &q, 9); /* head past the table: the queue is broken */
	fake_avail(ram, &q, 0);
	assert_int_equal(vcons_tx_drain(&io, &st), -EIO);
	assert_int_equal(q.broken, VIRTQ_BROKEN_INDEX);
	assert_int_equal(out_len, 1);
	assert_int_equal(fake_get(ram, USED + 2, 2), 1);
	/* Nothing more until a reset. */
	assert_int_equal(vcons_tx_drain(&io, &st), -EIO);
	assert_int_equal(out_len, 1);
}

static void test_loop_stops(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 1, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 1, VIRTQ_DESC_F_NEXT, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(vcons_tx_drain(&io, &st), -EIO);
	assert_int_equal(q.broken, VIRTQ_BROKEN_LOOP);
	assert_int_equal(out_len, 0);
	assert_int_equal(fake_get(ram, USED + 2, 2), 0);
}

/* The transport refuses a push after a reset: the drain stops at once. */
static void test_reset_stops(void **state)
{
	(void)state;
	fake_desc(ram, DESC, 0, BUF, 1, 0, 0);
	fake_desc(ram, DESC, 1, BUF, 1, 0, 0);
	fake_avail(ram, &q, 0);
	fake_avail(ram, &q, 1);
	push_err = -ESTALE;
	assert_int_equal(vcons_tx_drain(&io, &st), -ESTALE);
	assert_int_equal(q.stats.chains, 1);
	assert_int_equal(fake_get(ram, USED + 2, 2), 0);
}

/* A chain longer than the cap: the first VCONS_TX_MAX bytes, in chunks; the rest counted. */
static void test_cap(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 0x8000; i++)
		ram->mem[0x4000 + i] = (uint8_t)('a' + i % 26);
	/* Two segments of 32 KiB + 32 KiB + 16 bytes: 16 bytes over the cap. */
	fake_desc(ram, DESC, 0, BUF, 0x8000, VIRTQ_DESC_F_NEXT, 1);
	fake_desc(ram, DESC, 1, BUF, 0x8000, VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, DESC, 2, BUF, 16, 0, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(vcons_tx_drain(&io, &st), 1);
	assert_int_equal(out_len, VCONS_TX_MAX);
	assert_int_equal(st.dropped, 16);
	assert_int_equal(out_calls, VCONS_TX_MAX / VCONS_TX_CHUNK);
	for (unsigned i = 0; i < VCONS_TX_MAX; i++)
		assert_int_equal(out[i], 'a' + (i % 0x8000) % 26);
	assert_used(0, 0, 0);
}

/* Input goes into the posted receive buffers in order, a chunk at most per buffer, each
 * returned with the length written; without buffers it waits, and nothing is popped without
 * input. */
static void test_rx_fills_buffers_in_order(void **state)
{
	char got[128];

	(void)state;
	fake_desc(ram, DESC, 0, BUF, 4, VIRTQ_DESC_F_WRITE, 0);
	fake_desc(ram, DESC, 1, BUF + 0x100, 128, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	assert_int_equal(vcons_rx_fill(&io, &st), 0); /* no input: the buffer stays posted */
	assert_int_equal(fake_get(ram, USED + 2, 2), 0);
	type_in("hello");
	fake_avail(ram, &q, 1);
	assert_int_equal(vcons_rx_fill(&io, &st), 2);
	assert_used(0, 0, 4);
	assert_used(1, 1, 1);
	memcpy(got, ram->mem + (BUF - RAM_BASE), 4);
	memcpy(got + 4, ram->mem + (BUF + 0x100 - RAM_BASE), 1);
	assert_memory_equal(got, "hello", 5);
	assert_int_equal(st.rx_bytes, 5);
	/* More input than buffers: what is left waits for the next buffer. */
	for (unsigned i = 0; i < 100; i++)
		type_in("x");
	fake_desc(ram, DESC, 2, BUF + 0x200, 128, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 2);
	assert_int_equal(vcons_rx_fill(&io, &st), 1);
	assert_used(2, 2, VCONS_RX_CHUNK);
	assert_int_equal(io_pending(NULL), 100 - VCONS_RX_CHUNK);
	assert_int_equal(vcons_rx_fill(&io, &st), 0);
	assert_int_equal(io_pending(NULL), 100 - VCONS_RX_CHUNK);
}

/* A chain without a writable part, or outside RAM, goes back empty and the input stays for
 * the next good buffer. */
static void test_rx_bad_buffers_keep_the_input(void **state)
{
	(void)state;
	type_in("ab");
	fake_desc(ram, DESC, 0, BUF, 8, 0, 0); /* readable only */
	fake_desc(ram, DESC, 1, RAM_BASE + RAM_SIZE - 4, 64, VIRTQ_DESC_F_WRITE, 0);
	fake_desc(ram, DESC, 2, BUF + 0x100, 8, VIRTQ_DESC_F_WRITE, 0);
	fake_avail(ram, &q, 0);
	fake_avail(ram, &q, 1);
	fake_avail(ram, &q, 2);
	assert_int_equal(vcons_rx_fill(&io, &st), 3);
	assert_used(0, 0, 0);
	assert_used(1, 1, 0);
	assert_used(2, 2, 2);
	assert_memory_equal(ram->mem + (BUF + 0x100 - RAM_BASE), "ab", 2);
	assert_int_equal(st.rx_bytes, 2);
	assert_int_equal(io_pending(NULL), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_bytes_in_order),
	    T(test_writable_part_ignored),
	    T(test_bad_request_returned_unread),
	    T(test_broken_ring_stops),
	    T(test_loop_stops),
	    T(test_reset_stops),
	    T(test_cap),
	    T(test_rx_fills_buffers_in_order),
	    T(test_rx_bad_buffers_keep_the_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
