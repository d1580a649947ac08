/* Stage-2 table logic against a model: a flat array of what each 4 KiB page of a 16 MiB IPA
 * window should translate to. Random map/unmap/protect/split/access-flag sequences; after each
 * operation the walk must match the model, and the hooks must show that every valid entry
 * that changed went invalid, then through TLBI for exactly its IPA and level, then a sync,
 * before anything new was written there. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/stage2_pt.h>

#define BASE	 0x40000000ULL
#define NPAGES	 4096 /* 16 MiB */
#define PA_BASE	 0x80000000ULL
#define MAX_TLBI 20000

struct rec {
	uint64_t ipa;
	int level;
	bool synced;
};

static struct {
	struct rec tlbi[MAX_TLBI];
	unsigned nr_tlbi;
	unsigned syncs;
	long tables;	      /* allocated, not freed */
	int fail_alloc_after; /* < 0: never fail */
} hw;

static struct s2pt pt;
static uint64_t *root;

static void *h_alloc(void *ctx)
{
	(void)ctx;
	if (hw.fail_alloc_after == 0)
		return NULL;
	if (hw.fail_alloc_after > 0)
		hw.fail_alloc_after--;
	void *t = aligned_alloc(4096, 4096);

	assert_non_null(t);
	memset(t, 0, 4096);
	hw.tables++;
	return t;
}

static void h_free(void *ctx, void *t)
{
	(void)ctx;
	hw.tables--;
	free(t);
}

static void h_publish(void *ctx)
{
	(void)ctx;
}

/* At the TLBI, the entry must already be invalid: nothing translates that IPA. */
static void h_tlbi(void *ctx, uint64_t ipa, int level)
{
	struct s2pt_leaf l;

	(void)ctx;
	assert_false(s2pt_lookup(&pt, ipa, &l));
	assert_true(hw.nr_tlbi < MAX_TLBI);
	hw.tlbi[hw.nr_tlbi++] = (struct rec){ipa, level, false};
}

/* Between TLBI and sync nothing may have been written back. */
static void h_sync(void *ctx)
{
	struct s2pt_leaf l;

	(void)ctx;
	for (unsigned i = 0; i < hw.nr_tlbi; i++)
		if (!hw.tlbi[i].synced) {
			assert_false(s2pt_lookup(&pt, hw.tlbi[i].ipa, &l));
			hw.tlbi[i].synced = true;
		}
	hw.syncs++;
}

static const struct s2pt_hooks hooks = {h_alloc, h_free, h_publish, h_tlbi, h_sync};

struct model {
	bool valid;
	uint64_t pa;
	unsigned perm;
	bool af;
};

static struct model model[NPAGES];

