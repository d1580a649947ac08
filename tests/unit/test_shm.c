/* Shared-memory region bookkeeping: option parsing, overlap, refcounting. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zvm/shm.h>

static int allocs, frees;
static uint64_t freed_size;

static uintptr_t fake_alloc(uint64_t size)
{
	allocs++;
	return (uintptr_t)calloc(1, (size_t)size);
}

static uintptr_t fail_alloc(uint64_t size)
{
	(void)size;
	return 0;
}

static void fake_free(uintptr_t host, uint64_t size)
{
	frees++;
	freed_size = size;
	free((void *)host);
}

static void parse_ok(const char *arg, const char *name, uint64_t size, uint64_t ipa, bool ro)
{
	struct shm_spec s;
	const char *err = NULL;

	assert_int_equal(shm_parse_spec(arg, &s, &err), 0);
	assert_string_equal(s.name, name);
	assert_int_equal(s.size, size);
	assert_int_equal(s.ipa, ipa);
	assert_int_equal(s.ro, ro);
}

static void parse_bad(const char *arg, const char *want)
{
	struct shm_spec s;
	const char *err = NULL;

	assert_int_equal(shm_parse_spec(arg, &s, &err), -1);
	assert_non_null(err);
	assert_non_null(strstr(err, want));
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("ring:64@0x10000000", "ring", 65536, 0x10000000, false);
	parse_ok("a_b-1:4@4096:ro", "a_b-1", 4096, 4096, true);
	parse_bad("ring:6@0x10000000", "bad size");
	parse_bad("ring:0@0x10000000", "bad size");
	parse_bad("ring:131072@0x10000000", "bad size");
	parse_bad("ring:x@0x10000000", "bad size");
	parse_bad("ring:64@0x10000800", "not page aligned");
	parse_bad("ring:64@", "bad IPA");
	parse_bad("ring:64@0x1000:rw", "trailing");
	parse_bad("r/ng:64@0x1000", "bad region name");
	parse_bad("averyveryverylongname:64@0x1000", "bad region name");
	parse_bad(":64@0x1000", "expected");
	parse_bad("ring", "expected");
	parse_bad("ring:64@0xfffffffffffff000", "overflows");
}

static void test_overlap(void **state)
{
	const uint64_t busy[2][2] = {{0x40000000, 0x10000000}, {0x9000000, 0x1000}};
	struct shm_spec s = {.size = 0x2000};
	const char *err = NULL;

	(void)state;
	s.ipa = 0x3fffe000; /* ends right at RAM */
	assert_int_equal(shm_check_ipa(&s, busy, 2, &err), 0);
	s.ipa = 0x3ffff000; /* last page inside RAM */
	assert_int_equal(shm_check_ipa(&s, busy, 2, &err), -1);
	assert_non_null(strstr(err, "overlaps"));
	s.ipa = 0x8fff000; /* covers the device page */
	assert_int_equal(shm_check_ipa(&s, busy, 2, &err), -1);
	s.ipa = 0x4ffff000; /* starts inside RAM, runs past its end */
	assert_int_equal(shm_check_ipa(&s, busy, 2, &err), -1);
	s.ipa = 0x50000000; /* right after RAM */
	assert_int_equal(shm_check_ipa(&s, busy, 2, &err), 0);
}

static void test_refcount(void **state)
{
	struct shm_table t;
	struct shm_spec s = {.name = "ring", .size = 8192, .ipa = 0x10000000};
	struct shm_region *a, *b;
	const char *err = NULL;

	(void)state;
	memset(&t, 0, sizeof(t));
	allocs = frees = 0;
	a = shm_attach(&t, &s, 3, fake_alloc, &err);
	assert_non_null(a);
	assert_int_equal(allocs, 1);
	memset((void *)a->host, 0x5a, 8192);
	/* A second VM maps the same pages, at its own IPA. */
	s.ipa = 0x20000000;
	b = shm_attach(&t, &s, 7, fake_alloc, &err);
	assert_ptr_equal(a, b);
	assert_int_equal(allocs, 1);
	assert_int_equal(a->refs, 2);
	assert_int_equal(shm_member_index(a, 3), 0);
	assert_int_equal(shm_member_index(a, 7), 1);
	/* Same VM twice, another size: refused, nothing changes. */
	assert_null(shm_attach(&t, &s, 7, fake_alloc, &err));
	assert_non_null(strstr(err, "already"));
	s.size = 4096;
	assert_null(shm_attach(&t, &s, 9, fake_alloc, &err));
	assert_non_null(strstr(err, "another size"));
	assert_int_equal(a->refs, 2);
	/* The first member leaves: the region stays with its content. */
	assert_false(shm_detach(&t, a, 3, fake_free));
	assert_int_equal(frees, 0);
	assert_int_equal(((uint8_t *)a->host)[8191], 0x5a);
	assert_int_equal(shm_member_index(a, 7), 0);
	assert_false(shm_detach(&t, a, 3, fake_free)); /* no longer a member */
	/* The last one leaves: pages freed once, slot reusable. */
	assert_true(shm_detach(&t, a, 7, fake_free));
	assert_int_equal(frees, 1);
	assert_int_equal(freed_size, 8192);
	assert_int_equal(a->host, 0);
}

