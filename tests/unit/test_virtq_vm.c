/* virtq_vm_covers, the range check behind the VM glue's check(): every byte in some RAM block,
 * across adjacent blocks in any list order, never across a hole or a wrap of the address
 * space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <zvm/virtio/virtq_vm.h>
#include <zvm/vm.h>

static void test_covers(void **state)
{
	/* Two blocks listed out of order with a hole between: [0x1000, 0x3000) [0x4000, 0x5000),
	 * and an adjacent third [0x3000, 0x3800). */
	struct vm_mem_block c = {.ipa = 0x4000, .size = 0x1000};
	struct vm_mem_block b = {.ipa = 0x3000, .size = 0x800, .next = &c};
	struct vm_mem_block a = {.ipa = 0x1000, .size = 0x2000, .next = &b};

	(void)state;
	assert_true(virtq_vm_covers(&a, 0x1000, 0x2000));
	assert_true(virtq_vm_covers(&a, 0x2ff0, 0x20)); /* across a and b */
	assert_true(virtq_vm_covers(&a, 0x1000, 0x2800));
	assert_false(virtq_vm_covers(&a, 0x1000, 0x2801)); /* into the hole */
	assert_false(virtq_vm_covers(&a, 0x37ff, 0x900));  /* across the hole */
	assert_true(virtq_vm_covers(&a, 0x4fff, 1));
	assert_false(virtq_vm_covers(&a, 0x4fff, 2));
	assert_false(virtq_vm_covers(&a, 0xfff, 2));
	assert_false(virtq_vm_covers(&a, 0x1000, 0));
	assert_false(virtq_vm_covers(&a, UINT64_MAX - 0x10, 0x20)); /* wraps */
	assert_false(virtq_vm_covers(NULL, 0x1000, 1));
	/* RAM at both ends of the address space: a range running off the top must not continue
	 * at 0. */
	struct vm_mem_block low = {.ipa = 0, .size = 0x1000};
	struct vm_mem_block top = {.ipa = UINT64_MAX - 0xfff, .size = 0x1000, .next = &low};
	assert_true(virtq_vm_covers(&top, UINT64_MAX - 0xf, 0x10 - 1));
	assert_false(virtq_vm_covers(&top, UINT64_MAX - 0xf, 0x20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_covers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
