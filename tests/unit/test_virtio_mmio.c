/* virtio-mmio version 2 register logic (zvm/virtio/virtio_mmio.c): identification, feature
 * negotiation, the Status rules, queue setup checks, notifications, interrupts, config space. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <zvm/virtio/virtio_mmio.h>

#define F_OURS	(1ULL << 5) /* a device feature the tests offer */
#define F_OTHER (1ULL << 7) /* one they do not */
#define F_V1	(1ULL << VIRTIO_F_VERSION_1)

static uint8_t config_space[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint64_t last_cfg_write_off, last_cfg_write_val;

static int cfg_read(void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)dev;
	if (off + size > sizeof(config_space))
		return -EINVAL;
	*val = 0;
	for (unsigned i = 0; i < size; i++)
		*val |= (uint64_t)config_space[off + i] << (8 * i);
	return 0;
}

static int cfg_write(void *dev, uint64_t off, unsigned size, uint64_t val)
{
	(void)dev, (void)size;
	last_cfg_write_off = off;
	last_cfg_write_val = val;
	return 0;
}

static const struct virtio_mmio_config_ops cfg = {cfg_read, cfg_write};

static uint32_t rd(struct virtio_mmio_regs *r, uint64_t off)
{
	uint64_t v = ~0ULL;

	assert_int_equal(virtio_mmio_read(r, off, 4, &v), 0);
	return (uint32_t)v;
}

static unsigned wr(struct virtio_mmio_regs *r, uint64_t off, uint32_t v)
{
	unsigned act = ~0u;

	assert_int_equal(virtio_mmio_write(r, off, 4, v, &act), 0);
	return act;
}

static void setup(struct virtio_mmio_regs *r)
{
	virtio_mmio_init(r, 3, F_OURS, 2, 256, &cfg, NULL);
}

/* ACKNOWLEDGE, DRIVER, features (ours + VERSION_1), FEATURES_OK: as Linux does. */
static void negotiate(struct virtio_mmio_regs *r, uint64_t features)
{
	wr(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	wr(r, VIRTIO_MMIO_STATUS, rd(r, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_FEATURES_OK);
}

static void setup_queue(struct virtio_mmio_regs *r, unsigned q, uint32_t num, uint64_t base)
{
	wr(r, VIRTIO_MMIO_QUEUE_SEL, q);
	wr(r, VIRTIO_MMIO_QUEUE_NUM, num);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	wr(r, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(base >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)(base + 0x1000));
	wr(r, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)((base + 0x1000) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)(base + 0x2000));
	wr(r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)((base + 0x2000) >> 32));
	wr(r, VIRTIO_MMIO_QUEUE_READY, 1);
}

