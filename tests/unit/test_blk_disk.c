/* `--disk` specs and the claims on host disks: parsing (good, bad, overflow) and the sharing
 * rule (overlap only when both sides are read-only; adjacent ranges are not an overlap). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <zvm/virtio/blk_disk.h>

static void test_parse(void **state)
{
	struct blk_spec s;
	const char *why = NULL;

	(void)state;
	assert_int_equal(blk_spec_parse("vda", &s, &why), 0);
	assert_string_equal(s.name, "vda");
	assert_true(s.whole);
	assert_false(s.ro);
	assert_int_equal(blk_spec_parse("vdb@4096+2048:ro", &s, &why), 0);
	assert_false(s.whole);
	assert_int_equal(s.first, 4096);
	assert_int_equal(s.count, 2048);
	assert_true(s.ro);
	assert_int_equal(blk_spec_parse("vda:ro", &s, &why), 0);
	assert_true(s.whole && s.ro);
	static const char *const bad[] = {"",
					  "VDA",
					  "vdaaaaaa",
					  "vda@",
					  "vda@1",
					  "vda@1+",
					  "vda@1+0",
					  "vda@+5",
					  "vda:rw",
					  "vda@1+2x",
					  "vda ro",
					  "vda@18446744073709551615+2",
					  "vda@99999999999999999999+1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(blk_spec_parse(bad[i], &s, &why), -EINVAL);
		assert_non_null(why);
	}
}

static void test_claims(void **state)
{
	struct blk_claim t[3] = {0};
	static int disk1, disk2; /* only their addresses matter */
	unsigned owner = 99;

	(void)state;
	assert_int_equal(blk_claim_take(t, 3, &disk1, 0, 100, 1, false, &owner), 0);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 99, 10, 2, false, &owner), -EBUSY);
	assert_int_equal(owner, 1);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 50, 1, 2, true, &owner), -EBUSY);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 100, 10, 2, false, &owner), 0); /* adjacent */
	assert_int_equal(blk_claim_take(t, 3, &disk2, 0, 100, 3, false, &owner),
			 0); /* other disk */
	assert_int_equal(blk_claim_take(t, 3, &disk2, 500, 1, 4, false, &owner), -ENOSPC);
	blk_claim_drop(t, 3, &disk1, 0, 100, 1, false);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 0, 100, 5, true, &owner), 0);
	/* Read-only on both sides shares; a writer never joins them. */
	blk_claim_drop(t, 3, &disk2, 0, 100, 3, false);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 0, 100, 6, true, &owner), 0);
	blk_claim_drop(t, 3, &disk1, 100, 10, 2, false);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 10, 1, 7, false, &owner), -EBUSY);
	/* Dropping what is not there changes nothing: another VM, or the same VM id with
	 * another range or mode (an id reused while the old VM is freed). */
	blk_claim_drop(t, 3, &disk1, 0, 100, 42, true);
	blk_claim_drop(t, 3, &disk1, 0, 50, 5, true);
	blk_claim_drop(t, 3, &disk1, 0, 100, 5, false);
	assert_int_equal(blk_claim_take(t, 3, &disk1, 0, 1, 8, false, &owner), -EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_claims),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
