/* vnet_*: ZVM's virtio-net (device id 1) driven by a tiny polling driver, one role per set,
 * two or more VMs on the host switch (tests/system/test_virtio_net.py drives them):
 *   vnet_rx    no receive buffers until a key arrives on the PL011: the burst of vnet_tx
 *              fills the inbox (the host counts the rest as dropped); then exactly the
 *              oldest VNET_INBOX frames arrive, in order; then traffic resumes;
 *   vnet_tx    a burst of 100 frames, then 10 more when vnet_rx asks (a 'R' frame);
 *   vnet_flood frames without end (never finishes: the peer is reset and deleted under it);
 *   vnet_sink  well-formed flood frames in order, across a driver reset in the middle;
 *   vnet_ping / vnet_pong  round trips, timed (make bench).
 * Frames: broadcast, ethertype 0x88b5 (local experimental), "ZVMNET", a kind byte, a 32-bit
 * little-endian sequence number, zero padding to 60 bytes. Polling only (no interrupts); the
 * MMU is off, so RAM is identity mapped and Device memory (byte-wise frame access). */
#include "zt.h"
#include "zt_virtio_mmio.h"

#define F_MAC (1ULL << 5)
#define F_V1  (1ULL << 32)

#define D_WRITE	  2
#define QSIZE	  16
#define RXQ	  0
#define TXQ	  1
#define HDR	  12 /* virtio_net_hdr_v1 */
#define FRAME_MAX 1518
#define FRAME_LEN 60
#define INBOX	  32 /* VNET_INBOX in include/zvm/virtio/virtio_net.h */
#define CONFIG	  0x100

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

struct vq {
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
};

static struct vq vqs[2];
static uint8_t rxbuf[QSIZE][HDR + FRAME_MAX] __attribute__((aligned(64)));
static uint8_t txbuf[QSIZE][HDR + FRAME_LEN] __attribute__((aligned(64)));
static uint64_t base;
static uint8_t mac[6];
static uint16_t tx_sent, rx_seen; /* chains offered on TXQ; used entries taken from RXQ */

static bool use_irq; /* wait in WFI for the device's interrupt, not polling */
static unsigned intid;

/* zt_wait that sleeps between polls: in WFI until the used-buffer interrupt when use_irq (the
 * vCPU blocks, so the device worker sharing its pCPU runs at once; no timeout then: a frame
 * that never comes hangs the set, which the driver's own timeout reports), else WFE. */
#define net_wait(cond, ms)                                                                         \
	({                                                                                         \
		uint64_t __end = zt_now() + zt_ms(ms);                                             \
		bool __ok;                                                                         \
		while (!(__ok = (cond)) && (use_irq || zt_now() < __end)) {                        \
			if (use_irq) {                                                             \
				__asm__ volatile("msr daifset, #2" : : : "memory");                \
				if (!(cond))                                                       \
					__asm__ volatile("wfi" : : : "memory");                    \
				__asm__ volatile("msr daifclr, #2" : : : "memory");                \
			} else {                                                                   \
				__asm__ volatile("wfe" : : : "memory");                            \
			}                                                                          \
		}                                                                                  \
		__ok || (cond);                                                                    \
	})

static uint32_t rd(uint64_t off)
{
	return zt_r32(base + off);
}

static void wr(uint64_t off, uint32_t v)
{
	zt_w32(base + off, v);
}

/* The guest's accesses (MMU off) are non-cacheable, ZVM's cacheable: clean+invalidate so
 * neither side reads a stale line (a no-op under QEMU's TCG, needed on hardware). */
static void sync_mem(const void *p, size_t len)
{
	for (uintptr_t a = (uintptr_t)p & ~63UL; a < (uintptr_t)p + len; a += 64)
		__asm__ volatile("dc civac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" : : : "memory");
}

static void setup_queue(unsigned q)
{
	uint64_t d = (uintptr_t)vqs[q].desc, a = (uintptr_t)&vqs[q].avail,
		 u = (uintptr_t)&vqs[q].used;

	wr(QUEUE_SEL, q);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC_LO, (uint32_t)d);
	wr(QUEUE_DESC_HI, (uint32_t)(d >> 32));
	wr(QUEUE_AVAIL_LO, (uint32_t)a);
	wr(QUEUE_AVAIL_HI, (uint32_t)(a >> 32));
	wr(QUEUE_USED_LO, (uint32_t)u);
	wr(QUEUE_USED_HI, (uint32_t)(u >> 32));
	wr(QUEUE_READY, 1);
}

