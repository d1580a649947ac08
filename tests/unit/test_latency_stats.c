/* Latency statistics: min/avg/max, tick to ns conversion without overflow, histogram buckets
 * and their bounds, overruns. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>

#include <kernel/latency_stats.h>

#define QEMU_FREQ 62500000ULL /* 16 ns a tick */

static void test_empty(void **state)
{
	struct latency_stats s;

	(void)state;
	latency_stats_init(&s, QEMU_FREQ);
	assert_int_equal(s.count, 0);
	assert_int_equal(latency_stats_avg(&s), 0);
	assert_true(s.min == UINT64_MAX);
	assert_int_equal(s.max, 0);
	for (unsigned i = 0; i < LAT_BUCKETS; i++)
		assert_int_equal(s.bucket[i], 0);
}

static void test_min_avg_max(void **state)
{
	struct latency_stats s;
	const uint64_t samples[] = {10, 3, 250, 7, 30};

	(void)state;
	latency_stats_init(&s, QEMU_FREQ);
	for (unsigned i = 0; i < 5; i++)
		latency_stats_add(&s, samples[i]);
	assert_int_equal(s.count, 5);
	assert_int_equal(s.min, 3);
	assert_int_equal(s.max, 250);
	assert_int_equal(latency_stats_avg(&s), 60); /* 300 / 5 */
	assert_int_equal(latency_stats_avg(&s), s.sum / s.count);
}

static void test_ticks_to_ns(void **state)
{
	struct latency_stats s;

	(void)state;
	latency_stats_init(&s, QEMU_FREQ);
	assert_int_equal(latency_ticks_to_ns(&s, 0), 0);
	assert_int_equal(latency_ticks_to_ns(&s, 1), 16);
	assert_int_equal(latency_ticks_to_ns(&s, QEMU_FREQ), 1000000000ULL);
	/* A day of ticks: ticks * 1e9 would overflow 64 bits, the conversion must not. */
	uint64_t day = QEMU_FREQ * 86400;

	assert_true(latency_ticks_to_ns(&s, day) == 86400ULL * 1000000000ULL);
	latency_stats_init(&s, 3); /* rounding down */
	assert_int_equal(latency_ticks_to_ns(&s, 1), 333333333);
	latency_stats_init(&s, 0); /* never divides by zero */
	assert_int_equal(latency_ticks_to_ns(&s, 2), 2000000000ULL);
}

static void test_buckets(void **state)
{
	(void)state;
	assert_int_equal(latency_bucket(0), 0);
	assert_int_equal(latency_bucket(999), 0);
	assert_int_equal(latency_bucket(1000), 1);
	assert_int_equal(latency_bucket(1999), 1);
	assert_int_equal(latency_bucket(2000), 2);
	assert_int_equal(latency_bucket(3999), 2);
	assert_int_equal(latency_bucket(4000), 3);
	assert_int_equal(latency_bucket(UINT64_MAX), LAT_BUCKETS - 1);
	/* Every bucket's bounds agree with the classification. */
	for (unsigned b = 1; b < LAT_BUCKETS; b++) {
		uint64_t lo = latency_bucket_low_ns(b);

		assert_int_equal(latency_bucket(lo), b);
		assert_int_equal(latency_bucket(lo - 1), b - 1);
	}
	assert_int_equal(latency_bucket_low_ns(0), 0);
	assert_int_equal(latency_bucket_low_ns(1), 1000);
	assert_int_equal(latency_bucket_low_ns(4), 8000);
}

static void test_histogram_counts_every_sample(void **state)
{
	struct latency_stats s;
	uint64_t total = 0;

	(void)state;
	latency_stats_init(&s, QEMU_FREQ);
	latency_stats_add(&s, 10);	  /* 160 ns */
	latency_stats_add(&s, 62);	  /* 992 ns */
	latency_stats_add(&s, 63);	  /* 1008 ns */
	latency_stats_add(&s, 625);	  /* 10 us */
	latency_stats_add(&s, QEMU_FREQ); /* 1 s: the open bucket */
	assert_int_equal(s.bucket[0], 2);
	assert_int_equal(s.bucket[1], 1);
	assert_int_equal(s.bucket[4], 1); /* [8, 16) us */
	assert_int_equal(s.bucket[LAT_BUCKETS - 1], 1);
	for (unsigned i = 0; i < LAT_BUCKETS; i++)
		total += s.bucket[i];
	assert_int_equal(total, s.count);
}

static void test_overruns(void **state)
{
	struct latency_stats s;

	(void)state;
	latency_stats_init(&s, QEMU_FREQ);
	latency_stats_overrun(&s, 2);
	latency_stats_overrun(&s, 1);
	assert_int_equal(s.overruns, 3);
	assert_int_equal(s.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_min_avg_max),
	    cmocka_unit_test(test_ticks_to_ns),
	    cmocka_unit_test(test_buckets),
	    cmocka_unit_test(test_histogram_counts_every_sample),
	    cmocka_unit_test(test_overruns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
