/* The virtio-blk request parser on chains walked from crafted rings: each type's layout and
 * directions, lengths, sector ranges against the capacity, read-only disks, discard and
 * write-zeroes ranges and their flags, and where the status byte goes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>
#include <zvm/virtio/blk_req.h>

#include "test_virtq_fake.h"

#define QSIZE  16
#define DESC   (RAM_BASE + 0x0000)
#define AVAIL  (RAM_BASE + 0x1000)
#define USED   (RAM_BASE + 0x2000)
#define HDR    (RAM_BASE + 0x3000)
#define DATA   (RAM_BASE + 0x4000)
#define STATUS (RAM_BASE + 0x3800)

static struct fake_ram *ram;
static struct virtq q;
static struct virtq_seg segs[QSIZE], data[QSIZE];
static struct virtq_chain chain = {.segs = segs, .max = QSIZE};
static struct blk_req r;
static struct blk_cfg cfg;
static unsigned nd; /* descriptors of the chain being built */

static int setup(void **state)
{
	(void)state;
	ram = calloc(1, sizeof(*ram));
	ram->check_size = RAM_SIZE;
	virtq_init(&q, &fake_ops, ram, QSIZE);
	q.size = QSIZE;
	q.desc = DESC;
	q.avail = AVAIL;
	q.used = USED;
	assert_int_equal(virtq_enable(&q), 0);
	cfg = (struct blk_cfg){
	    .capacity = 1000,
	    .flush = true,
	    .discard = true,
	    .write_zeroes = true,
	    .max_discard_sectors = 100,
	    .max_discard_seg = 2,
	    .max_write_zeroes_sectors = 200,
	    .max_write_zeroes_seg = 1,
	};
	nd = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_int_equal(ram->refused, 0);
	free(ram);
	return 0;
}

static void hdr(uint32_t type, uint32_t ioprio, uint64_t sector)
{
	fake_put(ram, HDR, type, 4);
	fake_put(ram, HDR + 4, ioprio, 4);
	fake_put(ram, HDR + 8, sector, 8);
}

/* Appends a descriptor to the chain being built. */
static void add(uint64_t addr, uint32_t len, bool write)
{
	if (nd)
		fake_put(ram, DESC + 16 * (nd - 1) + 12,
			 fake_get(ram, DESC + 16 * (nd - 1) + 12, 2) | VIRTQ_DESC_F_NEXT, 2);
	fake_desc(ram, DESC, nd, addr, len, write ? VIRTQ_DESC_F_WRITE : 0, (uint16_t)(nd + 1));
	nd++;
}

/* Makes the chain available, walks it and parses it. */
static uint8_t parse(void)
{
	fake_avail(ram, &q, 0);
	assert_int_equal(virtq_pop(&q, &chain), 1);
	nd = 0;
	return blk_req_parse(&q, &chain, &cfg, &r, data);
}

static void std_rw(uint32_t type, uint64_t sector, uint32_t len)
{
	hdr(type, 0, sector);
	add(HDR, 16, false);
	add(DATA, len, type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID);
	add(STATUS, 1, true);
}

static void range(unsigned i, uint64_t sector, uint32_t n, uint32_t flags)
{
	fake_put(ram, DATA + 16 * i, sector, 8);
	fake_put(ram, DATA + 16 * i + 8, n, 4);
	fake_put(ram, DATA + 16 * i + 12, flags, 4);
}

static void test_read(void **state)
{
	(void)state;
	hdr(VIRTIO_BLK_T_IN, 0, 10);
	add(HDR, 16, false);
	add(DATA, 512, true);
	add(DATA + 0x1000, 1024, true);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.type, VIRTIO_BLK_T_IN);
	assert_int_equal(r.sector, 10);
	assert_int_equal(r.data_len, 1536);
	assert_int_equal(r.nr_segs, 2);
	assert_int_equal(data[0].ipa, DATA);
	assert_int_equal(data[0].len, 512);
	assert_true(data[0].write);
	assert_int_equal(data[1].ipa, DATA + 0x1000);
	assert_int_equal(data[1].len, 1024);
	assert_true(r.has_status);
	assert_int_equal(r.status_ipa, STATUS);
}

static void test_write(void **state)
{
	(void)state;
	std_rw(VIRTIO_BLK_T_OUT, 999, 512);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.nr_segs, 1);
	assert_int_equal(data[0].ipa, DATA);
	assert_false(data[0].write);
	assert_int_equal(r.data_len, 512);
}

