/* Timeout queue: deadline order, FIFO among equal deadlines, removal, expiry up to `now`, a random
 * workload against a model; and the overflow-safe tick conversions and k_timeout_t deadlines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/time.h>
#include <kernel/timeout.h>
#include <kernel/timeout_q.h>

static void test_empty(void **state)
{
	struct timeout_q q;

	(void)state;
	timeout_q_init(&q);
	assert_null(timeout_q_peek(&q));
	assert_true(timeout_q_next_deadline(&q) == UINT64_MAX);
	assert_null(timeout_q_pop_expired(&q, UINT64_MAX));
}

static void test_order_and_expiry(void **state)
{
	struct timeout_q q;
	struct timeout_node n[5];
	const uint64_t dl[5] = {500, 100, 300, 1000, 200};

	(void)state;
	memset(n, 0, sizeof(n));
	timeout_q_init(&q);
	for (int i = 0; i < 5; i++)
		timeout_q_add(&q, &n[i], dl[i]);
	assert_ptr_equal(timeout_q_peek(&q), &n[1]);
	assert_true(timeout_q_next_deadline(&q) == 100);

	/* Nothing is due before the first deadline; the deadline itself is due. */
	assert_null(timeout_q_pop_expired(&q, 99));
	assert_ptr_equal(timeout_q_pop_expired(&q, 100), &n[1]);
	assert_false(timeout_node_linked(&n[1]));
	assert_null(timeout_q_pop_expired(&q, 199));

	/* Everything up to 500 comes out in deadline order, then the queue stops at 1000. */
	assert_ptr_equal(timeout_q_pop_expired(&q, 500), &n[4]);
	assert_ptr_equal(timeout_q_pop_expired(&q, 500), &n[2]);
	assert_ptr_equal(timeout_q_pop_expired(&q, 500), &n[0]);
	assert_null(timeout_q_pop_expired(&q, 500));
	assert_true(timeout_q_next_deadline(&q) == 1000);
	/* A popped node keeps its deadline (a periodic timer re-arms from it). */
	assert_true(n[0].deadline == 500);
}

static void test_equal_deadlines_fifo(void **state)
{
	struct timeout_q q;
	struct timeout_node n[4];

	(void)state;
	memset(n, 0, sizeof(n));
	timeout_q_init(&q);
	timeout_q_add(&q, &n[0], 50);
	timeout_q_add(&q, &n[1], 50);
	timeout_q_add(&q, &n[2], 10); /* earlier one added later goes in front */
	timeout_q_add(&q, &n[3], 50);
	assert_ptr_equal(timeout_q_pop_expired(&q, 50), &n[2]);
	assert_ptr_equal(timeout_q_pop_expired(&q, 50), &n[0]);
	assert_ptr_equal(timeout_q_pop_expired(&q, 50), &n[1]);
	assert_ptr_equal(timeout_q_pop_expired(&q, 50), &n[3]);
	assert_null(timeout_q_peek(&q));
}

static void test_remove(void **state)
{
	struct timeout_q q;
	struct timeout_node a, b, c;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	timeout_q_init(&q);
	assert_false(timeout_q_remove(&a)); /* never added */
	timeout_q_add(&q, &a, 10);
	timeout_q_add(&q, &b, 20);
	timeout_q_add(&q, &c, 30);
	assert_true(timeout_q_remove(&a));
	assert_false(timeout_q_remove(&a));
	assert_true(timeout_q_next_deadline(&q) == 20);
	assert_true(timeout_q_remove(&c));
	assert_ptr_equal(timeout_q_pop_expired(&q, UINT64_MAX), &b);
	assert_null(timeout_q_peek(&q));
	/* Re-adding a removed node works. */
	timeout_q_add(&q, &a, 5);
	assert_ptr_equal(timeout_q_peek(&q), &a);
}

/* Random adds, removals and expiries against a model: an array kept sorted by (deadline, insertion
 * sequence). */
