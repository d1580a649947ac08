/* The MMIO bus lookup and the data-abort syndrome decoder. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <zvm/mmio.h>

static const struct mmio_ops ops;

static void test_register_and_find(void **state)
{
	struct mmio_bus bus = {0};
	int a, b, c;

	(void)state;
	assert_int_equal(mmio_register(&bus, 0x9000000, 0x1000, &ops, &a), 0);
	assert_int_equal(mmio_register(&bus, 0x8000000, 0x10000, &ops, &b), 0);
	assert_int_equal(mmio_register(&bus, 0xa000000, 0x200, &ops, &c), 0);
	assert_ptr_equal(mmio_find(&bus, 0x8000000)->dev, &b);
	assert_ptr_equal(mmio_find(&bus, 0x800ffff)->dev, &b);
	assert_null(mmio_find(&bus, 0x8010000));
	assert_ptr_equal(mmio_find(&bus, 0x9000fff)->dev, &a);
	assert_ptr_equal(mmio_find(&bus, 0xa0001ff)->dev, &c);
	assert_null(mmio_find(&bus, 0xa000200));
	assert_null(mmio_find(&bus, 0));
	assert_null(mmio_find(&bus, ~0ULL));
	/* Sorted by base whatever the registration order. */
	assert_true(bus.regions[0].base < bus.regions[1].base);
	assert_true(bus.regions[1].base < bus.regions[2].base);
}

static void test_register_rejects_overlap_and_overflow(void **state)
{
	struct mmio_bus bus = {0};

	(void)state;
	assert_int_equal(mmio_register(&bus, 0x1000, 0x1000, &ops, NULL), 0);
	assert_int_equal(mmio_register(&bus, 0x1800, 0x1000, &ops, NULL), -EBUSY);
	assert_int_equal(mmio_register(&bus, 0x0800, 0x1000, &ops, NULL), -EBUSY);
	assert_int_equal(mmio_register(&bus, 0x0, 0x10000, &ops, NULL), -EBUSY);
	assert_int_equal(mmio_register(&bus, 0x2000, 0, &ops, NULL), -EINVAL);
	assert_int_equal(mmio_register(&bus, ~0ULL - 10, 0x100, &ops, NULL), -EINVAL);
	for (unsigned i = 1; i < MMIO_MAX_REGIONS; i++)
		assert_int_equal(mmio_register(&bus, 0x100000 * (i + 1), 0x10, &ops, NULL), 0);
	assert_int_equal(mmio_register(&bus, 0x10000000, 0x10, &ops, NULL), -ENOSPC);
}

static void test_decode(void **state)
{
	struct mmio_access a;
	/* str w3, [..]: ISV, SAS=2 (word), SRT=3, WnR. */
	uint64_t esr = (0x24ULL << 26) | (1 << 24) | (2 << 22) | (3 << 16) | (1 << 6);

	(void)state;
	assert_int_equal(mmio_decode(esr, 0x9000000, &a), 0);
	assert_int_equal(a.size, 4);
	assert_int_equal(a.reg, 3);
	assert_true(a.write);
	assert_false(a.sign_extend);
	/* ldrsb x30: SAS=0, SSE, SRT=30, SF. */
	esr = (0x24ULL << 26) | (1 << 24) | (0 << 22) | (1 << 21) | (30 << 16) | (1 << 15);
	assert_int_equal(mmio_decode(esr, 0x10, &a), 0);
	assert_int_equal(a.size, 1);
	assert_int_equal(a.reg, 30);
	assert_false(a.write);
	assert_true(a.sign_extend);
	assert_true(a.sixty_four);
	assert_int_equal(a.ipa, 0x10);
	/* No valid syndrome (e.g. ldp): the caller must inject an abort. */
	assert_int_equal(mmio_decode((0x24ULL << 26) | (3 << 22), 0, &a), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_register_and_find),
	    cmocka_unit_test(test_register_rejects_overlap_and_overflow),
	    cmocka_unit_test(test_decode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
