/* GICv3 encodings and the redistributor walk, over fake register frames in host memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arch/gicv3_regs.h>
#include <drivers/gicv3.h>

#define FRAME (64 * 1024)

static void test_mpidr_to_aff(void **state)
{
	(void)state;
	/* Aff3=0x12 Aff2=0x34 Aff1=0x56 Aff0=0x78, plus RES1 (31) and MT (24) to be ignored. */
	uint64_t mpidr = 0x12ull << 32 | 1u << 31 | 1u << 24 | 0x345678;

	assert_int_equal(gicv3_mpidr_to_aff(mpidr), 0x12345678);
	assert_true(gicv3_mpidr_to_irouter(mpidr) == 0x1200345678ull);
	assert_true(gicv3_mpidr_to_irouter(0) == 0);
}

static void test_sgi1r(void **state)
{
	(void)state;
	/* Aff3=1 Aff2=2 Aff1=3 Aff0=4: one target-list bit, no range selector. */
	uint64_t mpidr = 1ull << 32 | 2u << 16 | 3u << 8 | 4;
	uint64_t want = 1u << 4 | 3u << 16 | 5u << 24 | 2ull << 32 | 1ull << 48;

	assert_true(gicv3_sgi1r_value(5, mpidr) == want);
	/* Aff0 = 0x23: RS = 2 selects Aff0 32..47, target-list bit 3. */
	want = 1u << 3 | 15u << 24 | 2ull << 44;
	assert_true(gicv3_sgi1r_value(15, 0x23) == want);
	/* CPU 0 of cluster 0: just bit 0 and the INTID; IRM stays clear. */
	assert_true(gicv3_sgi1r_value(0, 0x80000000) == 1);
	assert_true((gicv3_sgi1r_value(1, 0xff) & ICC_SGI1R_IRM) == 0);
}

static void test_typer_nr_irqs(void **state)
{
	(void)state;
	assert_int_equal(gicv3_typer_nr_irqs(0), 32);
	assert_int_equal(gicv3_typer_nr_irqs(2), 96);
	assert_int_equal(gicv3_typer_nr_irqs(0xffffffe0u | 8), 288); /* other fields ignored */
	assert_int_equal(gicv3_typer_nr_irqs(31), 1020);	     /* 1024 capped */
}

/* Makes the redistributor whose RD frame is at mem + off. */
static void make_rd(uint8_t *mem, size_t off, uint32_t aff, uint64_t flags, unsigned archrev)
{
	uint64_t typer = (uint64_t)aff << 32 | flags;
	uint32_t pidr2 = archrev << 4;

	memcpy(mem + off + GICR_TYPER, &typer, sizeof(typer));
	memcpy(mem + off + GICR_PIDR2, &pidr2, sizeof(pidr2));
}

struct fake_gic {
	uint8_t *region[4];
	uint64_t base[4], size[4];
};

static int setup_fake(void **state)
{
	struct fake_gic *g = calloc(1, sizeof(*g));
	const uint64_t sizes[4] = {8 * FRAME, 8 * FRAME, 2 * FRAME, 4 * FRAME};

	for (int i = 0; i < 4; i++) {
		g->region[i] = aligned_alloc(FRAME, sizes[i]);
		memset(g->region[i], 0, sizes[i]);
		g->base[i] = (uintptr_t)g->region[i];
		g->size[i] = sizes[i];
	}
	/* 0: GICv3, three redistributors (0.0.0.0-2, Last on the third) and a stray fourth frame
	 * past Last that must never be read as a redistributor. */
	make_rd(g->region[0], 0 * FRAME, 0x000, 0, 3);
	make_rd(g->region[0], 2 * FRAME, 0x001, 0, 3);
	make_rd(g->region[0], 4 * FRAME, 0x002, GICR_TYPER_LAST, 3);
	make_rd(g->region[0], 6 * FRAME, 0x003, 0, 3);
	/* 1: GICv4 with VLPIS, four frames each: 0.0.1.0 and 0.0.1.1. */
	make_rd(g->region[1], 0 * FRAME, 0x100, GICR_TYPER_VLPIS | GICR_TYPER_PLPIS, 4);
	make_rd(g->region[1], 4 * FRAME, 0x101, GICR_TYPER_VLPIS | GICR_TYPER_LAST, 4);
	/* 2: not a GIC (ArchRev 0): skipped even though the affinity would match. */
	make_rd(g->region[2], 0, 0x007, GICR_TYPER_LAST, 0);
	/* 3: no Last bit anywhere: the region's size ends the walk. */
	make_rd(g->region[3], 0 * FRAME, 0x01000000, 0, 3);
	make_rd(g->region[3], 2 * FRAME, 0x01000001, 0, 3);
	*state = g;
	return 0;
}

static int teardown_fake(void **state)
{
	struct fake_gic *g = *state;

	for (int i = 0; i < 4; i++)
		free(g->region[i]);
	free(g);
	return 0;
}

static uintptr_t find(struct fake_gic *g, uint64_t mpidr)
{
	return gicv3_rdist_find(g->base, g->size, 4, mpidr);
}

static void test_rdist_find(void **state)
{
	struct fake_gic *g = *state;

	assert_true(find(g, 0) == g->base[0]);
	assert_true(find(g, 2) == g->base[0] + 4 * FRAME);
	assert_true(find(g, 0x80000000 | 0x100) == g->base[1]); /* MPIDR flag bits ignored */
	assert_true(find(g, 0x101) == g->base[1] + 4 * FRAME);	/* VLPIS: 4-frame stride */
	assert_true(find(g, 1ull << 32 | 1) == g->base[3] + 2 * FRAME);
	assert_true(find(g, 3) == 0); /* past Last */
	assert_true(find(g, 7) == 0); /* only in a non-GIC region */
	assert_true(find(g, 0x55) == 0);
}

static void test_rdist_find_bounds(void **state)
{
	struct fake_gic *g = *state;
	uint64_t small = FRAME; /* smaller than one redistributor: ignored */

	assert_true(gicv3_rdist_find(g->base, &small, 1, 0) == 0);
	assert_true(gicv3_rdist_find(g->base, g->size, 0, 0) == 0);
	/* The same region cut after its first redistributor hides the second. */
	uint64_t cut = 2 * FRAME;

	assert_true(gicv3_rdist_find(&g->base[1], &cut, 1, 0x101) == 0);
	assert_true(gicv3_rdist_find(&g->base[1], &cut, 1, 0x100) == g->base[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_mpidr_to_aff),
	    cmocka_unit_test(test_sgi1r),
	    cmocka_unit_test(test_typer_nr_irqs),
	    cmocka_unit_test_setup_teardown(test_rdist_find, setup_fake, teardown_fake),
	    cmocka_unit_test_setup_teardown(test_rdist_find_bounds, setup_fake, teardown_fake),
	};

	return cmocka_run_group_tests_name("gicv3", tests, NULL, NULL);
}