static int setup(void **state)
{
	(void)state;
	memset(&hw, 0, sizeof(hw));
	hw.fail_alloc_after = -1;
	memset(model, 0, sizeof(model));
	root = aligned_alloc(4096, 4096);
	memset(root, 0, 4096);
	s2pt_init(&pt, root, 512, &hooks, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	s2pt_free_tables(&pt);
	assert_int_equal(hw.tables, 0);
	assert_int_equal(pt.nr_tables, 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(root[i], 0);
	free(root);
	return 0;
}

static uint64_t ipa_of(unsigned page)
{
	return BASE + (uint64_t)page * S2PT_PAGE;
}

struct snap {
	bool valid;
	struct s2pt_leaf l;
};

static struct snap before[NPAGES];
static unsigned last_op, last_first, last_n;

static void snapshot(struct snap *s)
{
	for (unsigned i = 0; i < NPAGES; i++)
		s[i].valid = s2pt_lookup(&pt, ipa_of(i), &s[i].l);
}

static bool tlbi_done_for(const struct s2pt_leaf *l)
{
	for (unsigned i = 0; i < hw.nr_tlbi; i++)
		if (hw.tlbi[i].ipa == l->ipa && hw.tlbi[i].level == l->level && hw.tlbi[i].synced)
			return true;
	return false;
}

/* The walk matches the model, and break-before-make held for every changed valid entry. */
static void check_after_op(void)
{
	for (unsigned i = 0; i < NPAGES; i++) {
		struct s2pt_leaf l;
		bool valid = s2pt_lookup(&pt, ipa_of(i), &l);

		assert_int_equal(valid, model[i].valid);
		if (valid) {
			assert_int_equal(l.pa, model[i].pa);
			assert_int_equal(l.perm, model[i].perm);
			assert_int_equal(l.af, model[i].af);
		}
		const struct s2pt_leaf *b = &before[i].l;

		if (!before[i].valid)
			continue;
		bool same = valid && l.pa == b->pa && l.perm == b->perm && l.ipa == b->ipa &&
			    l.level == b->level;
		bool only_af_set = same && !b->af && l.af;

		if ((!same || (l.af != b->af && !only_af_set)) && !tlbi_done_for(b))
			fail_msg("op %u first %u n %u nr_tlbi %u: page %u (leaf 0x%llx level %d "
				 "valid %d->%d pa %llx->%llx perm %u->%u "
				 "af %d->%d): changed without break-before-make",
				 last_op, last_first, last_n, hw.nr_tlbi, i,
				 (unsigned long long)b->ipa, b->level, before[i].valid, valid,
				 (unsigned long long)b->pa, (unsigned long long)l.pa, b->perm,
				 l.perm, b->af, l.af);
	}
	/* Every TLBI was for a page valid before, and was completed by a sync. */
	for (unsigned i = 0; i < hw.nr_tlbi; i++) {
		uint64_t page = (hw.tlbi[i].ipa - BASE) / S2PT_PAGE;

		assert_true(hw.tlbi[i].ipa >= BASE && page < NPAGES);
		assert_true(before[page].valid);
		assert_true(hw.tlbi[i].synced);
	}
	hw.nr_tlbi = 0;
}

static void test_blocks_where_aligned(void **state)
{
	struct s2pt_leaf l;

	(void)state;
	snapshot(before);
	/* 4 MiB + 8 KiB from a 2 MiB aligned IPA and PA: two blocks and two pages. */
	assert_int_equal(s2pt_map(&pt, BASE, PA_BASE, (4u << 20) + 8192, S2PT_R | S2PT_W, true), 0);
	for (unsigned i = 0; i < 1026; i++)
		model[i] = (struct model){true, PA_BASE + i * 4096ULL, S2PT_R | S2PT_W, true};
	check_after_op();
	assert_true(s2pt_lookup(&pt, BASE + 0x1234, &l));
	assert_int_equal(l.level, 2);
	assert_int_equal(l.pa, PA_BASE + 0x1234);
	assert_true(s2pt_lookup(&pt, BASE + (4u << 20) + 4096, &l));
	assert_int_equal(l.level, 3);
	assert_int_equal(pt.nr_tables, 2); /* one level-2 and one level-3 table */
	/* Misaligned PA: pages only. */
	snapshot(before);
	assert_int_equal(s2pt_map(&pt, BASE + (8u << 20), PA_BASE + 4096, 2u << 20, S2PT_R, false),
			 0);
	for (unsigned i = 0; i < 512; i++)
		model[2048 + i] = (struct model){true, PA_BASE + 4096 + i * 4096ULL, S2PT_R, false};
	check_after_op();
	assert_true(s2pt_lookup(&pt, BASE + (8u << 20), &l));
	assert_int_equal(l.level, 3);
}

/* Unmapping one page of a block splits it; the 511 others keep PA, permissions and AF. */
static void test_split_preserves(void **state)
{
	struct s2pt_leaf l;

	(void)state;
	assert_int_equal(s2pt_map(&pt, BASE, PA_BASE, 2u << 20, S2PT_R | S2PT_X, false), 0);
	for (unsigned i = 0; i < 512; i++)
		model[i] = (struct model){true, PA_BASE + i * 4096ULL, S2PT_R | S2PT_X, false};
	hw.nr_tlbi = 0;
	snapshot(before);
	assert_int_equal(s2pt_unmap(&pt, BASE + 5 * 4096, 4096), 0);
	model[5].valid = false;
	/* The block went through TLBI at level 2, then the page it became at level 3. */
	assert_int_equal(hw.nr_tlbi, 2);
	assert_int_equal(hw.tlbi[0].ipa, BASE);
	assert_int_equal(hw.tlbi[0].level, 2);
	assert_int_equal(hw.tlbi[1].ipa, BASE + 5 * 4096);
	assert_int_equal(hw.tlbi[1].level, 3);
	check_after_op();
	assert_true(s2pt_lookup(&pt, BASE + 6 * 4096, &l));
	assert_int_equal(l.level, 3);
}

static void test_out_of_tables(void **state)
{
	(void)state;
	assert_int_equal(s2pt_map(&pt, BASE, PA_BASE, 2u << 20, S2PT_R | S2PT_W, true), 0);
	for (unsigned i = 0; i < 512; i++)
		model[i] = (struct model){true, PA_BASE + i * 4096ULL, S2PT_R | S2PT_W, true};
	hw.nr_tlbi = 0;
	snapshot(before);
	hw.fail_alloc_after = 0;
	assert_int_equal(s2pt_protect(&pt, BASE, 4096, S2PT_R), -ENOMEM);
	assert_int_equal(s2pt_map(&pt, BASE + (4u << 20), PA_BASE, 4096, S2PT_R, true), -ENOMEM);
	check_after_op(); /* nothing changed, no TLBI */
	assert_int_equal(hw.syncs, 0);
	hw.fail_alloc_after = -1;
}

static void test_invalid_args(void **state)
{
	(void)state;
	assert_int_equal(s2pt_map(&pt, BASE + 1, PA_BASE, 4096, S2PT_R, true), -EINVAL);
	assert_int_equal(s2pt_map(&pt, BASE, PA_BASE, 100, S2PT_R, true), -EINVAL);
	assert_int_equal(s2pt_map(&pt, 512ULL << 30, PA_BASE, 4096, S2PT_R, true), -EINVAL);
	assert_int_equal(s2pt_map(&pt, -4096ULL, PA_BASE, 8192, S2PT_R, true), -EINVAL);
	assert_int_equal(s2pt_map(&pt, BASE, 1ULL << 48, 4096, S2PT_R, true), -EINVAL);
	assert_int_equal(s2pt_unmap(&pt, BASE, 5), -EINVAL);
	assert_false(s2pt_set_af(&pt, BASE));
	assert_false(s2pt_set_af(&pt, 1ULL << 40));
	assert_int_equal(pt.nr_tables, 0);
}

static unsigned rnd(unsigned n)
{
	return (unsigned)random() % n;
}

/* A random range of pages: often 2 MiB aligned and sized, so blocks appear and get split. */
static void pick_range(unsigned *first, unsigned *n)
{
	if (rnd(2)) {
		*first = rnd(NPAGES / 512) * 512;
		*n = (1 + rnd(2)) * 512;
	} else {
		*first = rnd(NPAGES);
		*n = 1 + rnd(rnd(4) ? 16 : 1200);
	}
	if (*first + *n > NPAGES)
		*n = NPAGES - *first;
}

static void random_op(void)
{
	unsigned first, n, perm = rnd(8);

	pick_range(&first, &n);
	snapshot(before);
	last_first = first;
	last_n = n;
	switch (last_op = rnd(6)) {
	case 0: {
		uint64_t pa = PA_BASE + (first % 512 == 0 && rnd(4) ? (uint64_t)rnd(64) << 21
								    : (uint64_t)rnd(1 << 16) << 12);
		bool af = rnd(2);

		assert_int_equal(s2pt_map(&pt, ipa_of(first), pa, n * S2PT_PAGE, perm, af), 0);
		for (unsigned i = 0; i < n; i++)
			model[first + i] = (struct model){true, pa + i * S2PT_PAGE, perm, af};
		break;
	}
	case 1:
		assert_int_equal(s2pt_unmap(&pt, ipa_of(first), n * S2PT_PAGE), 0);
		for (unsigned i = 0; i < n; i++)
			model[first + i].valid = false;
		break;
	case 2:
		assert_int_equal(s2pt_protect(&pt, ipa_of(first), n * S2PT_PAGE, perm), 0);
		for (unsigned i = 0; i < n; i++)
			model[first + i].perm = perm;
		break;
	case 3: {
		uint64_t accessed = 0, want = 0;

		assert_int_equal(s2pt_clear_af(&pt, ipa_of(first), n * S2PT_PAGE, &accessed), 0);
		for (unsigned i = 0; i < n; i++) {
			want += model[first + i].valid && model[first + i].af ? S2PT_PAGE : 0;
			model[first + i].af = false;
		}
		assert_int_equal(accessed, want);
		break;
	}
	case 4:
		assert_int_equal(s2pt_split(&pt, ipa_of(first) + rnd(4096)), 0);
		break;
	case 5: /* the access-flag fault: the whole leaf holding the page becomes accessed */
		assert_int_equal(s2pt_set_af(&pt, ipa_of(first) + rnd(4096)), model[first].valid);
		for (unsigned i = 0; model[first].valid && i < NPAGES; i++)
			if (before[i].valid && before[i].l.ipa == before[first].l.ipa)
				model[i].af = true;
		break;
	}
	check_after_op();
}

static void test_random_against_model(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 6; seed++) {
		srandom(seed);
		for (unsigned op = 0; op < 400; op++)
			random_op();
		/* Everything unmapped: the walk finds nothing, tables stay until freed. */
		snapshot(before);
		assert_int_equal(s2pt_unmap(&pt, BASE, NPAGES * S2PT_PAGE), 0);
		for (unsigned i = 0; i < NPAGES; i++)
			model[i].valid = false;
		check_after_op();
	}
}

/* What the fault path retries: the access the leaf now allows, with the access flag set. */
static void test_allows(void **state)
{
	struct s2pt_leaf l = {.perm = S2PT_R | S2PT_X, .af = true};

	(void)state;
	assert_true(s2pt_allows(&l, false, false));
	assert_true(s2pt_allows(&l, true, false));
	assert_false(s2pt_allows(&l, false, true));
	l.perm = S2PT_R | S2PT_W;
	assert_false(s2pt_allows(&l, true, false));
	assert_true(s2pt_allows(&l, false, true));
	l.af = false;
	assert_false(s2pt_allows(&l, false, false));
	assert_false(s2pt_allows(&l, false, true));
}

/* The descriptor translating ipa, read from the tables as the hardware walker would. */
static uint64_t raw_leaf(uint64_t ipa)
{
	uint64_t *t = root;

	for (int level = 1;; level++) {
		unsigned shift = 12 + 9 * (3 - level);
		uint64_t e = t[level == 1 ? (ipa >> shift) % 512 : (ipa >> shift) & 511];

		if (level == 3 || (e & 3) != 3)
			return e;
		t = (uint64_t *)(uintptr_t)(e & 0x0000fffffffff000ULL);
	}
}

#define MEMATTR(e) (((e) >> 2) & 0xf)
#define SH(e)	   (((e) >> 8) & 3)
#define XN(e)	   (((e) >> 53) & 3)

/* A passed-through device: MemAttr Device-nGnRE (0b0001), never executable even when asked,
 * as a page and as a block; a split and a protect keep the type; RAM stays write-back. */
static void test_device_memory(void **state)
{
	struct s2pt_leaf l;
	uint64_t e;

	(void)state;
	assert_int_equal(
	    s2pt_map(&pt, BASE, PA_BASE, 4096, S2PT_R | S2PT_W | S2PT_X | S2PT_DEV, true), 0);
	e = raw_leaf(BASE);
	assert_int_equal(MEMATTR(e), 0x1);
	assert_int_equal(XN(e), 2);
	assert_int_equal(SH(e), 0);
	assert_true(s2pt_lookup(&pt, BASE + 0x10, &l));
	assert_int_equal(l.perm, S2PT_R | S2PT_W | S2PT_DEV);
	assert_false(s2pt_allows(&l, true, false));
	assert_true(s2pt_allows(&l, false, true));

	/* RAM next to it keeps its normal write-back, inner shareable, executable type. */
	assert_int_equal(s2pt_map(&pt, BASE + 4096, PA_BASE + 4096, 4096, S2PT_R | S2PT_X, true),
			 0);
	e = raw_leaf(BASE + 4096);
	assert_int_equal(MEMATTR(e), 0xf);
	assert_int_equal(SH(e), 3);
	assert_int_equal(XN(e), 0);

	/* A block of device memory, split by a partial protect: all 512 pages stay devices. */
	assert_int_equal(s2pt_map(&pt, BASE + (2u << 20), PA_BASE + (2u << 20), 2u << 20,
				  S2PT_R | S2PT_DEV, true),
			 0);
	assert_true(s2pt_lookup(&pt, BASE + (2u << 20), &l));
	assert_int_equal(l.level, 2);
	assert_int_equal(MEMATTR(raw_leaf(BASE + (2u << 20))), 0x1);
	assert_int_equal(s2pt_protect(&pt, BASE + (2u << 20), 4096, S2PT_R | S2PT_W | S2PT_X), 0);
	for (unsigned i = 0; i < 512; i++) {
		e = raw_leaf(BASE + (2u << 20) + i * 4096ULL);
		assert_int_equal(MEMATTR(e), 0x1);
		assert_int_equal(XN(e), 2);
	}
	assert_true(s2pt_lookup(&pt, BASE + (2u << 20), &l));
	assert_int_equal(l.perm, S2PT_R | S2PT_W | S2PT_DEV);
	assert_true(s2pt_lookup(&pt, BASE + (2u << 20) + 4096, &l));
	assert_int_equal(l.perm, S2PT_R | S2PT_DEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_blocks_where_aligned, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_split_preserves, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_out_of_tables, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_invalid_args, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_random_against_model, setup, teardown),
	    cmocka_unit_test(test_allows),
	    cmocka_unit_test_setup_teardown(test_device_memory, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
