/* virtio: the virtio-mmio transport (version 2) of the entropy device's "virtio,mmio" node
 * (the VM is created with `--dev virtio-rng`), driven the
 * way Linux's virtio_mmio driver does, plus what a careless or hostile driver does: identity
 * registers, feature negotiation (VERSION_1 required, features not offered refused), the
 * Status rules, queue setup checks, notifications before DRIVER_OK ignored, a queue with rings
 * outside RAM put in DEVICE_NEEDS_RESET by the device's worker with a configuration interrupt
 * on the node's SPI, and the reset. ZVM's transport there is the entropy device (id 4). */
#include "zt.h"
#include "zt_virtio_mmio.h"

#define QSIZE 16

/* A split queue of QSIZE in guest RAM (identity mapped: the MMU is off). */
static struct {
	uint8_t desc[16 * QSIZE] __attribute__((aligned(16)));
	uint8_t avail[6 + 2 * QSIZE] __attribute__((aligned(4)));
	uint8_t used[6 + 8 * QSIZE] __attribute__((aligned(4)));
} ring;

static volatile unsigned irqs;
static volatile uint32_t irq_status; /* InterruptStatus the handler saw */

static uint32_t rd(uint64_t off)
{
	return zt_r32(zt_plat.virtio + off);
}

static void wr(uint64_t off, uint32_t v)
{
	zt_w32(zt_plat.virtio + off, v);
}

/* As Linux's vm_interrupt: read the cause, acknowledge it. */
static void on_virtio(unsigned intid, unsigned cpu)
{
	uint32_t st = rd(INT_STATUS);

	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	irq_status = irq_status | st;
	wr(INT_ACK, st);
	irqs = irqs + 1;
}

static void reset(void)
{
	wr(STATUS, 0);
}

/* ACKNOWLEDGE, DRIVER, the features, FEATURES_OK; returns the status read back. */
static uint32_t negotiate(uint64_t features)
{
	reset();
	wr(STATUS, S_ACK);
	wr(STATUS, S_ACK | S_DRIVER);
	wr(DRV_FEAT_SEL, 0);
	wr(DRV_FEATURES, (uint32_t)features);
	wr(DRV_FEAT_SEL, 1);
	wr(DRV_FEATURES, (uint32_t)(features >> 32));
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return rd(STATUS);
}

static void setup_queue(uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(QUEUE_SEL, 0);
	wr(QUEUE_NUM, num);
	wr(QUEUE_DESC_LO, (uint32_t)desc);
	wr(QUEUE_DESC_HI, (uint32_t)(desc >> 32));
	wr(QUEUE_AVAIL_LO, (uint32_t)avail);
	wr(QUEUE_AVAIL_HI, (uint32_t)(avail >> 32));
	wr(QUEUE_USED_LO, (uint32_t)used);
	wr(QUEUE_USED_HI, (uint32_t)(used >> 32));
	wr(QUEUE_READY, 1);
}

static int c_ident(void)
{
	CHECK(zt_plat.virtio && zt_plat.virtio_intid >= 32, "no virtio,mmio node with an SPI");
	CHECK(rd(MAGIC) == 0x74726976, "MagicValue 0x%x", rd(MAGIC));
	CHECK(rd(VERSION) == 2, "Version %u, want 2 (virtio 1.x)", rd(VERSION));
	CHECK(rd(DEVICE_ID) == 4, "DeviceID %u, want 4 (entropy)", rd(DEVICE_ID));
	CHECK(rd(VENDOR_ID) != 0, "VendorID 0");
	wr(MAGIC, 0); /* read-only */
	CHECK(rd(MAGIC) == 0x74726976, "MagicValue writable");
	return 0;
}

