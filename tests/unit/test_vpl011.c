/* The virtual PL011 through its MMIO ops, with the heap, locks, console and vGIC stubbed. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kernel/heap.h>
#include <kernel/spinlock.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm.h>
#include "stub_spinlock.h"

#define DR    0x000
#define RSR   0x004
#define FR    0x018
#define IBRD  0x024
#define FBRD  0x028
#define LCR_H 0x02c
#define CR    0x030
#define IFLS  0x034
#define IMSC  0x038
#define RIS   0x03c
#define MIS   0x040
#define ICR   0x044
#define DMACR 0x048

#define FR_BUSY (1u << 3)
#define FR_RXFE (1u << 4)
#define FR_TXFF (1u << 5)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)
#define INT_RX	(1u << 4)
#define INT_TX	(1u << 5)
#define INT_RT	(1u << 6)
#define CR_LBE	(1u << 7)

/* ---- Stubs ---- */

static char console[256];
static size_t console_len;
static int irq_calls;
static bool irq_level;

void *k_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void k_free(void *p)
{
	free(p);
}

void vm_console_write(struct vm *vm, const char *s, size_t len)
{
	(void)vm;
	assert_int_equal(stub_locks_held, 0);
	assert_true(console_len + len <= sizeof(console));
	memcpy(console + console_len, s, len);
	console_len += len;
}

/* Only the line-ordering lock may be held here, never the register lock. */
int vgic_set_irq(struct vm *vm, struct vcpu *target, unsigned intid, bool level)
{
	(void)vm;
	assert_null(target);
	assert_int_equal(intid, 33);
	assert_int_equal(stub_locks_held, 1);
	irq_calls++;
	irq_level = level;
	return 0;
}

/* ---- Helpers ---- */

static struct vm vm;
static const struct mmio_region *region;

static int setup(void **state)
{
	(void)state;
	memset(&vm, 0, sizeof(vm));
	console_len = 0;
	irq_calls = 0;
	irq_level = false;
	assert_int_equal(vpl011_create(&vm), 0);
	assert_non_null(vm.uart);
	region = mmio_find(&vm.mmio, VPL011_BASE);
	assert_non_null(region);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vpl011_destroy(&vm);
	assert_null(vm.uart);
	assert_int_equal(stub_locks_held, 0);
	return 0;
}

static int rd(uint64_t off, unsigned size, uint64_t *val)
{
	return region->ops->read(NULL, region->dev, off, size, val);
}

static int wr(uint64_t off, unsigned size, uint64_t val)
{
	return region->ops->write(NULL, region->dev, off, size, val);
}

static uint64_t rd32(uint64_t off)
{
	uint64_t v = ~0ULL;

	assert_int_equal(rd(off, 4, &v), 0);
	return v;
}

static void wr32(uint64_t off, uint64_t val)
{
	assert_int_equal(wr(off, 4, val), 0);
}

/* ---- Tests ---- */

static void test_region_and_ids(void **state)
{
	uint32_t pid = 0, cid = 0;

	(void)state;
	assert_int_equal(region->base, 0x09000000);
	assert_int_equal(region->size, 0x1000);
	assert_int_equal(VPL011_INTID, 33);
	for (unsigned i = 0; i < 4; i++) {
		pid |= (uint32_t)rd32(0xfe0 + 4 * i) << (8 * i);
		cid |= (uint32_t)rd32(0xff0 + 4 * i) << (8 * i);
	}
	/* What Linux's AMBA bus assembles and its pl011 driver matches. */
	assert_int_equal(pid & 0x000fffff, 0x00041011);
	assert_int_equal(pid, 0x00141011);
	assert_int_equal(cid, 0xb105f00d);
	/* A second UART on the same VM is refused. */
	assert_int_equal(vpl011_create(&vm), -EEXIST);
}

