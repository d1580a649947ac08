/* vblk: ZVM's virtio-blk (device id 2) on its virtio-mmio transport, driven by polling the
 * used ring: features and config (capacity = the --disk range), a pattern written to sectors
 * and read back, requests past the capacity refused with IOERR, and on a read-only disk
 * (--disk ...:ro, feature RO) writes refused with IOERR. The guest's MMU is off: RAM is
 * identity mapped. Malformed chains get the documented answers and a reset repairs a
 * broken queue. WRITE_ZEROES zeroes exactly its range; DISCARD is accepted where the host disk
 * has it; both refuse what the spec says to refuse. */
#include "zt.h"
#include "zt_virtio_mmio.h"

#define S_ALL (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

#define F_SEG_MAX (1ULL << 2)
#define F_RO	  (1ULL << 5)
#define F_FLUSH	  (1ULL << 9)
#define F_DISCARD (1ULL << 13)
#define F_WZ	  (1ULL << 14) /* WRITE_ZEROES */
#define F_V1	  (1ULL << 32)
#define F_WANT	  (F_SEG_MAX | F_RO | F_FLUSH | F_DISCARD | F_WZ) /* negotiated when offered */

#define D_NEXT	1
#define D_WRITE 2

#define T_IN	  0
#define T_OUT	  1
#define T_DISCARD 11
#define T_WZ	  13

#define S_OK	 0
#define S_IOERR	 1
#define S_UNSUPP 2

#define WZ_UNMAP 1u
#define CFG	 0x100 /* struct virtio_blk_config */

#define QSIZE  16
#define SECTOR 512
#define NSECT  4

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static struct {
	struct desc desc[QSIZE] __attribute__((aligned(16)));
	struct {
		uint16_t flags, idx, ring[QSIZE], used_event;
	} avail __attribute__((aligned(4)));
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[QSIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
} vq;

static struct {
	uint32_t type, reserved;
	uint64_t sector;
} hdr __attribute__((aligned(16)));
static uint8_t data[NSECT * SECTOR] __attribute__((aligned(64)));
static volatile uint8_t status __attribute__((aligned(64)));

static uint64_t base;
static uint64_t features, capacity;

static uint32_t rd(uint64_t off)
{
	return zt_r32(base + off);
}

static void wr(uint64_t off, uint32_t v)
{
	zt_w32(base + off, v);
}

/* Non-cacheable guest accesses vs ZVM's cacheable ones (see t_vcons.c). */
static void sync_mem(const volatile void *p, size_t len)
{
	for (uintptr_t a = (uintptr_t)p & ~63UL; a < (uintptr_t)p + len; a += 64)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
}

static void sync_all(void)
{
	sync_mem(&vq, sizeof(vq));
	sync_mem(&hdr, sizeof(hdr));
	sync_mem(data, sizeof(data));
	sync_mem(&status, 1);
}

static uint32_t bring_up(uint64_t feat)
{
	uint8_t *p = (uint8_t *)&vq;

	wr(STATUS, 0);
	for (size_t j = 0; j < sizeof(vq); j++)
		p[j] = 0;
	sync_all();
	wr(STATUS, S_ACK);
	wr(STATUS, S_ACK | S_DRIVER);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEATURES, (uint32_t)feat);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEATURES, (uint32_t)(feat >> 32));
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC_LO, (uint32_t)(uintptr_t)vq.desc);
	wr(QUEUE_DESC_HI, 0);
	wr(QUEUE_AVAIL_LO, (uint32_t)(uintptr_t)&vq.avail);
	wr(QUEUE_AVAIL_HI, 0);
	wr(QUEUE_USED_LO, (uint32_t)(uintptr_t)&vq.used);
	wr(QUEUE_USED_HI, 0);
	wr(QUEUE_READY, 1);
	wr(STATUS, S_ALL);
	return rd(STATUS);
}

static uint16_t used_idx(void)
{
	sync_mem(&vq.used, sizeof(vq.used));
	return *(volatile uint16_t *)&vq.used.idx;
}