static int c_features(void)
{
	wr(DEV_FEAT_SEL, 1);
	CHECK(rd(DEV_FEATURES) & 1, "VIRTIO_F_VERSION_1 (bit 32) not offered: 0x%x",
	      rd(DEV_FEATURES));
	wr(DEV_FEAT_SEL, 0);
	uint32_t low = rd(DEV_FEATURES);
	CHECK(low == 0, "the entropy device offers features 0x%x", low);
	uint32_t st = negotiate(1ULL << 32);
	CHECK(st == (S_ACK | S_DRIVER | S_FEATURES_OK), "status 0x%x after FEATURES_OK", st);
	/* A legacy driver (no VERSION_1) and a feature not offered: FEATURES_OK refused. */
	st = negotiate(0);
	CHECK(!(st & S_FEATURES_OK), "FEATURES_OK kept without VERSION_1");
	st = negotiate((1ULL << 32) | 1);
	CHECK(!(st & S_FEATURES_OK), "FEATURES_OK kept with a feature not offered");
	return 0;
}

static int c_status_rules(void)
{
	reset();
	CHECK(rd(STATUS) == 0, "status 0x%x after reset", rd(STATUS));
	wr(STATUS, S_ACK | S_DRIVER);
	wr(STATUS, S_ACK | S_DRIVER | S_DRIVER_OK); /* DRIVER_OK before FEATURES_OK */
	CHECK(rd(STATUS) == (S_ACK | S_DRIVER), "DRIVER_OK taken before FEATURES_OK: 0x%x",
	      rd(STATUS));
	wr(STATUS, S_ACK); /* clearing DRIVER: refused */
	CHECK(rd(STATUS) == (S_ACK | S_DRIVER), "a status bit was cleared: 0x%x", rd(STATUS));
	wr(STATUS, S_ACK | S_DRIVER | S_NEEDS_RESET); /* the device's bit */
	CHECK(!(rd(STATUS) & S_NEEDS_RESET), "the driver set DEVICE_NEEDS_RESET");
	/* Only aligned 32-bit accesses in the register block: others are external aborts. */
	zt_exc_arm(ZT_RESUME_NEXT, 0);
	(void)zt_r8(zt_plat.virtio + STATUS);
	struct zt_exc e = zt_exc_disarm();
	CHECK(e.count == 1 && ESR_EC(e.esr) == EC_DABT_CUR, "byte read: %u exceptions, ESR 0x%lx",
	      e.count, (unsigned long)e.esr);
	reset();
	return 0;
}

static int c_queue_setup(void)
{
	negotiate(1ULL << 32);
	wr(QUEUE_SEL, 1);
	CHECK(rd(QUEUE_NUM_MAX) == 0, "queue 1 exists: QueueNumMax %u", rd(QUEUE_NUM_MAX));
	wr(QUEUE_SEL, 0);
	CHECK(rd(QUEUE_NUM_MAX) >= QSIZE, "QueueNumMax %u", rd(QUEUE_NUM_MAX));
	CHECK(rd(QUEUE_READY) == 0, "queue ready before setup");
	uint64_t d = (uint64_t)(uintptr_t)ring.desc, a = (uint64_t)(uintptr_t)ring.avail;
	uint64_t u = (uint64_t)(uintptr_t)ring.used;
	setup_queue(3, d, a, u); /* not a power of 2 */
	CHECK(rd(QUEUE_READY) == 0, "a queue of size 3 became ready");
	setup_queue(QSIZE, d + 8, a, u); /* descriptors not 16-aligned */
	CHECK(rd(QUEUE_READY) == 0, "a misaligned descriptor table was accepted");
	setup_queue(QSIZE, d, a, u);
	CHECK(rd(QUEUE_READY) == 1, "a good queue is not ready");
	return 0;
}

static int c_notify_before_driver_ok(void)
{
	/* Queue 0 is ready, status FEATURES_OK but not DRIVER_OK: the kick must do nothing. */
	irqs = 0;
	zt_irq_on(); /* each case starts with IRQs masked */
	wr(QUEUE_NOTIFY, 0);
	zt_delay_ms(50);
	CHECK(rd(STATUS) == (S_ACK | S_DRIVER | S_FEATURES_OK), "status 0x%x", rd(STATUS));
	CHECK(rd(INT_STATUS) == 0 && irqs == 0, "an interrupt after an early notify");
	return 0;
}

