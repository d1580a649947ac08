/* lib/shm_mbox: round trips, compatibility with t_shm's box writer, and every way a hostile or
 * racing peer can make a box lie (bounds, checksum, torn reads). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <string.h>

#include <lib/shm_mbox.h>

#define BOX_U32 (4 + SHM_MBOX_WORDS + 4) /* header, data, guard words */
#define GUARD	0xdeadbeefu

static uint32_t box[BOX_U32];

static void reset_box(void)
{
	memset(box, 0, sizeof(box));
	for (unsigned i = 4 + SHM_MBOX_WORDS; i < BOX_U32; i++)
		box[i] = GUARD;
}

static void guards_intact(void)
{
	for (unsigned i = 4 + SHM_MBOX_WORDS; i < BOX_U32; i++)
		assert_int_equal(box[i], GUARD);
}

static void round_trip_every_length(void **state)
{
	(void)state;
	uint8_t msg[SHM_MBOX_MAX];
	struct shm_mbox_msg m;

	for (unsigned i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);
	for (size_t len = 0; len <= SHM_MBOX_MAX; len++) {
		reset_box();
		assert_int_equal(shm_mbox_write(box, 100 + len, msg, len), 0);
		assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_OK);
		assert_int_equal(m.seq, 100 + len);
		/* len 0 reads back as 0 bytes: 0 words and bytes 0 -> 0. */
		assert_int_equal(m.bytes, len);
		assert_memory_equal(m.data, msg, len);
		guards_intact();
	}
}

static void write_rejects(void **state)
{
	(void)state;
	uint8_t msg[SHM_MBOX_MAX + 1] = {0};

	reset_box();
	assert_int_equal(shm_mbox_write(box, 0, msg, 4), -1);
	assert_int_equal(shm_mbox_write(box, 1, msg, SHM_MBOX_MAX + 1), -1);
	guards_intact();
}

/* t_shm.c's box_write, verbatim in effect: word payload, offset 0xc left 0. */
static void t_shm_writer_is_readable(void **state)
{
	(void)state;
	struct shm_mbox_msg m;
	uint32_t d[5] = {1, 2, 3, 0xffffffffu, 5};

	reset_box();
	memcpy(&box[4], d, sizeof(d));
	box[1] = 5;
	box[2] = shm_mbox_sum(d, 5, 42);
	box[0] = 42;
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_OK);
	assert_int_equal(m.bytes, 20);
	assert_memory_equal(m.data, d, sizeof(d));
	/* And what we write, t_shm's box_read accepts: same fields, same sum. */
	assert_int_equal(shm_mbox_write(box, 7, d, sizeof(d)), 0);
	assert_int_equal(box[1], 5);
	assert_int_equal(box[2], shm_mbox_sum(d, 5, 7));
	/* t_shm's end marker carries no checksum. */
	box[0] = SHM_MBOX_SEQ_DONE;
	box[2] = 0;
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_OK);
}

static void hostile_fields(void **state)
{
	(void)state;
	struct shm_mbox_msg m;
	const char *s = "hello";

	reset_box();
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE); /* empty */
	shm_mbox_write(box, 3, s, 5);
	box[1] = SHM_MBOX_WORDS + 1; /* len past the box */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[3] = 0; /* len past the box with bytes left to be derived from it */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[1] = 0xffffffffu;
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[1] = 2;
	box[3] = 9; /* bytes beyond len words */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[3] = 4; /* bytes a whole word short of len */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[3] = 0xfffffffdu; /* bytes + 3 wraps */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_NONE);
	box[3] = 5;
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_OK);
	box[4] ^= 0x100; /* one payload bit flipped */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_BAD_SUM);
	box[4] ^= 0x100;
	box[0] = 4; /* a stale sum under a new seq */
	assert_int_equal(shm_mbox_read(box, &m), SHM_MBOX_BAD_SUM);
	guards_intact();
}

static void torn_read(void **state)
{
	(void)state;
	struct shm_mbox_msg m;
	uint32_t sum;

	reset_box();
	shm_mbox_write(box, 10, "first", 5);
	assert_int_equal(shm_mbox_snapshot(box, &m, &sum), SHM_MBOX_OK);
	/* The peer rewrites the box between our copy and our re-check. */
	shm_mbox_write(box, 11, "second", 6);
	assert_int_equal(shm_mbox_check(box, &m, sum), SHM_MBOX_NONE);
	/* A writer caught mid-way (seq 0) is no message either. */
	assert_int_equal(shm_mbox_snapshot(box, &m, &sum), SHM_MBOX_OK);
	box[0] = 0;
	assert_int_equal(shm_mbox_check(box, &m, sum), SHM_MBOX_NONE);
	assert_int_equal(shm_mbox_snapshot(box, &m, &sum), SHM_MBOX_NONE);
}

static void directions(void **state)
{
	(void)state;
	assert_int_equal(shm_mbox_tx_off(1, 2), shm_mbox_rx_off(2, 1));
	assert_int_equal(shm_mbox_tx_off(2, 1), shm_mbox_rx_off(1, 2));
	assert_int_not_equal(shm_mbox_tx_off(1, 2), shm_mbox_rx_off(1, 2));
	assert_int_equal(shm_mbox_tx_off(1, 2), SHM_MBOX_BOX0); /* t_shm: A (lower) sends box 0 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip_every_length),
	    cmocka_unit_test(write_rejects),
	    cmocka_unit_test(t_shm_writer_is_readable),
	    cmocka_unit_test(hostile_fields),
	    cmocka_unit_test(torn_read),
	    cmocka_unit_test(directions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