/* virtio 1.x has no framing: the header may be split, data and status may share a buffer. */
static void test_any_layout(void **state)
{
	(void)state;
	hdr(VIRTIO_BLK_T_OUT, 0, 4);
	fake_put(ram, DATA, 0x1234, 2);
	add(HDR, 8, false);
	add(HDR + 8, 8, false);
	add(DATA, 1024, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.sector, 4);
	/* Header and data in one buffer. */
	hdr(VIRTIO_BLK_T_IN, 0, 0);
	add(HDR, 16 + 512, false);
	add(DATA, 513, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR); /* readable data on a read */
	add(HDR, 16, false);
	add(DATA, 513, true); /* data and status together */
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.nr_segs, 1);
	assert_int_equal(data[0].len, 512);
	assert_int_equal(r.status_ipa, DATA + 512);
	hdr(VIRTIO_BLK_T_OUT, 0, 0);
	add(HDR, 16 + 512, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(data[0].ipa, HDR + 16);
	assert_int_equal(data[0].len, 512);
}

static void test_directions(void **state)
{
	(void)state;
	/* A write whose data is device-writable. */
	hdr(VIRTIO_BLK_T_OUT, 0, 0);
	add(HDR, 16, false);
	add(DATA, 512, true);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	/* A read whose data is device-readable. */
	hdr(VIRTIO_BLK_T_IN, 0, 0);
	add(HDR, 16, false);
	add(DATA, 512, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	/* No header: the status still gets the error. */
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	assert_true(r.has_status);
	/* A short header. */
	add(HDR, 15, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	/* No writable byte: nowhere to put a status. */
	hdr(VIRTIO_BLK_T_FLUSH, 0, 0);
	add(HDR, 16, false);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	assert_false(r.has_status);
	/* The status is the last non-empty writable byte. */
	add(HDR, 16, false);
	add(STATUS, 1, true);
	add(DATA, 0, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.status_ipa, STATUS);
}

static void test_length_multiple_of_512(void **state)
{
	(void)state;
	std_rw(VIRTIO_BLK_T_IN, 0, 511);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_OUT, 0, 513);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
}

static void test_capacity(void **state)
{
	(void)state;
	std_rw(VIRTIO_BLK_T_IN, 998, 1024); /* sectors 998, 999: the last two */
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	std_rw(VIRTIO_BLK_T_IN, 999, 1024);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_OUT, 1000, 512);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_OUT, 1001, 512); /* capacity - sector would wrap */
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_IN, UINT64_MAX, 0);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	/* sector + length wraps 64 bits. */
	cfg.capacity = UINT64_MAX;
	std_rw(VIRTIO_BLK_T_IN, UINT64_MAX - 1, 1024);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_IN, UINT64_MAX - 2, 1024);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
}

static void test_read_only(void **state)
{
	(void)state;
	cfg.ro = true;
	std_rw(VIRTIO_BLK_T_OUT, 0, 512);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	std_rw(VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	hdr(VIRTIO_BLK_T_WRITE_ZEROES, 0, 0);
	range(0, 0, 1, 0);
	add(HDR, 16, false);
	add(DATA, 16, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
}

static void test_flush(void **state)
{
	(void)state;
	hdr(VIRTIO_BLK_T_FLUSH, 0, 0);
	add(HDR, 16, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	std_rw(VIRTIO_BLK_T_FLUSH, 0, 512); /* flush takes no data */
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	cfg.flush = false;
	add(HDR, 16, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_UNSUPP);
}

static void test_get_id_and_unknown(void **state)
{
	(void)state;
	std_rw(VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.data_len, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(r.nr_segs, 1);
	assert_true(data[0].write);
	hdr(VIRTIO_BLK_T_GET_ID, 0, 0);
	add(HDR, 16, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR); /* no room for the id */
	hdr(10 /* GET_LIFETIME, not offered */, 0, 0);
	add(HDR, 16, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_UNSUPP);
}

static uint8_t ranges(uint32_t type, uint32_t len)
{
	hdr(type, 0, 0);
	add(HDR, 16, false);
	add(DATA, len, false);
	add(STATUS, 1, true);
	return parse();
}

static void test_discard(void **state)
{
	(void)state;
	range(0, 10, 100, 0);
	range(1, 900, 100, 0);
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_OK);
	assert_int_equal(r.nr_ranges, 2);
	assert_int_equal(r.ranges[1].sector, 900);
	assert_int_equal(r.ranges[1].nr_sectors, 100);
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 48), VIRTIO_BLK_S_UNSUPP); /* > max seg */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 24), VIRTIO_BLK_S_IOERR);	 /* not 16s */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 0), VIRTIO_BLK_S_IOERR);
	range(1, 901, 100, 0); /* past the end */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_IOERR);
	range(1, 0, 101, 0); /* above max_discard_sectors */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_IOERR);
	range(1, 0, 1, VIRTIO_BLK_WZ_F_UNMAP); /* unmap is for write zeroes only */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_UNSUPP);
	range(1, 0, 1, 2); /* unknown flag */
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_UNSUPP);
	range(1, UINT64_MAX, 2, 0);
	cfg.capacity = UINT64_MAX;
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 32), VIRTIO_BLK_S_IOERR);
	cfg.discard = false;
	assert_int_equal(ranges(VIRTIO_BLK_T_DISCARD, 16), VIRTIO_BLK_S_UNSUPP);
}

