/* vcons: ZVM's virtio console (device id 3) on its virtio-mmio transport, driven as Linux's
 * virtio_console does for a single port: receiveq0 (queue 0) gets writable buffers, transmitq0
 * (queue 1) carries bytes that must appear in the VM's console output (the system test finds
 * them in `zvm look`), with indirect descriptors and event index negotiated; the event index
 * suppresses interrupts; a descriptor loop puts the device in DEVICE_NEEDS_RESET; after the
 * reset it works again. The guest's MMU is off: RAM is identity mapped. */
#include "zt.h"
#include "zt_virtio_mmio.h"

#define S_ALL (S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK)

#define F_INDIRECT (1ULL << 28)
#define F_EVENT	   (1ULL << 29)
#define F_V1	   (1ULL << 32)

#define D_NEXT	   1
#define D_WRITE	   2
#define D_INDIRECT 4

#define QSIZE 16
#define RXQ   0
#define TXQ   1

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
static struct desc itable[2] __attribute__((aligned(16)));
static char rxbuf[4][64];
static char txbuf[3][64];

static uint64_t base;
static unsigned intid;
static volatile unsigned irqs;
static volatile uint32_t irq_status;

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

static void sync_all(void)
{
	sync_mem(vqs, sizeof(vqs));
	sync_mem(itable, sizeof(itable));
	sync_mem(txbuf, sizeof(txbuf));
	sync_mem(rxbuf, sizeof(rxbuf));
}

static void on_irq(unsigned id, unsigned cpu)
{
	uint32_t st = rd(INT_STATUS);

	ZT_UNUSED(id);
	ZT_UNUSED(cpu);
	irq_status = irq_status | st;
	wr(INT_ACK, st);
	irqs = irqs + 1;
}

static void setup_queue(unsigned q, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(QUEUE_SEL, q);
	wr(QUEUE_NUM, QSIZE);
	wr(QUEUE_DESC_LO, (uint32_t)desc);
	wr(QUEUE_DESC_HI, (uint32_t)(desc >> 32));
	wr(QUEUE_AVAIL_LO, (uint32_t)avail);
	wr(QUEUE_AVAIL_HI, (uint32_t)(avail >> 32));
	wr(QUEUE_USED_LO, (uint32_t)used);
	wr(QUEUE_USED_HI, (uint32_t)(used >> 32));
	wr(QUEUE_READY, 1);
}

/* Reset, negotiate features, both queues fresh at vqs[], DRIVER_OK. Returns the status. */
static uint32_t bring_up(uint64_t features)
{
	wr(STATUS, 0);
	for (unsigned i = 0; i < 2; i++) {
		uint8_t *p = (uint8_t *)&vqs[i];

		for (size_t j = 0; j < sizeof(vqs[i]); j++)
			p[j] = 0;
	}
	sync_all();
	wr(STATUS, S_ACK);
	wr(STATUS, S_ACK | S_DRIVER);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEATURES, (uint32_t)features);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEATURES, (uint32_t)(features >> 32));
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	for (unsigned q = 0; q < 2; q++)
		setup_queue(q, (uintptr_t)vqs[q].desc, (uintptr_t)&vqs[q].avail,
			    (uintptr_t)&vqs[q].used);
	wr(STATUS, S_ALL);
	return rd(STATUS);
}

/* Makes head available on q (ring entry, barrier, index) and kicks. */
static void offer(unsigned q, uint16_t head)
{
	struct vq *v = &vqs[q];

	v->avail.ring[v->avail.idx % QSIZE] = head;
	__asm__ volatile("dmb ishst" : : : "memory");
	v->avail.idx = (uint16_t)(v->avail.idx + 1);
	sync_all();
	__asm__ volatile("dsb sy" : : : "memory");
	wr(QUEUE_NOTIFY, q);
}

static uint16_t used_idx(unsigned q)
{
	sync_mem(&vqs[q].used, sizeof(vqs[q].used));
	return *(volatile uint16_t *)&vqs[q].used.idx;
}

static void put(char *dst, const char *s)
{
	while ((*dst++ = *s++))
		;
}

