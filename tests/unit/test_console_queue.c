/* The byte ring and the console's queues: wrap-around, full rings, CRLF expansion, the guest's
 * reserve, and where a receive loss is reported. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include <drivers/console_queue.h>

static void drain(struct byte_ring *r, char *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (char)byte_ring_get(r);
}

static void test_ring_wraps_and_fills(void **state)
{
	uint8_t buf[8];
	struct byte_ring r;

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	assert_int_equal(byte_ring_get(&r), -1);
	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < 8; i++)
			assert_true(byte_ring_put(&r, (uint8_t)(round * 10 + i)));
		assert_false(byte_ring_put(&r, 99));
		assert_int_equal(byte_ring_free(&r), 0);
		for (int i = 0; i < 5; i++)
			assert_int_equal(byte_ring_get(&r), round * 10 + i);
		byte_ring_clear(&r);
		assert_int_equal(byte_ring_used(&r), 0);
	}
}

static void test_tx_expands_newlines(void **state)
{
	uint8_t buf[16];
	struct byte_ring r;
	char out[16];

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	assert_int_equal(console_tx_queue(&r, "ab\ncd", 5, 0, true), 5);
	assert_int_equal(byte_ring_used(&r), 6);
	drain(&r, out, 6);
	assert_memory_equal(out, "ab\r\ncd", 6);
}

static void test_tx_stops_at_a_full_ring_never_splitting_crlf(void **state)
{
	uint8_t buf[8];
	struct byte_ring r;
	char out[8];

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	/* 7 bytes fit; the "\n" needs two and only one is left. */
	assert_int_equal(console_tx_queue(&r, "abcdefg\nh", 9, 0, true), 7);
	assert_int_equal(byte_ring_free(&r), 1);
	assert_int_equal(console_tx_queue(&r, "\n", 1, 0, true), 0);
	drain(&r, out, 7);
	assert_memory_equal(out, "abcdefg", 7);
}

static void test_guest_leaves_the_reserve_to_the_host(void **state)
{
	uint8_t buf[16];
	struct byte_ring r;
	char flood[32];

	(void)state;
	memset(flood, 'x', sizeof(flood));
	byte_ring_init(&r, buf, sizeof(buf));
	assert_int_equal(console_tx_queue(&r, flood, sizeof(flood), 4, false), 12);
	assert_int_equal(console_tx_queue(&r, flood, sizeof(flood), 4, false), 0);
	/* The host (reserve 0) still gets its message in. */
	assert_int_equal(console_tx_queue(&r, "ok\n", 3, 0, true), 3);
	assert_int_equal(byte_ring_free(&r), 0);
}

static void test_tx_need_counts_the_added_returns(void **state)
{
	(void)state;
	assert_int_equal(console_tx_need("a\nb\n", 4, true), 6);
	assert_int_equal(console_tx_need("a\nb\n", 4, false), 4);
	assert_int_equal(console_tx_need("", 0, true), 0);
}

static void test_guest_output_is_raw(void **state)
{
	uint8_t buf[16];
	struct byte_ring r;
	char out[16];

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	/* A guest sends its own "\r\n"; the host adds no second "\r". */
	assert_int_equal(console_tx_queue(&r, "a\r\nb\n", 5, 0, false), 5);
	drain(&r, out, 5);
	assert_memory_equal(out, "a\r\nb\n", 5);
}

/* A host notice that comes while the guest is mid-line waits for the guest's newline. */
static void test_host_notice_waits_for_the_guests_line_end(void **state)
{
	static struct console_hold h;
	uint8_t buf[64];
	struct byte_ring r;
	char out[64];
	size_t n;

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	assert_false(console_hold_host(&h, "early\n", 6)); /* no guest line open: now */
	assert_int_equal(console_tx_guest(&r, &h, "PAS", 3, 0), 3);
	assert_true(h.guest_mid_line);
	assert_true(console_hold_host(&h, "\nzvm: off\n", 10));
	assert_int_equal(console_tx_guest(&r, &h, "S\r\nne", 5, 0), 5);
	n = byte_ring_used(&r);
	drain(&r, out, n);
	assert_int_equal(n, 3 + 3 + 12 + 2);
	assert_memory_equal(out, "PASS\r\n\r\nzvm: off\r\nne", n);
	assert_true(h.guest_mid_line);
	assert_int_equal(h.len, 0);
}

/* Without a newline from the guest, the held messages go out when released (the timeout or a
 * detach), and the line is the host's from then on. */
static void test_held_notices_are_released_in_order(void **state)
{
	static struct console_hold h;
	uint8_t buf[64];
	struct byte_ring r;
	char out[64];
	size_t n;

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	console_tx_guest(&r, &h, "~ # ", 4, 0);
	assert_true(console_hold_host(&h, "a\n", 2));
	assert_true(console_hold_host(&h, "b\n", 2));
	console_hold_release(&r, &h);
	assert_false(h.guest_mid_line);
	assert_false(console_hold_host(&h, "c", 1));
	n = byte_ring_used(&r);
	drain(&r, out, n);
	assert_memory_equal(out, "~ # a\r\nb\r\n", n);
	assert_int_equal(h.dropped, 0);
}

/* A message too big for what is left of the hold is not held (the caller releases, then
 * queues it); held bytes that find the ring full are counted as dropped. */