#define MODEL_N 48
static void test_random_against_model(void **state)
{
	static struct timeout_node nodes[MODEL_N];
	struct timeout_node *model[MODEL_N];
	uint64_t seq_of[MODEL_N], seq = 0, now = 0;
	unsigned len = 0;
	struct timeout_q q;

	(void)state;
	srand(777);
	memset(nodes, 0, sizeof(nodes));
	timeout_q_init(&q);
	for (int step = 0; step < 20000; step++) {
		unsigned i = (unsigned)rand() % MODEL_N;
		struct timeout_node *n = &nodes[i];

		if (!timeout_node_linked(n) && rand() % 3) {
			uint64_t dl = now + (uint64_t)(rand() % 40); /* many equal deadlines */
			unsigned pos = len;

			timeout_q_add(&q, n, dl);
			seq_of[i] = seq++;
			while (pos > 0 && model[pos - 1]->deadline > dl)
				pos--;
			memmove(&model[pos + 1], &model[pos], (len - pos) * sizeof(n));
			model[pos] = n;
			len++;
		} else if (timeout_node_linked(n)) {
			unsigned pos = 0;

			assert_true(timeout_q_remove(n));
			while (model[pos] != n)
				pos++;
			memmove(&model[pos], &model[pos + 1], (len - pos - 1) * sizeof(n));
			len--;
		} else {
			struct timeout_node *e;

			now += (uint64_t)(rand() % 8);
			while ((e = timeout_q_pop_expired(&q, now))) {
				assert_true(len > 0);
				assert_ptr_equal(e, model[0]);
				assert_true(e->deadline <= now);
				memmove(&model[0], &model[1], (len - 1) * sizeof(e));
				len--;
			}
			assert_true(len == 0 || model[0]->deadline > now);
		}
		/* Same contents in the same order; equal deadlines by insertion sequence. */
		const struct timeout_node *it = q.head.next;

		for (unsigned k = 0; k < len; k++) {
			assert_ptr_equal(it, model[k]);
			if (k > 0 && model[k - 1]->deadline == model[k]->deadline)
				assert_true(seq_of[model[k - 1] - nodes] <
					    seq_of[model[k] - nodes]);
			it = it->next;
		}
		assert_ptr_equal(it, &q.head);
	}
}

static void test_tick_scale(void **state)
{
	(void)state;
	/* QEMU's 62.5 MHz counter. */
	assert_true(z_tick_scale(1, 62500000, 1000, true) == 62500);	 /* 1 ms */
	assert_true(z_tick_scale(10, 62500000, 1000000, true) == 625);	 /* 10 us */
	assert_true(z_tick_scale(62500, 1000, 62500000, false) == 1);	 /* back to ms */
	assert_true(z_tick_scale(62499, 1000, 62500000, false) == 0);	 /* rounds down */
	assert_true(z_tick_scale(1, 1000000000, 62500000, false) == 16); /* 16 ns per tick */
	/* 19.2 MHz: 1 us is 19.2 ticks, so a wait rounds up to 20, a reading down to 19. */
	assert_true(z_tick_scale(1, 19200000, 1000000, true) == 20);
	assert_true(z_tick_scale(1, 19200000, 1000000, false) == 19);
	assert_true(z_tick_scale(0, 19200000, 1000000, true) == 0);
	/* Large values stay exact where a naive v * mul would overflow 64 bits: a year of 1 GHz
	 * ticks in microseconds. */
	uint64_t year_ticks = 365ULL * 24 * 3600 * 1000000000ULL;

	assert_true(z_tick_scale(year_ticks, 1000000, 1000000000, false) ==
		    365ULL * 24 * 3600 * 1000000ULL);
	/* And saturate instead of wrapping. */
	assert_true(z_tick_scale(UINT64_MAX / 2, 1000000000, 1000, true) == UINT64_MAX);
	assert_true(z_tick_scale(UINT64_MAX, 1000, 1000, true) == UINT64_MAX);
	assert_true(z_tick_scale(UINT64_MAX - 5, 1, 1, false) == UINT64_MAX - 5);
}

static void test_timeout_deadline(void **state)
{
	const uint64_t f = 62500000, now = 1000;

	(void)state;
	assert_true(z_timeout_deadline(K_NO_WAIT, now, f) == now);
	assert_true(z_timeout_deadline(K_FOREVER, now, f) == UINT64_MAX);
	assert_true(z_timeout_deadline(K_TICKS(5), now, f) == now + 5);
	assert_true(z_timeout_deadline(K_MSEC(2), now, f) == now + 125000);
	assert_true(z_timeout_deadline(K_USEC(1), now, f) == now + 63); /* 62.5 rounded up */
	assert_true(z_timeout_deadline(K_SECONDS(1), now, f) == now + f);
	assert_true(z_timeout_deadline(K_ABS_TICKS(42), now, f) == 42);
	/* Overflow means never. */
	assert_true(z_timeout_deadline(K_TICKS(UINT64_MAX - 10), now, f) == UINT64_MAX);
	assert_true(z_timeout_deadline(K_MSEC(UINT32_MAX), UINT64_MAX - 100, f) == UINT64_MAX);

	assert_true(k_timeout_is_no_wait(K_NO_WAIT));
	assert_true(k_timeout_is_no_wait(K_MSEC(0)));
	assert_false(k_timeout_is_no_wait(K_ABS_TICKS(0)));
	assert_false(k_timeout_is_no_wait(K_FOREVER));
	assert_true(k_timeout_is_forever(K_FOREVER));
	assert_false(k_timeout_is_forever(K_MSEC(1)));
	assert_false(k_timeout_is_forever(K_ABS_TICKS(UINT64_MAX)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_order_and_expiry),
	    cmocka_unit_test(test_equal_deadlines_fifo),
	    cmocka_unit_test(test_remove),
	    cmocka_unit_test(test_random_against_model),
	    cmocka_unit_test(test_tick_scale),
	    cmocka_unit_test(test_timeout_deadline),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