/* Reset, VERSION_1 and MAC, both queues fresh, DRIVER_OK; no receive buffer posted. */
static uint32_t bring_up(void)
{
	wr(STATUS, 0);
	memset(vqs, 0, sizeof(vqs));
	sync_mem(vqs, sizeof(vqs));
	tx_sent = rx_seen = 0;
	wr(STATUS, S_ACK);
	wr(STATUS, S_ACK | S_DRIVER);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEATURES, (uint32_t)F_MAC);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEATURES, (uint32_t)(F_V1 >> 32));
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	setup_queue(RXQ);
	setup_queue(TXQ);
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	return rd(STATUS);
}

static void offer(unsigned q, uint16_t head)
{
	struct vq *v = &vqs[q];

	v->avail.ring[v->avail.idx % QSIZE] = head;
	__asm__ volatile("dmb ishst" : : : "memory");
	v->avail.idx = (uint16_t)(v->avail.idx + 1);
	sync_mem(&v->avail, sizeof(v->avail));
	wr(QUEUE_NOTIFY, q);
}

static uint16_t used_idx(unsigned q)
{
	sync_mem(&vqs[q].used, sizeof(vqs[q].used));
	return *(volatile uint16_t *)&vqs[q].used.idx;
}

static void rx_post(uint16_t i)
{
	vqs[RXQ].desc[i] = (struct desc){(uintptr_t)rxbuf[i], sizeof(rxbuf[i]), D_WRITE, 0};
	sync_mem(&vqs[RXQ].desc[i], sizeof(struct desc));
	offer(RXQ, i);
}

static void rx_post_all(void)
{
	for (uint16_t i = 0; i < QSIZE; i++)
		rx_post(i);
}