static void test_create_fails_on_busy_bus(void **state)
{
	static struct vm other;
	static const struct mmio_ops none;

	(void)state;
	assert_int_equal(mmio_register(&other.mmio, VPL011_BASE + 0x800, 0x10, &none, NULL), 0);
	assert_int_equal(vpl011_create(&other), -EBUSY);
	assert_null(other.uart);
	vpl011_destroy(&other); /* NULL uart: nothing to do */
	vpl011_receive(&other, 'x');
}

static void test_reset_values_and_readback(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(rd32(CR), 0x300);
	assert_int_equal(rd32(IFLS), 0x12);
	assert_int_equal(rd32(IMSC), 0);
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFE);
	wr32(IBRD, 0x12345);
	wr32(FBRD, 0xff);
	wr32(LCR_H, 0x170);
	wr32(CR, 0x10301);
	wr32(IFLS, 0xff);
	assert_int_equal(rd32(IBRD), 0x2345);
	assert_int_equal(rd32(FBRD), 0x3f);
	assert_int_equal(rd32(LCR_H), 0x70);
	assert_int_equal(rd32(CR), 0x0301);
	assert_int_equal(rd32(IFLS), 0x3f);
	/* Narrow accesses see the low bits. */
	assert_int_equal(rd(CR, 2, &v), 0);
	assert_int_equal(v, 0x301);
	assert_int_equal(rd(IBRD, 1, &v), 0);
	assert_int_equal(v, 0x45);
	assert_int_equal(wr(IBRD, 2, 0xabcdef), 0);
	assert_int_equal(rd32(IBRD), 0xcdef);
	/* RAZ/WI and read-only registers. */
	wr32(DMACR, 7);
	assert_int_equal(rd32(DMACR), 0);
	wr32(RSR, 0xf);
	assert_int_equal(rd32(RSR), 0);
	wr32(FR, 0);
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFE);
	wr32(0xfe0, 0);
	assert_int_equal(rd32(0xfe0), 0x11);
}

static void test_transmit(void **state)
{
	uint32_t fr;

	(void)state;
	wr32(DR, 'h');
	assert_int_equal(wr(DR, 1, 'i'), 0);
	assert_int_equal(wr(DR, 2, 0x7f00 | '!'), 0);
	wr32(DR, 0xffffff00 | '\n');
	assert_int_equal(console_len, 4);
	assert_memory_equal(console, "hi!\n", 4);
	fr = (uint32_t)rd32(FR);
	assert_true(fr & FR_TXFE);
	assert_false(fr & (FR_TXFF | FR_BUSY));
	/* No interrupt enabled, so no line change. */
	assert_int_equal(irq_calls, 0);
}

static void test_tx_interrupt_is_level(void **state)
{
	(void)state;
	assert_int_equal(rd32(RIS), INT_TX);
	assert_int_equal(rd32(MIS), 0);
	wr32(IMSC, INT_TX);
	assert_int_equal(irq_calls, 1);
	assert_true(irq_level);
	assert_int_equal(rd32(MIS), INT_TX);
	/* Stays asserted across transmits and an ICR write: the FIFO is still empty. */
	wr32(DR, 'a');
	wr32(ICR, 0x7ff);
	wr32(IMSC, INT_TX);
	assert_int_equal(rd32(MIS), INT_TX);
	assert_int_equal(irq_calls, 1);
	/* Only masking it drops the line (how Linux stops TX when its buffer is empty). */
	wr32(IMSC, 0);
	assert_int_equal(irq_calls, 2);
	assert_false(irq_level);
	wr32(IMSC, 0);
	assert_int_equal(irq_calls, 2);
}