static void test_identification(void **state)
{
	struct virtio_mmio_regs r;
	uint64_t v;

	(void)state;
	setup(&r);
	assert_int_equal(rd(&r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(&r, VIRTIO_MMIO_VERSION_REG), 2);
	assert_int_equal(rd(&r, VIRTIO_MMIO_DEVICE_ID), 3);
	assert_int_equal(rd(&r, VIRTIO_MMIO_VENDOR_ID_REG), VIRTIO_MMIO_VENDOR_ID);
	wr(&r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_DEVICE_FEATURES), (uint32_t)F_OURS);
	wr(&r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_DEVICE_FEATURES), 1); /* VERSION_1 is bit 32 */
	wr(&r, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(&r, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	wr(&r, VIRTIO_MMIO_MAGIC_VALUE, 0); /* read-only: ignored */
	assert_int_equal(rd(&r, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(rd(&r, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff); /* no shm regions */
	/* Only aligned 32-bit accesses in the register block. */
	assert_int_equal(virtio_mmio_read(&r, 0, 2, &v), -EINVAL);
	assert_int_equal(virtio_mmio_read(&r, 0, 8, &v), -EINVAL);
	assert_int_equal(virtio_mmio_read(&r, 2, 4, &v), -EINVAL);
	unsigned act;
	assert_int_equal(virtio_mmio_write(&r, VIRTIO_MMIO_STATUS, 1, 1, &act), -EINVAL);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0);
}

static void test_queue_limits_clamped(void **state)
{
	struct virtio_mmio_regs r;

	(void)state;
	virtio_mmio_init(&r, 1, 0, 99, 1000, NULL, NULL);
	assert_int_equal(r.nr_queues, VIRTIO_MMIO_MAX_QUEUES);
	assert_int_equal(r.queue_num_max, 512);
	virtio_mmio_init(&r, 1, 0, 1, 1u << 20, NULL, NULL);
	assert_int_equal(r.queue_num_max, VIRTIO_QUEUE_SIZE_MAX);
}

static void test_feature_negotiation(void **state)
{
	struct virtio_mmio_regs r;

	(void)state;
	setup(&r);
	/* Driver features before DRIVER are ignored. */
	wr(&r, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)F_OURS);
	assert_int_equal(r.driver_features, 0);

	negotiate(&r, F_OURS | F_V1);
	assert_true(rd(&r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(r.driver_features, F_OURS | F_V1);
	/* After FEATURES_OK the features are fixed. */
	wr(&r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(&r, VIRTIO_MMIO_DRIVER_FEATURES, 0);
	assert_int_equal(r.driver_features, F_OURS | F_V1);

	/* Without VERSION_1 (a legacy driver): FEATURES_OK does not stick. */
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	negotiate(&r, F_OURS);
	assert_false(rd(&r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* A feature the device does not offer: refused too. */
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	negotiate(&r, F_OTHER | F_V1);
	assert_false(rd(&r, VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	/* Selector 2 and up: ignored. */
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	wr(&r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(&r, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	wr(&r, VIRTIO_MMIO_DRIVER_FEATURES, ~0u);
	assert_int_equal(r.driver_features, 0);
	/* FEATURES_OK without DRIVER: refused. */
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_FEATURES_OK),
			 VIRTIO_MMIO_ACT_STATUS_REFUSED);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0);
}

static void test_status_rules(void **state)
{
	struct virtio_mmio_regs r;
	unsigned resets;

	(void)state;
	setup(&r);
	/* DRIVER_OK before FEATURES_OK: dropped. */
	wr(&r, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 7), VIRTIO_MMIO_ACT_STATUS_REFUSED);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 3);
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	negotiate(&r, F_V1);
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0xf), 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0xf);
	/* Clearing a bit is refused; the status stays. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0xb), VIRTIO_MMIO_ACT_STATUS_REFUSED);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0xf);
	/* NEEDS_RESET is the device's: the driver cannot set it. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0x4f), VIRTIO_MMIO_ACT_STATUS_REFUSED);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0xf);
	/* FAILED may be added. */
	wr(&r, VIRTIO_MMIO_STATUS, 0x8f);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0x8f);
	/* 0 resets everything the driver set. */
	setup_queue(&r, 0, 16, 0x40000000);
	virtio_mmio_raise(&r, VIRTIO_MMIO_INT_VRING);
	resets = r.resets;
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0),
			 VIRTIO_MMIO_ACT_RESET | VIRTIO_MMIO_ACT_LINE);
	assert_int_equal(r.resets, resets + 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(r.driver_features, 0);
	wr(&r, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(r.queues[0].desc, 0);
	assert_int_equal(r.queues[0].num, 0);
	/* A reset with the line low does not ask for a line update. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0), VIRTIO_MMIO_ACT_RESET);
}

static void test_queue_setup(void **state)
{
	struct virtio_mmio_regs r;
	struct virtio_mmio_queue q;

	(void)state;
	setup(&r);
	negotiate(&r, F_V1);
	wr(&r, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wr(&r, VIRTIO_MMIO_QUEUE_SEL, 2); /* no such queue: max 0, writes ignored */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);

	setup_queue(&r, 1, 128, 0x123450000ULL);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 1);
	assert_int_equal(r.queues[1].desc, 0x123450000ULL);
	assert_int_equal(r.queues[1].driver, 0x123451000ULL);
	assert_int_equal(r.queues[1].device, 0x123452000ULL);
	assert_int_equal(r.queues[1].num, 128);
	/* While ready, the setup is fixed. */
	wr(&r, VIRTIO_MMIO_QUEUE_NUM, 4);
	wr(&r, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	assert_int_equal(r.queues[1].num, 128);
	assert_int_equal(r.queues[1].desc, 0x123450000ULL);
	assert_false(virtio_mmio_queue_live(&r, 1, &q)); /* not DRIVER_OK yet */
	wr(&r, VIRTIO_MMIO_STATUS, 0xf);
	assert_true(virtio_mmio_queue_live(&r, 1, &q));
	assert_int_equal(q.num, 128);
	assert_false(virtio_mmio_queue_live(&r, 0, &q));
	assert_false(virtio_mmio_queue_live(&r, 7, &q));
	/* Ready 0 stops it; then it can change. */
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_false(virtio_mmio_queue_live(&r, 1, &q));

	/* Bad setups do not become ready. */
	setup_queue(&r, 0, 0, 0x40000000); /* size 0 */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	setup_queue(&r, 0, 24, 0x40000000); /* not a power of 2 */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	setup_queue(&r, 0, 512, 0x40000000); /* above QueueNumMax */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	setup_queue(&r, 0, 16, 0x40000008); /* descriptors not 16-aligned */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(&r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0xffffffc0); /* the used ring wraps */
	wr(&r, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 0xffffffff);
	wr(&r, VIRTIO_MMIO_QUEUE_DESC_LOW, 0);
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	setup_queue(&r, 0, 16, 0x40000000);
	wr(&r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x40002002); /* ignored: ready */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 1);
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 0);
	wr(&r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x40002002); /* used ring not 4-aligned */
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(&r, VIRTIO_MMIO_QUEUE_DEVICE_LOW, 0x40002000);
	wr(&r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x40001001); /* avail ring not 2-aligned */
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
	wr(&r, VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x40001000);
	wr(&r, VIRTIO_MMIO_QUEUE_READY, 2); /* only 1 means ready */
	assert_int_equal(rd(&r, VIRTIO_MMIO_QUEUE_READY), 0);
}