/* Sends one of our frames; waits (up to 2 s) for a free transmit slot. */
static bool tx(char kind, uint32_t seq)
{
	uint16_t i = tx_sent % QSIZE;
	uint8_t *f = txbuf[i] + HDR;
	static const char magic[6] = "ZVMNET";

	if (!net_wait((uint16_t)(tx_sent - used_idx(TXQ)) < QSIZE, 2000))
		return false;
	memset(txbuf[i], 0, sizeof(txbuf[i]));
	memset(f, 0xff, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x88;
	f[13] = 0xb5;
	memcpy(f + 14, magic, 6);
	f[20] = (uint8_t)kind;
	for (unsigned b = 0; b < 4; b++)
		f[21 + b] = (uint8_t)(seq >> (8 * b));
	sync_mem(txbuf[i], sizeof(txbuf[i]));
	vqs[TXQ].desc[i] = (struct desc){(uintptr_t)txbuf[i], HDR + FRAME_LEN, 0, 0};
	sync_mem(&vqs[TXQ].desc[i], sizeof(struct desc));
	offer(TXQ, i);
	tx_sent++;
	return true;
}

struct got {
	int kind; /* -1: none within the time, -2: not one of ours (len, magic), else the kind */
	uint32_t seq;
	uint8_t src_last; /* the sender's MAC, last byte (its VM id) */
};

/* The next received frame within ms; its buffer goes back to the device. */
static struct got rx(uint64_t ms)
{
	struct got g = {-1, 0, 0};
	uint16_t i;
	uint32_t len;
	const uint8_t *f;

	if (!net_wait(used_idx(RXQ) != rx_seen, ms))
		return g;
	i = (uint16_t)vqs[RXQ].used.ring[rx_seen % QSIZE].id;
	len = vqs[RXQ].used.ring[rx_seen % QSIZE].len;
	rx_seen++;
	if (i >= QSIZE)
		return (struct got){-2, 0, 0};
	sync_mem(rxbuf[i], sizeof(rxbuf[i]));
	f = rxbuf[i] + HDR;
	g.kind = -2;
	if (len == HDR + FRAME_LEN && rxbuf[i][10] == 1 && f[12] == 0x88 && f[13] == 0xb5 &&
	    !memcmp(f + 14, "ZVMNET", 6)) {
		g.kind = f[20];
		g.src_last = f[11];
		for (unsigned b = 0; b < 4; b++)
			g.seq |= (uint32_t)f[21 + b] << (8 * b);
	}
	rx_post(i);
	return g;
}

static int c_ident(void)
{
	for (unsigned i = 0; i < zt_plat.nr_virtio && !base; i++)
		if (zt_r32(zt_plat.virtio_all[i] + DEVICE_ID) == 1) {
			base = zt_plat.virtio_all[i];
			intid = zt_plat.virtio_intids[i];
		}
	CHECK(base, "no virtio,mmio node with DeviceID 1 (of %u nodes)", zt_plat.nr_virtio);
	CHECK(rd(VERSION) == 2, "Version %u", rd(VERSION));
	wr(DEV_FEAT_SEL, 0);
	CHECK(rd(DEV_FEATURES) & F_MAC, "no VIRTIO_NET_F_MAC: 0x%x", rd(DEV_FEATURES));
	for (unsigned b = 0; b < 6; b++)
		mac[b] = zt_r8(base + CONFIG + b);
	CHECK(mac[0] == 0x52 && mac[1] == 0x54 && mac[2] == 0 && mac[3] == 0x5a, "mac %x:%x:%x:%x",
	      mac[0], mac[1], mac[2], mac[3]);
	CHECK(bring_up() == (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK), "status 0x%x",
	      rd(STATUS));
	return 0;
}

static bool key_pressed(void)
{
	return !(zt_r32(zt_plat.uart + 0x18) & (1u << 4)); /* UARTFR.RXFE clear */
}

/* The inbox fills while no buffer is posted; the host keeps the oldest and drops the rest. */
static int c_inbox_full(void)
{
	struct got g;

	zt_printf("# vnet: no receive buffers, waiting for a key\n");
	CHECK(zt_wait(key_pressed(), 120000), "no key within 120 s");
	(void)zt_r32(zt_plat.uart); /* take the key */
	rx_post_all();
	for (uint32_t s = 0; s < INBOX; s++) {
		g = rx(2000);
		CHECK(g.kind == 'B' && g.seq == s, "frame %u: kind %d seq %u", s, g.kind, g.seq);
	}
	g = rx(300);
	CHECK(g.kind == -1, "a frame past the inbox's %u: kind %d seq %u", INBOX, g.kind, g.seq);
	return 0;
}

/* After the drops, frames flow again: ask the sender for 10 more. */
static int c_resume(void)
{
	CHECK(tx('R', 0), "transmit queue stuck");
	for (uint32_t s = 100; s < 110; s++) {
		struct got g = rx(5000);

		CHECK(g.kind == 'B' && g.seq == s, "frame %u: kind %d seq %u", s, g.kind, g.seq);
	}
	return 0;
}

static int c_burst(void)
{
	rx_post_all(); /* for the receiver's 'R' */
	for (uint32_t s = 0; s < 100; s++)
		CHECK(tx('B', s), "frame %u: transmit queue stuck", s);
	CHECK(zt_wait(used_idx(TXQ) == tx_sent, 2000), "used %u of %u", used_idx(TXQ), tx_sent);
	return 0;
}

static int c_answer(void)
{
	struct got g;

	do
		g = rx(120000);
	while (g.kind >= 0 && g.kind != 'R');
	CHECK(g.kind == 'R', "no 'R' frame: %d", g.kind);
	for (uint32_t s = 100; s < 110; s++)
		CHECK(tx('B', s), "frame %u: transmit queue stuck", s);
	CHECK(zt_wait(used_idx(TXQ) == tx_sent, 2000), "used %u of %u", used_idx(TXQ), tx_sent);
	return 0;
}

static int c_flood(void)
{
	for (uint32_t s = 0;; s++)
		if (!tx('F', s))
			return zt_fail("frame %u: transmit queue stuck", s);
}

/* 200 flood frames, each well-formed and later than the one before (drops make gaps). */
static int sink(void)
{
	uint32_t last = 0;

	for (unsigned n = 0; n < 200; n++) {
		struct got g = rx(5000);

		CHECK(g.kind == 'F', "frame %u: kind %d", n, g.kind);
		CHECK(!n || g.seq > last, "frame %u: seq %u after %u", n, g.seq, last);
		last = g.seq;
	}
	return 0;
}

/* Timed (make bench): frames received per second of the guest's counter. */
static int c_sink(void)
{
	uint64_t t0;

	rx_post_all();
	if (rx(5000).kind != 'F')
		return zt_fail("no flood frame");
	t0 = zt_now();
	if (sink())
		return -1;
	zt_printf("# vnet sink: 200 frames in %llu us\n",
		  (unsigned long long)zt_ticks_to_us(zt_now() - t0));
	return 0;
}

/* The driver resets the device while frames pour in: after it, only whole frames. */
static int c_sink_reset(void)
{
	for (unsigned i = 0; i < 5; i++) {
		CHECK(bring_up() & S_DRIVER_OK, "status 0x%x", rd(STATUS));
		rx_post_all();
		if (sink())
			return -1;
	}
	return 0;
}

/* Ping: N round trips with vnet_pong, timed. */
static int c_ping(void)
{
	char arg[16];
	unsigned n =
	    zt_bootarg("zvmnetn", arg, sizeof(arg)) ? (unsigned)zt_strtoull(arg, NULL) : 2000;
	uint64_t t0;
	struct got g;

	rx_post_all();
	do { /* until the pong is up */
		CHECK(tx('P', 0), "transmit queue stuck");
		g = rx(200);
	} while (g.kind != 'Q');
	t0 = zt_now();
	for (uint32_t s = 1; s <= n; s++) {
		CHECK(tx('P', s), "transmit queue stuck");
		do
			g = rx(2000);
		while (g.kind == 'Q' && g.seq < s);
		CHECK(g.kind == 'Q' && g.seq == s, "round trip %u: kind %d seq %u", s, g.kind,
		      g.seq);
	}
	zt_printf("# vnet ping: %u round trips in %llu us\n", n,
		  (unsigned long long)zt_ticks_to_us(zt_now() - t0));
	return 0;
}

static int c_pong(void)
{
	rx_post_all();
	for (;;) {
		struct got g = rx(60000);

		if (g.kind == -1)
			return 0; /* the pinger is done */
		if (g.kind == 'P' && !tx('Q', g.seq))
			return zt_fail("transmit queue stuck");
	}
}

static void on_irq(unsigned id, unsigned cpu)
{
	ZT_UNUSED(id);
	ZT_UNUSED(cpu);
	wr(INT_ACK, rd(INT_STATUS));
}

static void run(zt_case_fn a, const char *an, zt_case_fn b, const char *bn)
{
	zt_case("vnet_ident", c_ident);
	if (!base)
		return;
	if (use_irq) {
		zt_irq_set_handler(intid, on_irq);
		zt_gic_enable(0, intid);
		zt_irq_on();
	}
	zt_case(an, a);
	if (b)
		zt_case(bn, b);
	wr(STATUS, 0);
}

static void run_rx(void)
{
	run(c_inbox_full, "vnet_inbox_full", c_resume, "vnet_resume");
}
static void run_tx(void)
{
	run(c_burst, "vnet_burst", c_answer, "vnet_answer");
}
static void run_flood(void)
{
	use_irq = true;
	run(c_flood, "vnet_flood", NULL, NULL);
}
static void run_sink(void)
{
	use_irq = true;
	run(c_sink, "vnet_sink", c_sink_reset, "vnet_sink_reset");
}
static void run_ping(void)
{
	use_irq = true;
	run(c_ping, "vnet_ping", NULL, NULL);
}
static void run_pong(void)
{
	use_irq = true;
	run(c_pong, "vnet_pong", NULL, NULL);
}
ZT_SET(vnet_rx, 1, run_rx, "virtio-net: inbox full, the oldest frames kept, traffic resumes");
ZT_SET(vnet_tx, 1, run_tx, "virtio-net: a burst for vnet_rx, more when asked");
ZT_SET(vnet_flood, 1, run_flood, "virtio-net: broadcast frames without end");
ZT_SET(vnet_sink, 1, run_sink, "virtio-net: flood frames in order, across driver resets");
ZT_SET(vnet_ping, 1, run_ping, "virtio-net: timed round trips with vnet_pong");
ZT_SET(vnet_pong, 1, run_pong, "virtio-net: answers vnet_ping");