static void test_receive(void **state)
{
	uint64_t v;

	(void)state;
	wr32(IMSC, INT_RX | INT_RT);
	assert_int_equal(irq_calls, 0);
	vpl011_receive(&vm, 'x');
	assert_int_equal(irq_calls, 1);
	assert_true(irq_level);
	vpl011_receive(&vm, 'y');
	assert_int_equal(irq_calls, 1);
	assert_int_equal(rd32(RIS), INT_TX | INT_RX | INT_RT);
	assert_int_equal(rd32(MIS), INT_RX | INT_RT);
	assert_int_equal(rd32(FR), FR_TXFE);
	assert_int_equal(rd32(DR), 'x');
	assert_true(irq_level);
	/* A byte read pops too; the last one drops the line. */
	assert_int_equal(rd(DR, 1, &v), 0);
	assert_int_equal(v, 'y');
	assert_int_equal(irq_calls, 2);
	assert_false(irq_level);
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFE);
	assert_int_equal(rd32(DR), 0);
	assert_int_equal(rd32(MIS), 0);
}

static void test_rx_fifo_full_and_wrap(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 20; i++)
		vpl011_receive(&vm, (uint8_t)i);
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(rd32(DR), i);
	/* The ring now wraps; the 33rd byte waits in the input queue behind a full FIFO. */
	for (unsigned i = 0; i <= VPL011_FIFO_SIZE; i++)
		assert_true(vpl011_receive(&vm, (uint8_t)(100 + i)));
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFF);
	for (unsigned i = 0; i <= VPL011_FIFO_SIZE; i++)
		assert_int_equal(rd32(DR), 100 + i);
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFE);
	/* No interrupt was enabled. */
	assert_int_equal(irq_calls, 0);
}

/* A guest that does not read: input fills the FIFO and the queue, then is dropped at once
 * (never waited for); what was kept arrives in order when the guest reads at last. */
static void test_input_queue_for_a_guest_that_does_not_read(void **state)
{
	const unsigned kept = VPL011_FIFO_SIZE + VPL011_INPUT_SIZE;

	(void)state;
	for (unsigned i = 0; i < kept; i++)
		assert_true(vpl011_receive(&vm, (uint8_t)i));
	assert_false(vpl011_receive(&vm, 0xee));
	assert_false(vpl011_receive(&vm, 0xef));
	for (unsigned i = 0; i < kept; i++)
		assert_int_equal(rd32(DR), (uint8_t)i);
	assert_int_equal(rd32(FR), FR_TXFE | FR_RXFE);
	/* Typing again goes straight to the FIFO. */
	assert_true(vpl011_receive(&vm, 'k'));
	assert_int_equal(rd32(DR), 'k');
}

/* A VM reset empties the input queue as well as the FIFO. */
static void test_reset_empties_the_input_queue(void **state)
{
	(void)state;
	for (unsigned i = 0; i < VPL011_FIFO_SIZE + 10; i++)
		vpl011_receive(&vm, 'a');
	vpl011_reset(&vm);
	assert_int_equal(rd32(FR) & (FR_RXFE | FR_RXFF), FR_RXFE);
	assert_true(vpl011_receive(&vm, 'b'));
	assert_int_equal(rd32(DR), 'b');
	assert_int_equal(rd32(FR) & FR_RXFE, FR_RXFE);
}

static void test_loopback(void **state)
{
	(void)state;
	wr32(CR, 0x301 | CR_LBE);
	wr32(DR, 'L');
	assert_int_equal(console_len, 0);
	assert_int_equal(rd32(DR), 'L');
	wr32(CR, 0x301);
	wr32(DR, 'T');
	assert_int_equal(console_len, 1);
}