/* One request of three descriptors: header {type, sector}, len bytes at data (device-writable
 * with dev_writes), status. Returns the status byte, or 0xff if the device did not answer. */
static unsigned chain3(uint32_t type, uint64_t sector, uint32_t len, bool dev_writes)
{
	uint16_t want = (uint16_t)(vq.avail.idx + 1);

	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = sector;
	status = 0xee;
	vq.desc[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1};
	vq.desc[1] =
	    (struct desc){(uintptr_t)data, len, (uint16_t)(D_NEXT | (dev_writes ? D_WRITE : 0)), 2};
	vq.desc[2] = (struct desc){(uintptr_t)&status, 1, D_WRITE, 0};
	vq.avail.ring[vq.avail.idx % QSIZE] = 0;
	__asm__ volatile("dmb ishst" : : : "memory");
	vq.avail.idx = want;
	sync_all();
	wr(QUEUE_NOTIFY, 0);
	if (!zt_wait(used_idx() == want, ZT_DELIVERY_MS))
		return 0xff;
	sync_mem(data, sizeof(data));
	sync_mem(&status, 1);
	return status;
}

/* nsect sectors of data at sector, read or written. */
static unsigned request(uint32_t type, uint64_t sector, unsigned nsect)
{
	return chain3(type, sector, nsect * SECTOR, type == T_IN);
}

static uint8_t pattern(uint64_t sector, unsigned i)
{
	return (uint8_t)(sector * 7 + i * 13 + 1);
}