static void test_write_zeroes(void **state)
{
	(void)state;
	range(0, 10, 200, VIRTIO_BLK_WZ_F_UNMAP);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 16), VIRTIO_BLK_S_OK);
	assert_true(r.ranges[0].unmap);
	assert_int_equal(r.ranges[0].nr_sectors, 200);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 32), VIRTIO_BLK_S_UNSUPP);
	range(0, 10, 201, 0);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 16), VIRTIO_BLK_S_IOERR);
	range(0, 10, 1, 4);
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 16), VIRTIO_BLK_S_UNSUPP);
	/* A range split across two descriptors is read whole. */
	range(0, 7, 3, 0);
	hdr(VIRTIO_BLK_T_WRITE_ZEROES, 0, 0);
	add(HDR, 16, false);
	add(DATA, 10, false);
	add(DATA + 10, 6, false);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.ranges[0].sector, 7);
	assert_int_equal(r.ranges[0].nr_sectors, 3);
	cfg.write_zeroes = false;
	assert_int_equal(ranges(VIRTIO_BLK_T_WRITE_ZEROES, 16), VIRTIO_BLK_S_UNSUPP);
}

static void test_ioprio(void **state)
{
	(void)state;
	std_rw(VIRTIO_BLK_T_IN, 0, 512);
	fake_put(ram, HDR + 4, IOPRIO_CLASS_RT << 13 | 3, 4);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.prio_class, IOPRIO_CLASS_RT);
	assert_int_equal(r.prio_level, 3);
	std_rw(VIRTIO_BLK_T_IN, 0, 512);
	fake_put(ram, HDR + 4, IOPRIO_CLASS_IDLE << 13 | 7, 4);
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.prio_class, IOPRIO_CLASS_IDLE);
	assert_int_equal(r.prio_level, 7);
	std_rw(VIRTIO_BLK_T_IN, 0, 512);
	fake_put(ram, HDR + 4, 5u << 13 | 2, 4); /* no such class */
	assert_int_equal(parse(), VIRTIO_BLK_S_OK);
	assert_int_equal(r.prio_class, IOPRIO_CLASS_NONE);
}

/* A bad chain (buffer outside RAM) still gets an error status where the status lies in RAM. */
static void test_bad_chain(void **state)
{
	(void)state;
	hdr(VIRTIO_BLK_T_IN, 0, 0);
	add(HDR, 16, false);
	add(RAM_BASE + RAM_SIZE - 256, 512, true);
	add(STATUS, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	assert_true(r.has_status);
	assert_int_equal(r.status_ipa, STATUS);
	/* Status itself outside RAM: no status, the device returns it with length 0. */
	add(HDR, 16, false);
	add(RAM_BASE + RAM_SIZE, 1, true);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	assert_false(r.has_status);
	/* Too many segments: the end of the chain is unknown. */
	chain.max = 2;
	std_rw(VIRTIO_BLK_T_IN, 0, 512);
	assert_int_equal(parse(), VIRTIO_BLK_S_IOERR);
	assert_false(r.has_status);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_read),
	    T(test_write),
	    T(test_any_layout),
	    T(test_directions),
	    T(test_length_multiple_of_512),
	    T(test_capacity),
	    T(test_read_only),
	    T(test_flush),
	    T(test_get_id_and_unknown),
	    T(test_discard),
	    T(test_write_zeroes),
	    T(test_ioprio),
	    T(test_bad_chain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