static void test_bad_accesses(void **state)
{
	/* Holes between registers and past the region: no width reaches them. */
	static const uint64_t holes[] = {0x008, 0x00b, 0x00c, 0x010,  0x014,	    0x01c,
					 0x04c, 0x080, 0xfdc, 0x1000, ~0ULL & ~3ULL};
	/* Inside a register but straddling into the next word at this width. */
	static const struct {
		uint64_t off;
		unsigned size;
	} straddles[] = {{0x001, 4}, {0x002, 4}, {0x003, 2}, {0xfe1, 4}, {0xffe, 4}, {0x033, 2}};
	uint64_t v;

	(void)state;
	vpl011_receive(&vm, 'q');
	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		v = 0x5a;
		assert_int_equal(rd(holes[i], 4, &v), -EINVAL);
		assert_int_equal(v, 0x5a);
		assert_int_equal(wr(holes[i], 4, 'z'), -EINVAL);
		assert_int_equal(rd(holes[i], 1, &v), -EINVAL);
		assert_int_equal(wr(holes[i], 1, 'z'), -EINVAL);
	}
	for (size_t i = 0; i < sizeof(straddles) / sizeof(straddles[0]); i++) {
		v = 0x5a;
		assert_int_equal(rd(straddles[i].off, straddles[i].size, &v), -EINVAL);
		assert_int_equal(v, 0x5a);
		assert_int_equal(wr(straddles[i].off, straddles[i].size, 'z'), -EINVAL);
	}
	/* Widths other than 1, 2, 4 at a real register, DR included: nothing happens. */
	assert_int_equal(rd(DR, 8, &v), -EINVAL);
	assert_int_equal(rd(DR, 3, &v), -EINVAL);
	assert_int_equal(rd(DR, 0, &v), -EINVAL);
	assert_int_equal(wr(DR, 8, 'z'), -EINVAL);
	assert_int_equal(wr(CR, 8, 0), -EINVAL);
	assert_int_equal(console_len, 0);
	assert_int_equal(rd32(CR), 0x300);
	assert_int_equal(rd32(DR), 'q');
}

/* Byte and halfword accesses reach the lanes of a register (U-Boot's md.b walks FR byte by
 * byte); a narrow write keeps the other lanes; DR's upper lanes neither pop nor transmit. */
static void test_byte_lanes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(rd(FR, 1, &v), 0);
	assert_int_equal(v, FR_TXFE | FR_RXFE);
	for (unsigned lane = 1; lane < 4; lane++) {
		v = 0x5a;
		assert_int_equal(rd(FR + lane, 1, &v), 0);
		assert_int_equal(v, 0);
	}
	wr32(CR, 0x0301);
	assert_int_equal(rd(CR + 1, 1, &v), 0);
	assert_int_equal(v, 0x03);
	assert_int_equal(rd(CR + 2, 2, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(wr(CR + 1, 1, 0x02), 0);
	assert_int_equal(rd32(CR), 0x0201);
	assert_int_equal(wr(CR, 1, 0x81), 0);
	assert_int_equal(rd32(CR), 0x0281);
	wr32(IBRD, 0x1234);
	assert_int_equal(rd(IBRD + 1, 1, &v), 0);
	assert_int_equal(v, 0x12);
	assert_int_equal(wr(IBRD + 2, 2, 0xffff), 0); /* beyond IBRD's 16 bits */
	assert_int_equal(rd32(IBRD), 0x1234);
	assert_int_equal(rd(0xfe0 + 1, 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd(0xfe0, 2, &v), 0);
	assert_int_equal(v, 0x11);

	vpl011_receive(&vm, 'q');
	assert_int_equal(rd(DR + 1, 1, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(rd(DR + 2, 2, &v), 0);
	assert_int_equal(wr(DR + 1, 1, 'x'), 0);
	assert_int_equal(wr(DR + 3, 1, 'y'), 0);
	assert_int_equal(console_len, 0);
	assert_int_equal(rd32(DR), 'q');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_region_and_ids, setup, teardown),
	    cmocka_unit_test(test_create_fails_on_busy_bus),
	    cmocka_unit_test_setup_teardown(test_reset_values_and_readback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_byte_lanes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx_interrupt_is_level, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_receive, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rx_fifo_full_and_wrap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_input_queue_for_a_guest_that_does_not_read, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_reset_empties_the_input_queue, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_accesses, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