static void test_limits(void **state)
{
	struct shm_table t;
	struct shm_spec s = {.size = 4096};
	struct shm_region *r = NULL;
	const char *err = NULL;

	(void)state;
	memset(&t, 0, sizeof(t));
	strcpy(s.name, "x");
	assert_null(shm_attach(&t, &s, 0, fail_alloc, &err));
	assert_non_null(strstr(err, "out of memory"));
	for (int vm = 0; vm < SHM_MAX_MEMBERS; vm++)
		assert_non_null(r = shm_attach(&t, &s, vm, fake_alloc, &err));
	assert_null(shm_attach(&t, &s, 99, fake_alloc, &err));
	assert_non_null(strstr(err, "too many members"));
	for (int i = 1; i < SHM_MAX_REGIONS; i++) {
		s.name[0] = (char)('a' + i);
		assert_non_null(shm_attach(&t, &s, 0, fake_alloc, &err));
	}
	s.name[0] = 'z';
	assert_null(shm_attach(&t, &s, 0, fake_alloc, &err));
	assert_non_null(strstr(err, "too many shared regions"));
	for (int vm = 0; vm < SHM_MAX_MEMBERS; vm++)
		shm_detach(&t, r, vm, fake_free);
	for (int i = 0; i < SHM_MAX_REGIONS; i++)
		if (t.r[i].host)
			shm_detach(&t, &t.r[i], 0, fake_free);
}

static void test_parse_list(void **state)
{
	struct shm_spec sp[SHM_VM_MAX];
	const char *err = NULL;
	unsigned n = 99;

	(void)state;
	assert_int_equal(shm_parse_list("ring:64@0x20000000", sp, SHM_VM_MAX, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(
	    shm_parse_list("a:8@0x20000000,b:4@0x20002000:ro", sp, SHM_VM_MAX, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(sp[1].name, "b");
	assert_true(sp[1].ro);
	assert_false(sp[0].ro);
	assert_int_equal(sp[1].ipa, 0x20002000);
	/* a's last page is b's first */
	assert_int_equal(shm_parse_list("a:12@0x20000000,b:4@0x20002000", sp, SHM_VM_MAX, &n, &err),
			 -1);
	assert_non_null(strstr(err, "overlaps"));
	assert_int_equal(shm_parse_list("a:4@0x20000000,a:4@0x30000000", sp, SHM_VM_MAX, &n, &err),
			 -1);
	assert_non_null(strstr(err, "named twice"));
	assert_int_equal(shm_parse_list("a:4@0x20000000,", sp, SHM_VM_MAX, &n, &err), -1);
	assert_int_equal(shm_parse_list("", sp, SHM_VM_MAX, &n, &err), -1);
	assert_int_equal(shm_parse_list("a:4@0x1000,b:4@0x2000", sp, 1, &n, &err), -1);
	assert_non_null(strstr(err, "too many"));
	assert_int_equal(shm_parse_list("a:4@0x1000,b:4@0x2000:rw", sp, SHM_VM_MAX, &n, &err), -1);
	assert_non_null(strstr(err, "trailing"));
	/* Longer than the copy buffer: refused, not truncated into a valid spec. */
	assert_int_equal(
	    shm_parse_list("a:4@0x0000000000000000000000000000000000000000000000000000000"
			   "00000000000000000000000000000001000",
			   sp, SHM_VM_MAX, &n, &err),
	    -1);
	assert_non_null(strstr(err, "too long"));
}

static void test_peers(void **state)
{
	struct shm_table t;
	struct shm_spec a = {.name = "a", .size = 4096}, b = {.name = "b", .size = 4096};
	struct shm_region *ra, *rb;
	const char *err = NULL;

	(void)state;
	memset(&t, 0, sizeof(t));
	assert_int_equal(shm_peer_mask(&t, 1), 0);
	ra = shm_attach(&t, &a, 1, fake_alloc, &err);
	assert_int_equal(shm_peer_mask(&t, 1), 0); /* alone: nobody to ring */
	shm_attach(&t, &a, 63, fake_alloc, &err);
	rb = shm_attach(&t, &b, 5, fake_alloc, &err);
	shm_attach(&t, &b, 63, fake_alloc, &err);
	assert_int_equal(shm_peer_mask(&t, 1), 1ULL << 63);
	assert_int_equal(shm_peer_mask(&t, 63), (1ULL << 1) | (1ULL << 5));
	assert_int_equal(shm_peer_mask(&t, 5), 1ULL << 63);
	assert_int_equal(shm_peer_mask(&t, 7), 0); /* not a member of anything */
	/* 63 leaves a: 1 has no peer any more, 63 still shares b with 5. */
	shm_detach(&t, ra, 63, fake_free);
	assert_int_equal(shm_peer_mask(&t, 1), 0);
	assert_int_equal(shm_peer_mask(&t, 63), 1ULL << 5);
	shm_detach(&t, ra, 1, fake_free);
	shm_detach(&t, rb, 5, fake_free);
	shm_detach(&t, rb, 63, fake_free);
}

static void test_ring_ok(void **state)
{
	const uint64_t peers = (1ULL << 2) | (1ULL << 63);

	(void)state;
	assert_true(shm_db_ring_ok(peers, 4, 2));
	assert_true(shm_db_ring_ok(peers, 4, 63));
	assert_false(shm_db_ring_ok(peers, 4, 3));  /* not a peer */
	assert_false(shm_db_ring_ok(peers, 4, 4));  /* itself */
	assert_false(shm_db_ring_ok(peers, 2, 2));  /* itself, even when in the mask */
	assert_false(shm_db_ring_ok(peers, 4, 64)); /* no such VM: no shift past 63 */
	assert_false(shm_db_ring_ok(peers, 4, 66));
	assert_false(shm_db_ring_ok(~0ULL, 4, 0xffffffffULL));
	assert_false(shm_db_ring_ok(~0ULL, 4, (1ULL << 32) | 2)); /* high bits count */
	assert_false(shm_db_ring_ok(0, 4, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),      cmocka_unit_test(test_overlap),
	    cmocka_unit_test(test_refcount),   cmocka_unit_test(test_limits),
	    cmocka_unit_test(test_parse_list), cmocka_unit_test(test_peers),
	    cmocka_unit_test(test_ring_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