static void test_notify(void **state)
{
	struct virtio_mmio_regs r;

	(void)state;
	setup(&r);
	negotiate(&r, F_V1);
	setup_queue(&r, 0, 16, 0x40000000);
	/* Before DRIVER_OK: ignored. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0), VIRTIO_MMIO_ACT_BAD_NOTIFY);
	assert_int_equal(virtio_mmio_take_notifies(&r), 0);
	wr(&r, VIRTIO_MMIO_STATUS, 0xf);
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0), VIRTIO_MMIO_ACT_WAKE);
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0), VIRTIO_MMIO_ACT_WAKE);
	/* Queue 1 exists but is not ready; 2 and 0xffffffff do not exist. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 1), VIRTIO_MMIO_ACT_BAD_NOTIFY);
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 2), VIRTIO_MMIO_ACT_BAD_NOTIFY);
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, ~0u), VIRTIO_MMIO_ACT_BAD_NOTIFY);
	assert_int_equal(virtio_mmio_take_notifies(&r), 1);
	assert_int_equal(virtio_mmio_take_notifies(&r), 0); /* taken */
	setup_queue(&r, 1, 16, 0x50000000);
	wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(virtio_mmio_take_notifies(&r), 3);
	/* A broken queue: NEEDS_RESET, config interrupt, and notifications are ignored. */
	wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	virtio_mmio_needs_reset(&r);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0x4f);
	assert_int_equal(rd(&r, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(&r, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(virtio_mmio_take_notifies(&r), 0);
	assert_int_equal(wr(&r, VIRTIO_MMIO_QUEUE_NOTIFY, 0), VIRTIO_MMIO_ACT_BAD_NOTIFY);
	/* The driver writing the status back with the device's bit keeps it, no refusal. */
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0x4f), 0);
	assert_int_equal(wr(&r, VIRTIO_MMIO_STATUS, 0x8f), 0); /* adds FAILED, keeps 0x40 */
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0xcf);
	wr(&r, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(&r, VIRTIO_MMIO_STATUS), 0);
}

static void test_interrupts_and_config(void **state)
{
	struct virtio_mmio_regs r;
	uint64_t v;
	unsigned act;

	(void)state;
	setup(&r);
	assert_false(virtio_mmio_line(&r));
	virtio_mmio_raise(&r, VIRTIO_MMIO_INT_VRING | 0x80); /* unknown bits dropped */
	assert_true(virtio_mmio_line(&r));
	assert_int_equal(rd(&r, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(&r, VIRTIO_MMIO_CONFIG_GENERATION), 0);
	virtio_mmio_raise(&r, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(&r, VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(wr(&r, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING),
			 VIRTIO_MMIO_ACT_LINE);
	assert_true(virtio_mmio_line(&r));
	assert_int_equal(wr(&r, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING), 0); /* nothing */
	wr(&r, VIRTIO_MMIO_INTERRUPT_ACK, 0xff);
	assert_false(virtio_mmio_line(&r));

	/* Config space: the device's, any width. */
	assert_int_equal(virtio_mmio_read(&r, 0x100, 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(virtio_mmio_read(&r, 0x102, 2, &v), 0);
	assert_int_equal(v, 0x0403);
	assert_int_equal(virtio_mmio_read(&r, 0x100, 8, &v), 0);
	assert_int_equal(v, 0x0807060504030201ULL);
	assert_int_equal(virtio_mmio_read(&r, 0x106, 4, &v), -EINVAL); /* the device says */
	assert_int_equal(virtio_mmio_write(&r, 0x104, 2, 0xbeef, &act), 0);
	assert_int_equal(act, 0);
	assert_int_equal(last_cfg_write_off, 4);
	assert_int_equal(last_cfg_write_val, 0xbeef);
	/* A device without config space: reads 0, writes ignored. */
	virtio_mmio_init(&r, 4, 0, 1, 64, NULL, NULL);
	assert_int_equal(virtio_mmio_read(&r, 0x100, 4, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(virtio_mmio_write(&r, 0x100, 4, 1, &act), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_identification),
	    cmocka_unit_test(test_queue_limits_clamped),
	    cmocka_unit_test(test_feature_negotiation),
	    cmocka_unit_test(test_status_rules),
	    cmocka_unit_test(test_queue_setup),
	    cmocka_unit_test(test_notify),
	    cmocka_unit_test(test_interrupts_and_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
