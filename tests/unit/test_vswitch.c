/* The learning switch: flooding until learnt, unicast after, no reflection, aging, moves,
 * detach forgetting a port's addresses, table replacement when full, short frames. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>
#include <zvm/virtio/vswitch.h>

static const uint8_t BCAST[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static void mac(uint8_t *m, unsigned n)
{
	const uint8_t base[ETH_ALEN] = {0x52, 0x54, 0x00, 0x5a, 0x00, 0x00};

	memcpy(m, base, ETH_ALEN);
	m[4] = (uint8_t)(n >> 8);
	m[5] = (uint8_t)n;
}

/* A frame from MAC number src to MAC number dst (or to broadcast when dst < 0). */
static const uint8_t *frame(unsigned src, int dst)
{
	static uint8_t f[64];

	memset(f, 0, sizeof(f));
	if (dst < 0)
		memcpy(f, BCAST, ETH_ALEN);
	else
		mac(f, (unsigned)dst);
	mac(f + ETH_ALEN, src);
	f[12] = 0x08; /* IPv4 */
	return f;
}

static struct vswitch sw;

static int setup(void **state)
{
	(void)state;
	vswitch_init(&sw);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vswitch_attach(&sw), i);
	return 0;
}

static void test_flood_then_learn(void **state)
{
	(void)state;
	/* 1 on port 0 to 2, unknown: every other port. */
	assert_int_equal(vswitch_forward(&sw, 0, frame(1, 2), 64, 0), 0x6);
	/* 2 answers from port 2: 1 is known by now, unicast. */
	assert_int_equal(vswitch_forward(&sw, 2, frame(2, 1), 64, 1), 0x1);
	/* and 2 is known too. */
	assert_int_equal(vswitch_forward(&sw, 0, frame(1, 2), 64, 2), 0x4);
	/* Broadcast always floods, never back. */
	assert_int_equal(vswitch_forward(&sw, 1, frame(3, -1), 64, 3), 0x5);
	assert_int_equal(sw.learnt, 3);
}

static void test_no_reflection_and_short_frames(void **state)
{
	(void)state;
	vswitch_forward(&sw, 0, frame(1, -1), 64, 0);
	vswitch_forward(&sw, 0, frame(2, -1), 64, 0);
	/* 2 to 1, both behind port 0: dropped, not sent back out. */
	assert_int_equal(vswitch_forward(&sw, 0, frame(2, 1), 64, 1), 0);
	assert_int_equal(vswitch_forward(&sw, 0, frame(2, 1), ETH_HLEN - 1, 1), 0);
	assert_int_equal(vswitch_forward(&sw, 7, frame(2, 1), 64, 1), 0); /* not attached */
	assert_int_equal(vswitch_forward(&sw, VSWITCH_PORTS, frame(2, 1), 64, 1), 0);
}

static void test_group_source_not_learnt(void **state)
{
	uint8_t f[64];

	(void)state;
	memcpy(f, frame(1, 2), sizeof(f));
	f[ETH_ALEN] |= 1; /* a multicast source is bogus: never learnt */
	vswitch_forward(&sw, 0, f, 64, 0);
	assert_int_equal(sw.learnt, 0);
}

static void test_aging(void **state)
{
	(void)state;
	vswitch_forward(&sw, 0, frame(1, -1), 64, 100);
	assert_int_equal(vswitch_forward(&sw, 2, frame(2, 1), 64, 100 + VSWITCH_AGE_TICKS), 0x1);
	/* Silent for longer than the age: flooded again. */
	assert_int_equal(vswitch_forward(&sw, 2, frame(2, 1), 64, 101 + 2 * VSWITCH_AGE_TICKS),
			 0x3);
}

static void test_move(void **state)
{
	(void)state;
	vswitch_forward(&sw, 0, frame(1, -1), 64, 0);
	vswitch_forward(&sw, 1, frame(1, -1), 64, 1); /* the address is behind port 1 now */
	assert_int_equal(sw.moved, 1);
	assert_int_equal(vswitch_forward(&sw, 2, frame(2, 1), 64, 2), 0x2);
}

static void test_detach_forgets(void **state)
{
	(void)state;
	vswitch_forward(&sw, 1, frame(1, -1), 64, 0);
	vswitch_detach(&sw, 1);
	/* Nothing goes to a detached port, and its addresses are forgotten. */
	assert_int_equal(vswitch_forward(&sw, 0, frame(2, 1), 64, 1), 0x4);
	assert_int_equal(vswitch_forward(&sw, 1, frame(1, 2), 64, 1), 0);
	/* Its number is free for the next VM, which starts unknown. */
	assert_int_equal(vswitch_attach(&sw), 1);
	assert_int_equal(vswitch_forward(&sw, 0, frame(2, 1), 64, 2), 0x6);
}

static void test_full_table_replaces_oldest(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VSWITCH_MACS; i++)
		vswitch_forward(&sw, 0, frame(100 + i, -1), 64, i);
	/* One more address: the oldest (100, seen at 0) goes, the newest stays. */
	vswitch_forward(&sw, 1, frame(99, -1), 64, VSWITCH_MACS);
	assert_int_equal(vswitch_forward(&sw, 2, frame(5, 100), 64, VSWITCH_MACS + 1), 0x3);
	assert_int_equal(
	    vswitch_forward(&sw, 2, frame(5, 100 + VSWITCH_MACS - 1), 64, VSWITCH_MACS + 1), 0x1);
	assert_int_equal(vswitch_forward(&sw, 2, frame(5, 99), 64, VSWITCH_MACS + 1), 0x2);
}

static void test_all_ports(void **state)
{
	struct vswitch s;

	(void)state;
	vswitch_init(&s);
	for (int i = 0; i < VSWITCH_PORTS; i++)
		assert_int_equal(vswitch_attach(&s), i);
	assert_int_equal(vswitch_attach(&s), -1);
	assert_int_equal(vswitch_forward(&s, 63, frame(1, -1), 64, 0), ~(1ULL << 63));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_flood_then_learn, setup),
	    cmocka_unit_test_setup(test_no_reflection_and_short_frames, setup),
	    cmocka_unit_test_setup(test_group_source_not_learnt, setup),
	    cmocka_unit_test_setup(test_aging, setup),
	    cmocka_unit_test_setup(test_move, setup),
	    cmocka_unit_test_setup(test_detach_forgets, setup),
	    cmocka_unit_test_setup(test_full_table_replaces_oldest, setup),
	    cmocka_unit_test(test_all_ports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