static unsigned slen(const char *s)
{
	unsigned n = 0;

	while (s[n])
		n++;
	return n;
}

static int c_ident(void)
{
	for (unsigned i = 0; i < zt_plat.nr_virtio && !base; i++)
		if (zt_r32(zt_plat.virtio_all[i] + DEVICE_ID) == 3) {
			base = zt_plat.virtio_all[i];
			intid = zt_plat.virtio_intids[i];
		}
	CHECK(base && intid >= 32, "no virtio,mmio node with DeviceID 3 (of %u nodes)",
	      zt_plat.nr_virtio);
	CHECK(rd(VERSION) == 2, "Version %u", rd(VERSION));
	wr(DEV_FEAT_SEL, 0);
	uint32_t lo = rd(DEV_FEATURES);
	wr(DEV_FEAT_SEL, 1);
	uint32_t hi = rd(DEV_FEATURES);
	/* No MULTIPORT (bit 1), no SIZE (bit 0), no EMERG_WRITE (bit 2). */
	CHECK(lo == (uint32_t)(F_INDIRECT | F_EVENT) && hi == 1, "features 0x%x_%08x", hi, lo);
	for (unsigned q = 0; q < 3; q++) {
		wr(QUEUE_SEL, q);
		uint32_t max = rd(QUEUE_NUM_MAX);
		CHECK(q < 2 ? max >= QSIZE : max == 0, "queue %u: QueueNumMax %u", q, max);
	}
	return 0;
}

/* Receive buffers wait: host input goes to the PL011. The device stays healthy. */
static int c_rx_buffers(void)
{
	CHECK(bring_up(F_V1 | F_INDIRECT | F_EVENT) == S_ALL, "status 0x%x", rd(STATUS));
	for (unsigned i = 0; i < 4; i++) {
		vqs[RXQ].desc[i] = (struct desc){(uintptr_t)rxbuf[i], sizeof(rxbuf[i]), D_WRITE, 0};
		offer(RXQ, (uint16_t)i);
	}
	zt_delay_ms(50);
	CHECK(rd(STATUS) == S_ALL, "status 0x%x after posting receive buffers", rd(STATUS));
	CHECK(used_idx(RXQ) == 0, "receive buffers used: %u", used_idx(RXQ));
	return 0;
}

/* Two chains: one direct, one through an indirect table of two parts. The used ring gets both
 * back with len 0, an interrupt says so, and the bytes are in the VM's console. */
static int c_tx(void)
{
	irqs = 0;
	irq_status = 0;
	zt_irq_on();
	put(txbuf[0], "[hvc0] vcons-direct-chain\n");
	put(txbuf[1], "[hvc0] vcons-indirect");
	put(txbuf[2], "-chain\n");
	vqs[TXQ].avail.used_event = 1; /* interrupt once used->idx passes 1 */
	vqs[TXQ].desc[0] = (struct desc){(uintptr_t)txbuf[0], slen(txbuf[0]), 0, 0};
	itable[0] = (struct desc){(uintptr_t)txbuf[1], slen(txbuf[1]), D_NEXT, 1};
	itable[1] = (struct desc){(uintptr_t)txbuf[2], slen(txbuf[2]), 0, 0};
	vqs[TXQ].desc[5] = (struct desc){(uintptr_t)itable, sizeof(itable), D_INDIRECT, 0};
	vqs[TXQ].avail.ring[0] = 0;
	vqs[TXQ].avail.ring[1] = 5;
	__asm__ volatile("dmb ishst" : : : "memory");
	vqs[TXQ].avail.idx = 2;
	sync_all();
	wr(QUEUE_NOTIFY, TXQ);
	CHECK(zt_wait(used_idx(TXQ) == 2, ZT_DELIVERY_MS), "used idx %u, status 0x%x",
	      used_idx(TXQ), rd(STATUS));
	CHECK(zt_wait(irqs > 0, ZT_DELIVERY_MS), "no used-buffer interrupt");
	CHECK(irq_status == 1, "InterruptStatus 0x%x, want 1", (unsigned)irq_status);
	struct vq *v = &vqs[TXQ];
	CHECK(v->used.ring[0].id == 0 && v->used.ring[0].len == 0 && v->used.ring[1].id == 5 &&
		  v->used.ring[1].len == 0,
	      "used ring {%u,%u} {%u,%u}", v->used.ring[0].id, v->used.ring[0].len,
	      v->used.ring[1].id, v->used.ring[1].len);
	CHECK(rd(STATUS) == S_ALL, "status 0x%x", rd(STATUS));
	return 0;
}