static void test_hold_limits(void **state)
{
	static struct console_hold h;
	static char big[CONSOLE_HOLD_SIZE];
	uint8_t buf[8];
	struct byte_ring r;

	(void)state;
	byte_ring_init(&r, buf, sizeof(buf));
	memset(big, 'x', sizeof(big));
	console_tx_guest(&r, &h, "abcd", 4, 0);
	assert_true(console_hold_host(&h, big, sizeof(big) - 1));
	assert_false(console_hold_host(&h, "yz", 2));
	assert_true(console_hold_host(&h, "y", 1));
	/* Guest bytes beyond the ring stay unqueued and the held ones wait: no newline taken. */
	assert_int_equal(console_tx_guest(&r, &h, "efgh\n", 5, 0), 4);
	assert_int_equal(h.len, CONSOLE_HOLD_SIZE);
	console_hold_release(&r, &h);
	assert_int_equal(h.dropped, CONSOLE_HOLD_SIZE);
}

static void test_rx_reports_a_loss_once_where_it_happened(void **state)
{
	uint8_t buf[4];
	struct console_rx_queue q = {0};
	unsigned items = 0;

	(void)state;
	byte_ring_init(&q.ring, buf, sizeof(buf));
	for (int i = 0; i < 4; i++)
		items += console_rx_push(&q, (uint8_t)('a' + i));
	/* Three bytes lost: one report. */
	items += console_rx_push(&q, 'x');
	items += console_rx_push(&q, 'y');
	items += console_rx_push(&q, 'z');
	assert_int_equal(items, 5);
	assert_int_equal(console_rx_pop(&q), 'a');
	assert_int_equal(console_rx_pop(&q), 'b');
	/* Room again: a byte after the loss still comes after the report. */
	items += console_rx_push(&q, 'n');
	assert_int_equal(console_rx_pop(&q), 'c');
	assert_int_equal(console_rx_pop(&q), 'd');
	assert_int_equal(console_rx_pop(&q), CONSOLE_LOST);
	assert_int_equal(console_rx_pop(&q), 'n');
	assert_int_equal(items, 6);
	/* A later loss is reported again. */
	for (int i = 0; i < 5; i++)
		console_rx_push(&q, '0');
	for (int i = 0; i < 4; i++)
		assert_int_equal(console_rx_pop(&q), '0');
	assert_int_equal(console_rx_pop(&q), CONSOLE_LOST);
}

static void test_rx_reports_every_loss_before_the_reader_catches_up(void **state)
{
	uint8_t buf[4];
	struct console_rx_queue q = {0};
	unsigned items = 0;

	(void)state;
	byte_ring_init(&q.ring, buf, sizeof(buf));
	items += console_rx_push(&q, 'a');
	items += console_rx_push(&q, 'b');
	items += console_rx_push(&q, 'c');
	items += console_rx_push(&q, 'd');
	items += console_rx_push(&q, 'x'); /* lost after d */
	assert_int_equal(console_rx_pop(&q), 'a');
	items += console_rx_push(&q, 'e');
	items += console_rx_push(&q, 'y'); /* lost after e: a second report, not merged */
	for (const char *want = "bcd"; *want; want++)
		assert_int_equal(console_rx_pop(&q), *want);
	assert_int_equal(console_rx_pop(&q), CONSOLE_LOST);
	assert_int_equal(console_rx_pop(&q), 'e');
	assert_int_equal(console_rx_pop(&q), CONSOLE_LOST);
	assert_int_equal(items, 7);
	assert_int_equal(console_rx_pop(&q), -1);
}

static void test_rx_stops_storing_when_every_loss_slot_is_used(void **state)
{
	uint8_t buf[16];
	struct console_rx_queue q = {0};
	unsigned items = 0, reported = 0, promised = 0;
	bool full_seen = false;
	int c;

	(void)state;
	byte_ring_init(&q.ring, buf, sizeof(buf));
	for (int i = 0; i < 16; i++)
		items += console_rx_push(&q, '0');
	/* Full ring: each round loses a byte, lets the reader take one item (one of the oldest, far
	 * from the losses) and sends another; the losses pile up at the end. */
	for (int i = 0; i < CONSOLE_RX_LOSSES + 4; i++) {
		bool more = console_rx_push(&q, 'x');

		promised += more;
		items += more;
		full_seen |= q.nlost == CONSOLE_RX_LOSSES;
		c = console_rx_pop(&q);
		reported += c == CONSOLE_LOST;
		items--;
		items += console_rx_push(&q, '0');
	}
	assert_true(full_seen);
	while ((c = console_rx_pop(&q)) != -1) {
		reported += c == CONSOLE_LOST;
		items--;
	}
	/* Every item promised came, every recorded loss among them. */
	assert_int_equal(items, 0);
	assert_int_equal(reported, promised);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ring_wraps_and_fills),
	    cmocka_unit_test(test_tx_expands_newlines),
	    cmocka_unit_test(test_tx_stops_at_a_full_ring_never_splitting_crlf),
	    cmocka_unit_test(test_guest_leaves_the_reserve_to_the_host),
	    cmocka_unit_test(test_guest_output_is_raw),
	    cmocka_unit_test(test_tx_need_counts_the_added_returns),
	    cmocka_unit_test(test_host_notice_waits_for_the_guests_line_end),
	    cmocka_unit_test(test_held_notices_are_released_in_order),
	    cmocka_unit_test(test_hold_limits),
	    cmocka_unit_test(test_rx_reports_a_loss_once_where_it_happened),
	    cmocka_unit_test(test_rx_reports_every_loss_before_the_reader_catches_up),
	    cmocka_unit_test(test_rx_stops_storing_when_every_loss_slot_is_used),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
