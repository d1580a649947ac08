/* Dedicated, shared and over-committed vCPUs from their CPU masks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zvm/placement.h>

#define ONLINE 0xfULL /* 4 CPUs */
#define CPU(n) (1ULL << (n))

static void test_alone_on_a_pinned_cpu_is_dedicated(void **state)
{
	/* An RTOS on CPU 1, Linux's two vCPUs on CPUs 2 and 3. */
	const uint64_t m[] = {CPU(1), CPU(2), CPU(3)};
	uint8_t out[3];

	(void)state;
	placement_classify(m, 3, ONLINE, out);
	assert_int_equal(out[0], CPU_DEDICATED);
	assert_int_equal(out[1], CPU_DEDICATED);
	assert_int_equal(out[2], CPU_DEDICATED);
}

static void test_a_second_vcpu_on_the_cpu_ends_it(void **state)
{
	const uint64_t m[] = {CPU(1), CPU(1)};
	uint8_t out[2];

	(void)state;
	placement_classify(m, 2, ONLINE, out);
	assert_int_equal(out[0], CPU_OVERCOMMITTED);
	assert_int_equal(out[1], CPU_OVERCOMMITTED);
}

static void test_unpinned_vcpus_share_until_there_are_more_than_cpus(void **state)
{
	uint64_t m[5] = {ONLINE, ONLINE, ONLINE, ONLINE, ONLINE};
	uint8_t out[5];

	(void)state;
	placement_classify(m, 4, ONLINE, out);
	for (int i = 0; i < 4; i++)
		assert_int_equal(out[i], CPU_SHARED);
	placement_classify(m, 5, ONLINE, out);
	for (int i = 0; i < 5; i++)
		assert_int_equal(out[i], CPU_OVERCOMMITTED);
}

static void test_an_unpinned_vcpu_reaching_a_pinned_cpu(void **state)
{
	/* vCPU 0 pinned to CPU 0, vCPU 1 anywhere: 0 is no longer alone; 2 vCPUs on 4 CPUs. */
	const uint64_t m[] = {CPU(0), ONLINE};
	uint8_t out[2];

	(void)state;
	placement_classify(m, 2, ONLINE, out);
	assert_int_equal(out[0], CPU_SHARED);
	assert_int_equal(out[1], CPU_SHARED);
}

static void test_offline_cpus_do_not_count(void **state)
{
	/* Pinned to CPU 1 plus an offline CPU 7: still one CPU. */
	const uint64_t m[] = {CPU(1) | CPU(7), CPU(2)};
	uint8_t out[2];

	(void)state;
	placement_classify(m, 2, ONLINE, out);
	assert_int_equal(out[0], CPU_DEDICATED);
	assert_string_equal(cpu_use_name(out[0]), "dedicated");
	assert_string_equal(cpu_use_name(CPU_OVERCOMMITTED), "overcommit");
}

/* The definition, pair by pair: what the linear version must agree with. */
static uint8_t reference(const uint64_t *masks, unsigned n, uint64_t online, unsigned i)
{
	uint64_t mine = masks[i] & online, cpus = mine;
	unsigned sharing = 0;

	for (unsigned j = 0; j < n; j++)
		if (masks[j] & online & mine) {
			sharing++;
			cpus |= masks[j] & online;
		}
	if (__builtin_popcountll(mine) == 1 && sharing == 1)
		return CPU_DEDICATED;
	return sharing > (unsigned)__builtin_popcountll(cpus) ? CPU_OVERCOMMITTED : CPU_SHARED;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

#define MAX_N 600 /* above VM_MAX * VM_MAX_VCPUS */

static void test_matches_the_pairwise_definition(void **state)
{
	static uint64_t m[MAX_N];
	static uint8_t out[MAX_N];

	(void)state;
	for (int round = 0; round < 3000; round++) {
		unsigned n = (unsigned)(next() % (round < 2000 ? 12 : MAX_N)) + 1;
		uint64_t online = next() & 0xff;

		for (unsigned i = 0; i < n; i++) {
			uint64_t r = next();
			/* Mostly single CPUs (pinned vCPUs), some sets, some with offline bits. */
			m[i] = r % 3 ? 1ULL << (r >> 8) % 8 : (r >> 16) & 0x1ff;
		}
		placement_classify(m, n, online, out);
		for (unsigned i = 0; i < n; i++)
			assert_int_equal(out[i], reference(m, n, online, i));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alone_on_a_pinned_cpu_is_dedicated),
	    cmocka_unit_test(test_a_second_vcpu_on_the_cpu_ends_it),
	    cmocka_unit_test(test_unpinned_vcpus_share_until_there_are_more_than_cpus),
	    cmocka_unit_test(test_an_unpinned_vcpu_reaching_a_pinned_cpu),
	    cmocka_unit_test(test_offline_cpus_do_not_count),
	    cmocka_unit_test(test_matches_the_pairwise_definition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