/* used_event far ahead: the chain is served without an interrupt. */
static int c_event_idx(void)
{
	irqs = 0;
	zt_irq_on();
	put(txbuf[0], "[hvc0] vcons-quiet\n");
	vqs[TXQ].desc[1] = (struct desc){(uintptr_t)txbuf[0], slen(txbuf[0]), 0, 0};
	vqs[TXQ].avail.used_event = 100;
	offer(TXQ, 1);
	CHECK(zt_wait(used_idx(TXQ) == 3, ZT_DELIVERY_MS), "used idx %u", used_idx(TXQ));
	zt_delay_ms(50);
	CHECK(irqs == 0, "%u interrupts despite used_event 100", (unsigned)irqs);
	/* used_event 3: the next one (used idx 3 -> 4) interrupts. */
	vqs[TXQ].avail.used_event = 3;
	put(txbuf[1], "[hvc0] vcons-loud\n");
	vqs[TXQ].desc[2] = (struct desc){(uintptr_t)txbuf[1], slen(txbuf[1]), 0, 0};
	offer(TXQ, 2);
	CHECK(zt_wait(irqs > 0, ZT_DELIVERY_MS), "no interrupt at used_event (used idx %u)",
	      used_idx(TXQ));
	return 0;
}

/* A descriptor loop: DEVICE_NEEDS_RESET and a configuration interrupt; after a reset the
 * device works again. */
static int c_broken(void)
{
	irqs = 0;
	irq_status = 0;
	zt_irq_on();
	vqs[TXQ].desc[3] = (struct desc){(uintptr_t)txbuf[0], 4, D_NEXT, 4};
	vqs[TXQ].desc[4] = (struct desc){(uintptr_t)txbuf[0], 4, D_NEXT, 3};
	offer(TXQ, 3);
	CHECK(zt_wait(rd(STATUS) & S_NEEDS_RESET, ZT_DELIVERY_MS), "status 0x%x after a loop",
	      rd(STATUS));
	CHECK(zt_wait(irq_status & 2, ZT_DELIVERY_MS), "no configuration interrupt: 0x%x",
	      (unsigned)irq_status);
	CHECK(used_idx(TXQ) == 4, "used idx %u", used_idx(TXQ));
	CHECK(bring_up(F_V1) == S_ALL, "status 0x%x after the reset", rd(STATUS));
	irqs = 0;
	put(txbuf[0], "[hvc0] vcons-after-reset\n");
	vqs[TXQ].desc[0] = (struct desc){(uintptr_t)txbuf[0], slen(txbuf[0]), 0, 0};
	offer(TXQ, 0);
	CHECK(zt_wait(used_idx(TXQ) == 1, ZT_DELIVERY_MS), "used idx %u after the reset",
	      used_idx(TXQ));
	CHECK(zt_wait(irqs > 0, ZT_DELIVERY_MS), "no interrupt after the reset");
	wr(STATUS, 0);
	return 0;
}

static void run_vcons(void)
{
	zt_case("vcons_ident", c_ident);
	if (!base)
		return;
	zt_irq_set_handler(intid, on_irq);
	zt_gic_enable(0, intid);
	zt_case("vcons_rx_buffers", c_rx_buffers);
	zt_case("vcons_tx", c_tx);
	zt_case("vcons_event_idx", c_event_idx);
	zt_case("vcons_broken_queue", c_broken);
	zt_gic_disable(0, intid);
}
ZT_SET(vcons, 1, run_vcons, "virtio console: hvc0 output into the VM console, event index, reset");