static int c_good_queue_notify(void)
{
	wr(STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	CHECK(rd(STATUS) == 0xf, "status 0x%x after DRIVER_OK", rd(STATUS));
	wr(QUEUE_NOTIFY, 0); /* rings in RAM, no request: the device stays healthy */
	wr(QUEUE_NOTIFY, 5); /* no such queue: ignored */
	zt_delay_ms(50);
	CHECK(rd(STATUS) == 0xf, "status 0x%x after notifying a good queue", rd(STATUS));
	return 0;
}

/* The worker checks the rings: outside RAM, the device needs a reset and says so with a
 * configuration interrupt. */
static int c_broken_queue(void)
{
	uint32_t gen = rd(CONFIG_GEN);

	irqs = 0;
	irq_status = 0;
	zt_irq_on(); /* each case starts with IRQs masked */
	negotiate(1ULL << 32);
	setup_queue(QSIZE, 0x10000000, 0x10001000, 0x10002000); /* below guest RAM */
	CHECK(rd(QUEUE_READY) == 1, "queue not ready");
	wr(STATUS, 0xf);
	wr(QUEUE_NOTIFY, 0);
	CHECK(zt_wait(irqs > 0, ZT_DELIVERY_MS),
	      "no interrupt after notifying a broken queue (status 0x%x, InterruptStatus 0x%x)",
	      rd(STATUS), rd(INT_STATUS));
	CHECK(irq_status == 2, "InterruptStatus 0x%x, want 2 (configuration change)",
	      (unsigned)irq_status);
	CHECK(rd(STATUS) == (0xf | S_NEEDS_RESET), "status 0x%x, want DEVICE_NEEDS_RESET",
	      rd(STATUS));
	CHECK(rd(CONFIG_GEN) != gen, "ConfigGeneration did not change");
	CHECK(rd(INT_STATUS) == 0, "InterruptStatus 0x%x after the ACK", rd(INT_STATUS));
	/* Further notifies are ignored until the reset; the reset clears everything. */
	wr(QUEUE_NOTIFY, 0);
	zt_delay_ms(20);
	CHECK(irqs == 1, "%u interrupts", (unsigned)irqs);
	reset();
	CHECK(rd(STATUS) == 0 && rd(INT_STATUS) == 0, "status 0x%x after reset", rd(STATUS));
	wr(QUEUE_SEL, 0);
	CHECK(rd(QUEUE_READY) == 0, "queue still ready after reset");
	/* And the device works again after it. */
	CHECK(negotiate(1ULL << 32) & S_FEATURES_OK, "no FEATURES_OK after the reset");
	reset();
	return 0;
}

static void run_virtio(void)
{
	/* The entropy device's node (DeviceID 4), whichever slot it has. */
	for (unsigned i = 0; i < zt_plat.nr_virtio; i++)
		if (zt_r32(zt_plat.virtio_all[i] + DEVICE_ID) == 4) {
			zt_plat.virtio = zt_plat.virtio_all[i];
			zt_plat.virtio_intid = zt_plat.virtio_intids[i];
		}
	zt_case("virtio_mmio_ident", c_ident);
	if (!zt_plat.virtio || !zt_plat.virtio_intid)
		return;
	zt_irq_set_handler(zt_plat.virtio_intid, on_virtio);
	zt_gic_enable(0, zt_plat.virtio_intid);
	zt_case("virtio_mmio_features", c_features);
	zt_case("virtio_mmio_status_rules", c_status_rules);
	zt_case("virtio_mmio_queue_setup", c_queue_setup);
	zt_case("virtio_mmio_notify_before_driver_ok", c_notify_before_driver_ok);
	zt_case("virtio_mmio_good_queue_notify", c_good_queue_notify);
	zt_case("virtio_mmio_broken_queue", c_broken_queue);
	zt_gic_disable(0, zt_plat.virtio_intid);
}
ZT_SET(virtio, 1, run_virtio, "virtio-mmio v2 transport: identity, features, status, queues");