static int c_ident(void)
{
	for (unsigned i = 0; i < zt_plat.nr_virtio && !base; i++)
		if (zt_r32(zt_plat.virtio_all[i] + DEVICE_ID) == 2)
			base = zt_plat.virtio_all[i];
	CHECK(base, "no virtio,mmio node with DeviceID 2 (of %u nodes)", zt_plat.nr_virtio);
	CHECK(rd(VERSION) == 2, "Version %u", rd(VERSION));
	wr(DEV_FEAT_SEL, 0);
	features = rd(DEV_FEATURES);
	wr(DEV_FEAT_SEL, 1);
	features |= (uint64_t)rd(DEV_FEATURES) << 32;
	CHECK((features & (F_V1 | F_SEG_MAX | F_FLUSH)) == (F_V1 | F_SEG_MAX | F_FLUSH),
	      "features 0x%llx", (unsigned long long)features);
	capacity = rd(0x100) | (uint64_t)rd(0x104) << 32;
	uint32_t seg_max = rd(0x10c);
	CHECK(capacity >= 16, "capacity %llu", (unsigned long long)capacity);
	CHECK(seg_max >= 1, "seg_max %u", seg_max);
	zt_printf("vblk: capacity %llu sectors, seg_max %u%s%s%s\n", (unsigned long long)capacity,
		  seg_max, (features & F_RO) ? ", read-only" : "",
		  (features & F_WZ) ? ", write-zeroes" : "",
		  (features & F_DISCARD) ? ", discard" : "");
	CHECK(bring_up(F_V1 | (features & F_WANT)) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* Patterns at the start and the last sectors of the range, read back. */
static int c_write_read(void)
{
	const uint64_t at[2] = {0, capacity - NSECT};

	if (features & F_RO)
		return 0; /* c_read_only checks this disk */
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned i = 0; i < sizeof(data); i++)
			data[i] = pattern(at[k], i);
		unsigned st = request(T_OUT, at[k], NSECT);
		CHECK(st == S_OK, "write at %llu: status 0x%x", (unsigned long long)at[k], st);
	}
	for (unsigned k = 0; k < 2; k++) {
		for (unsigned i = 0; i < sizeof(data); i++)
			data[i] = 0;
		unsigned st = request(T_IN, at[k], NSECT);
		CHECK(st == S_OK, "read at %llu: status 0x%x", (unsigned long long)at[k], st);
		for (unsigned i = 0; i < sizeof(data); i++)
			CHECK(data[i] == pattern(at[k], i), "sector %llu byte %u: 0x%x want 0x%x",
			      (unsigned long long)at[k], i, data[i], pattern(at[k], i));
	}
	CHECK(rd(STATUS) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* Past the capacity, or straddling its end: IOERR, and the device stays healthy. */
static int c_beyond(void)
{
	const uint64_t at[3] = {capacity, capacity - 1, capacity + 1000};

	for (unsigned k = 0; k < 3; k++) {
		unsigned st = request(T_IN, at[k], NSECT);
		CHECK(st == S_IOERR, "read at %llu: status 0x%x", (unsigned long long)at[k], st);
		st = request(T_OUT, at[k], NSECT);
		CHECK(st == S_IOERR, "write at %llu: status 0x%x", (unsigned long long)at[k], st);
	}
	CHECK(rd(STATUS) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* Read-only disk: the write is refused and the sector keeps its contents. */
static int c_read_only(void)
{
	if (!(features & F_RO))
		return 0;
	CHECK(request(T_IN, 0, 1) == S_OK, "read");
	uint8_t before = data[0];
	for (unsigned i = 0; i < SECTOR; i++)
		data[i] = (uint8_t)~before;
	unsigned st = request(T_OUT, 0, 1);
	CHECK(st == S_IOERR, "write to a read-only disk: status 0x%x", st);
	CHECK(request(T_IN, 0, 1) == S_OK && data[0] == before, "sector 0 changed: 0x%x", data[0]);
	return 0;
}

/* Offers the chain at descriptor 0 as built and waits for it: true once it is used. */
static bool submit_raw(void)
{
	uint16_t want = (uint16_t)(vq.avail.idx + 1);

	vq.avail.ring[vq.avail.idx % QSIZE] = 0;
	__asm__ volatile("dmb ishst" : : : "memory");
	vq.avail.idx = want;
	sync_all();
	wr(QUEUE_NOTIFY, 0);
	return zt_wait(used_idx() == want, ZT_DELIVERY_MS);
}

/* Malformed chains (blk_req.c): the header in a device-writable buffer is IOERR in the status
 * byte; a chain with no writable byte for the status comes back unanswered; a descriptor loop
 * breaks the queue (DEVICE_NEEDS_RESET). After a reset the device works again. */
static int c_malformed(void)
{
	hdr.type = T_IN;
	hdr.reserved = 0;
	hdr.sector = 0;
	status = 0xee;
	vq.desc[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT | D_WRITE, 1};
	vq.desc[1] = (struct desc){(uintptr_t)&status, 1, D_WRITE, 0};
	CHECK(submit_raw(), "header in a writable buffer: not used");
	sync_mem(&status, 1);
	CHECK(status == S_IOERR, "header in a writable buffer: status 0x%x", status);

	status = 0xee;
	vq.desc[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1};
	vq.desc[1] = (struct desc){(uintptr_t)data, SECTOR, 0, 0};
	CHECK(submit_raw(), "no status byte: not used");
	sync_mem(&status, 1);
	CHECK(status == 0xee, "no status byte, yet 0x%x written", status);
	CHECK(rd(STATUS) == S_ALL, "status 0x%x after the malformed chains", rd(STATUS));

	vq.desc[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1};
	vq.desc[1] = (struct desc){(uintptr_t)data, SECTOR, D_NEXT, 0};
	submit_raw();
	CHECK(zt_wait(rd(STATUS) & S_NEEDS_RESET, ZT_DELIVERY_MS), "status 0x%x after a loop",
	      rd(STATUS));
	CHECK(bring_up(F_V1 | (features & F_WANT)) == S_ALL, "status 0x%x after the reset",
	      rd(STATUS));
	unsigned st = request(T_IN, 0, 1);
	CHECK(st == S_OK, "read after the reset: status 0x%x", st);
	return 0;
}

/* A long write (14 segments of 4 KiB) and a device reset right after the kick: the reset
 * waits for or cancels it; the queue set up again serves a read, the device is healthy. */
#define BIG_SEGS 14
#define BIG_SIZE (BIG_SEGS * 4096)
/* 56 KiB above the middle of RAM (the IPC bench's 16 KiB sit at the middle), not in .bss:
 * every set's boot clears .bss, and a dynamic VM's resident pages are counted. */
#define BIG_AT (zt_plat.ram_base + zt_plat.ram_size / 2 + 0x10000)

/* Whether this is test-vblk-hold (bootarg zvmvblkhold): the test holds the host disk. */
static bool holding(void)
{
	char buf[4];

	return zt_bootarg("zvmvblkhold", buf, sizeof(buf)) != NULL;
}

/* With zvmvblkhold (test-vblk-hold), the set stops at step n until a byte is typed on its
 * console, so the test can hold the host disk (`kernel blk hold`) around it; else nothing. */
static int hold_step(unsigned n)
{
	if (!holding())
		return 0;
	zt_printf("vblk: hold step %u, waiting for a key\n", n);
	CHECK(zt_getc(60000) >= 0, "no key at hold step %u", n);
	return 0;
}

static int c_reset_mid_request(void)
{
	if (features & F_RO)
		return 0;
	if (hold_step(1)) /* the test holds the disk */
		return 1;
	CHECK(capacity >= BIG_SEGS * 8, "capacity %llu too small", (unsigned long long)capacity);
	hdr.type = T_OUT;
	hdr.reserved = 0;
	hdr.sector = 0;
	vq.desc[0] = (struct desc){(uintptr_t)&hdr, sizeof(hdr), D_NEXT, 1};
	for (unsigned i = 0; i < BIG_SEGS; i++) {
		uint8_t *seg = (uint8_t *)(uintptr_t)(BIG_AT + 4096ULL * i);

		for (unsigned j = 0; j < 4096; j++)
			seg[j] = (uint8_t)(i + j);
		vq.desc[1 + i] = (struct desc){(uintptr_t)seg, 4096, D_NEXT, (uint16_t)(2 + i)};
	}
	vq.desc[1 + BIG_SEGS] = (struct desc){(uintptr_t)&status, 1, D_WRITE, 0};
	status = 0xff; /* not a status the device may give */
	sync_mem((void *)(uintptr_t)BIG_AT, BIG_SIZE);
	vq.avail.ring[vq.avail.idx % QSIZE] = 0;
	__asm__ volatile("dmb ishst" : : : "memory");
	vq.avail.idx = (uint16_t)(vq.avail.idx + 1);
	sync_all();
	wr(QUEUE_NOTIFY, 0);
	if (hold_step(2)) /* the test sees the write held on the disk */
		return 1;
	wr(STATUS, 0);
	CHECK(zt_wait(rd(STATUS) == 0, ZT_DELIVERY_MS), "status 0x%x after the reset", rd(STATUS));
	if (hold_step(3)) /* the test releases the disk */
		return 1;
	/* Held, the write ended on the disk after the reset: its buffers were given up, so its
	 * status byte stays as it was (answered from the disk's interrupt, it was written).
	 * Unheld, it may have finished before the reset (status OK). */
	zt_delay_ms(20);
	sync_all();
	CHECK(status == 0xff || (!holding() && status == S_OK), "status byte 0x%x after the reset",
	      status);
	CHECK(bring_up(F_V1 | (features & F_WANT)) == S_ALL, "status 0x%x after bring-up",
	      rd(STATUS));
	for (unsigned k = 0; k < 3; k++) {
		unsigned st = request(T_IN, k * NSECT, NSECT);
		CHECK(st == S_OK, "read %u after the reset: status 0x%x", k, st);
	}
	/* Nothing of the cancelled write reached the new ring. */
	zt_delay_ms(20);
	CHECK(used_idx() == vq.avail.idx, "used idx %u, avail idx %u", used_idx(), vq.avail.idx);
	CHECK(rd(STATUS) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* DISCARD or WRITE_ZEROES with n ranges {sector, num, flags} (the data buffer holds them):
 * the status byte, or 0xff if the device did not answer. */
static unsigned ranges(uint32_t type, unsigned n, const uint64_t (*rg)[3])
{
	for (unsigned i = 0; i < n; i++) {
		uint8_t *p = data + 16 * i;

		for (unsigned b = 0; b < 8; b++)
			p[b] = (uint8_t)(rg[i][0] >> (8 * b));
		for (unsigned b = 0; b < 4; b++) {
			p[8 + b] = (uint8_t)(rg[i][1] >> (8 * b));
			p[12 + b] = (uint8_t)(rg[i][2] >> (8 * b));
		}
	}
	return chain3(type, 0, 16 * n, false);
}

/* Sector k of NSECT at `at`: the pattern (want_zero bit k clear) or all zeros (set). */
static int check_sectors(uint64_t at, unsigned want_zero)
{
	unsigned st = request(T_IN, at, NSECT);

	CHECK(st == S_OK, "read at %llu: status 0x%x", (unsigned long long)at, st);
	for (unsigned i = 0; i < sizeof(data); i++) {
		uint8_t want = (want_zero >> (i / SECTOR)) & 1 ? 0 : pattern(at, i);

		CHECK(data[i] == want, "sector %llu byte %u: 0x%x want 0x%x",
		      (unsigned long long)at + i / SECTOR, i % SECTOR, data[i], want);
	}
	return 0;
}

static int fill_sectors(uint64_t at)
{
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = pattern(at, i);
	unsigned st = request(T_OUT, at, NSECT);
	CHECK(st == S_OK, "write at %llu: status 0x%x", (unsigned long long)at, st);
	return 0;
}

/* WRITE_ZEROES: the range's sectors read as zeros and their neighbours are untouched (also
 * with the UNMAP flag); a range past the capacity is IOERR, two ranges (max_write_zeroes_seg
 * is 1) and unknown flags UNSUPP; a range longer than one bounce piece is zeroed whole. On a
 * read-only disk neither command is offered and both are UNSUPP. */
static int c_write_zeroes(void)
{
	const uint64_t at = 8;

	if (features & F_RO) {
		CHECK(!(features & (F_WZ | F_DISCARD)), "read-only disk offers 0x%llx",
		      (unsigned long long)features);
		const uint64_t one[1][3] = {{0, 1, 0}};
		unsigned st = ranges(T_WZ, 1, one);
		CHECK(st == S_UNSUPP, "write zeroes on a read-only disk: status 0x%x", st);
		st = ranges(T_DISCARD, 1, one);
		CHECK(st == S_UNSUPP, "discard on a read-only disk: status 0x%x", st);
		return 0;
	}
	CHECK(features & F_WZ, "no WRITE_ZEROES in 0x%llx", (unsigned long long)features);
	CHECK(rd(CFG + 48) == 65536 && rd(CFG + 52) == 1 && (rd(CFG + 56) & 0xff) == 0,
	      "write zeroes config: max %u seg %u may_unmap %u", rd(CFG + 48), rd(CFG + 52),
	      rd(CFG + 56) & 0xff);
	if (fill_sectors(at))
		return 1;
	const uint64_t mid[1][3] = {{at + 1, 2, 0}};
	unsigned st = ranges(T_WZ, 1, mid);
	CHECK(st == S_OK, "write zeroes: status 0x%x", st);
	if (check_sectors(at, 0x6))
		return 1;
	const uint64_t unmap[1][3] = {{at, 1, WZ_UNMAP}};
	st = ranges(T_WZ, 1, unmap);
	CHECK(st == S_OK, "write zeroes with UNMAP: status 0x%x", st);
	if (check_sectors(at, 0x7))
		return 1;
	const uint64_t past[1][3] = {{capacity - 1, 2, 0}};
	st = ranges(T_WZ, 1, past);
	CHECK(st == S_IOERR, "write zeroes past the capacity: status 0x%x", st);
	const uint64_t two[2][3] = {{at, 1, 0}, {at + 3, 1, 0}};
	st = ranges(T_WZ, 2, two);
	CHECK(st == S_UNSUPP, "two ranges: status 0x%x", st);
	const uint64_t bad_flag[1][3] = {{at + 3, 1, 2}};
	st = ranges(T_WZ, 1, bad_flag);
	CHECK(st == S_UNSUPP, "unknown flag: status 0x%x", st);
	if (check_sectors(at, 0x7)) /* the refused ones changed nothing */
		return 1;
	/* Everything from sector 16 to the end: more than one 64 KiB piece. */
	if (fill_sectors(16) || fill_sectors(capacity - NSECT))
		return 1;
	const uint64_t big[1][3] = {{16, capacity - 16, 0}};
	st = ranges(T_WZ, 1, big);
	CHECK(st == S_OK, "write zeroes of %llu sectors: status 0x%x",
	      (unsigned long long)capacity - 16, st);
	if (check_sectors(16, 0xf) || check_sectors(capacity - NSECT, 0xf) ||
	    check_sectors(at, 0x7))
		return 1;
	/* A driver that did not accept the feature gets UNSUPP, whatever was offered. */
	CHECK(bring_up(F_V1 | (features & (F_WANT & ~F_WZ))) == S_ALL, "status 0x%x", rd(STATUS));
	st = ranges(T_WZ, 1, mid);
	CHECK(st == S_UNSUPP, "write zeroes not negotiated: status 0x%x", st);
	CHECK(bring_up(F_V1 | (features & F_WANT)) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* DISCARD, offered when the host disk has it: a range inside is accepted, one past the
 * capacity is IOERR, the UNMAP flag (write zeroes only) is UNSUPP. Not offered: UNSUPP. */
static int c_discard(void)
{
	const uint64_t inside[1][3] = {{4, 4, 0}};

	if (features & F_RO)
		return 0; /* c_write_zeroes checked the refusal */
	if (!(features & F_DISCARD)) {
		unsigned st = ranges(T_DISCARD, 1, inside);
		CHECK(st == S_UNSUPP, "discard not offered: status 0x%x", st);
		return 0;
	}
	CHECK(rd(CFG + 36) == 65536 && rd(CFG + 40) == 1 && rd(CFG + 44) >= 1,
	      "discard config: max %u seg %u alignment %u", rd(CFG + 36), rd(CFG + 40),
	      rd(CFG + 44));
	unsigned st = ranges(T_DISCARD, 1, inside);
	CHECK(st == S_OK, "discard: status 0x%x", st);
	const uint64_t past[1][3] = {{capacity, 1, 0}};
	st = ranges(T_DISCARD, 1, past);
	CHECK(st == S_IOERR, "discard past the capacity: status 0x%x", st);
	const uint64_t unmap[1][3] = {{4, 1, WZ_UNMAP}};
	st = ranges(T_DISCARD, 1, unmap);
	CHECK(st == S_UNSUPP, "discard with UNMAP: status 0x%x", st);
	CHECK(rd(STATUS) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

static void run_vblk(void)
{
	zt_case("vblk_ident", c_ident);
	if (!base)
		return;
	zt_case("vblk_write_read", c_write_read);
	zt_case("vblk_beyond_capacity", c_beyond);
	zt_case("vblk_read_only", c_read_only);
	zt_case("vblk_malformed", c_malformed);
	zt_case("vblk_reset_mid_request", c_reset_mid_request);
	zt_case("vblk_write_zeroes", c_write_zeroes);
	zt_case("vblk_discard", c_discard);
	wr(STATUS, 0);
}
ZT_SET(vblk, 1, run_vblk, "virtio-blk: config, sectors written and read back, range, read-only");
