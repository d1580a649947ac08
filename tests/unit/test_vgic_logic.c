/* The vGIC's pure helpers: register-table lookup, list order, LR encode/fold, routing, SGIs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "../../zvm/vdev/vgic_internal.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct vgic_reg table[] = {
    {0x000, 4, 0, VGIC_W32, NULL, NULL},
    {0x008, 8, 0, VGIC_W32 | VGIC_W64, NULL, NULL},
    {0x100, 0x80, 1, VGIC_W32, NULL, NULL},
    {0x400, 0x20, 8, VGIC_W8 | VGIC_W32, NULL, NULL},
};

static void test_reg_find(void **state)
{
	(void)state;
	assert_ptr_equal(vgic_reg_find(table, N(table), 0x0, 4), &table[0]);
	assert_ptr_equal(vgic_reg_find(table, N(table), 0x8, 8), &table[1]);
	assert_ptr_equal(vgic_reg_find(table, N(table), 0xc, 4), &table[1]); /* upper half */
	assert_ptr_equal(vgic_reg_find(table, N(table), 0x17c, 4), &table[2]);
	assert_ptr_equal(vgic_reg_find(table, N(table), 0x41f, 1), &table[3]);
	assert_ptr_equal(vgic_reg_find(table, N(table), 0x41c, 4), &table[3]);

	/* A width the register does not allow, a hole, past the end: none. */
	assert_null(vgic_reg_find(table, N(table), 0x0, 1));
	assert_null(vgic_reg_find(table, N(table), 0x0, 8));
	assert_null(vgic_reg_find(table, N(table), 0x100, 2));
	assert_null(vgic_reg_find(table, N(table), 0x4, 4));
	assert_null(vgic_reg_find(table, N(table), 0x180, 4));
	assert_null(vgic_reg_find(table, N(table), 0x420, 4));
	assert_null(vgic_reg_find(table, N(table), 0xfffffffffff0ull, 8));
	assert_null(vgic_reg_find(table + 2, 2, 0x10, 4)); /* below the first entry */
	assert_null(vgic_reg_find(NULL, 0, 0x10, 4));

	/* Unaligned or impossible sizes find nothing, and the access check refuses them (the
	 * guest gets an abort). */
	assert_null(vgic_reg_find(table, N(table), 0x2, 4));
	assert_null(vgic_reg_find(table, N(table), 0xc, 8));
	assert_null(vgic_reg_find(table, N(table), 0x0, 3));
	assert_null(vgic_reg_find(table, N(table), 0x0, 0));
	assert_null(vgic_reg_find(table, N(table), 0x0, 16));
	assert_false(vgic_access_ok(0x2, 4));
	assert_false(vgic_access_ok(0xc, 8));
	assert_false(vgic_access_ok(0x0, 3));
	assert_false(vgic_access_ok(0x0, 0));
	assert_false(vgic_access_ok(0x0, 16));
	assert_true(vgic_access_ok(0x3, 1));
	assert_true(vgic_access_ok(0x6, 2));
	assert_true(vgic_access_ok(0x8, 8));
}

/* Whatever the hint (stale or right), the answer is the unhinted one, and a hit becomes the
 * next hint. */
static void test_frame_find(void **state)
{
	static const unsigned sizes[] = {0, 1, 2, 3, 4, 8, 16};

	(void)state;
	for (unsigned hint0 = 0; hint0 < N(table); hint0++)
		for (uint64_t off = 0; off < 0x480; off++)
			for (unsigned i = 0; i < N(sizes); i++) {
				struct vgic_frame f = {table, N(table), hint0};
				const struct vgic_reg *want =
				    vgic_reg_find(table, N(table), off, sizes[i]);

				const struct vgic_reg *hit = vgic_frame_hit(&f, off, sizes[i]);

				assert_true(!hit || hit == want);
				assert_ptr_equal(vgic_frame_find(&f, off, sizes[i]), want);
				assert_int_equal(f.hint, want ? (unsigned)(want - table) : hint0);
			}
}

static void test_regs_valid(void **state)
{
	(void)state;
	assert_true(vgic_regs_valid(table, N(table)));
	assert_true(vgic_regs_valid(NULL, 0));

	const struct vgic_reg unsorted[] = {
	    {0x100, 4, 0, VGIC_W32, NULL, NULL},
	    {0x000, 4, 0, VGIC_W32, NULL, NULL},
	};
	const struct vgic_reg overlap[] = {
	    {0x000, 8, 0, VGIC_W32, NULL, NULL},
	    {0x004, 4, 0, VGIC_W32, NULL, NULL},
	};
	const struct vgic_reg too_wide[] = {{0x000, 4, 0, VGIC_W64, NULL, NULL}};
	const struct vgic_reg misaligned[] = {{0x004, 8, 0, VGIC_W64, NULL, NULL}};
	const struct vgic_reg no_width[] = {{0x000, 4, 0, 0, NULL, NULL}};
	const struct vgic_reg bad_width[] = {{0x000, 4, 0, VGIC_W32 | 0x10, NULL, NULL}};

	assert_false(vgic_regs_valid(unsorted, 2));
	assert_false(vgic_regs_valid(overlap, 2));
	assert_false(vgic_regs_valid(too_wide, 1));
	assert_false(vgic_regs_valid(misaligned, 1));
	assert_false(vgic_regs_valid(no_width, 1));
	assert_false(vgic_regs_valid(bad_width, 1));
}

static void test_list_order(void **state)
{
	(void)state;
	struct vgic_irq irqs[5] = {0};
	const uint8_t prio[5] = {0xa0, 0x80, 0xa0, 0x00, 0xff};
	const uint16_t intid[5] = {40, 41, 33, 27, 1};
	struct vgic_irq *head = NULL;

	for (unsigned i = 0; i < 5; i++) {
		irqs[i].priority = prio[i];
		irqs[i].intid = intid[i];
		vgic_list_insert(&head, &irqs[i]);
	}
	/* Most urgent first; equal priorities by INTID. */
	const uint16_t want[5] = {27, 41, 33, 40, 1};
	unsigned n = 0;

	for (struct vgic_irq *p = head; p; p = p->next)
		assert_int_equal(p->intid, want[n++]);
	assert_int_equal(n, 5);

	assert_true(vgic_list_remove(&head, &irqs[2]));	 /* 33, middle */
	assert_false(vgic_list_remove(&head, &irqs[2])); /* not there any more */
	assert_true(vgic_list_remove(&head, &irqs[3]));	 /* 27, head */
	assert_int_equal(head->intid, 41);
	assert_int_equal(head->next->intid, 40);
	assert_int_equal(head->next->next->intid, 1);
	assert_null(head->next->next->next);
}

static void test_lr_populate(void **state)
{
	(void)state;
	struct vgic_irq irq = {.intid = 42, .priority = 0xa0, .edge = true, .latch = true};
	uint64_t lr = vgic_lr_populate(&irq, 3, true, false);

	assert_true((lr & ICH_LR_VINTID_MASK) == 42);
	assert_true((lr & ICH_LR_PRIORITY_MASK) >> ICH_LR_PRIORITY_SHIFT == 0xa0);
	assert_true(lr & ICH_LR_GROUP);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING);
	assert_false(lr & (ICH_LR_HW | ICH_LR_EOI));
	assert_false(irq.latch); /* consumed into the LR */
	assert_true(irq.in_lr && irq.lr_pending);
	assert_int_equal(irq.lr, 3);

	/* Level: EOI maintenance to resample the line; the line is not consumed. */
	struct vgic_irq lvl = {.intid = 50, .line = true};

	lr = vgic_lr_populate(&lvl, 0, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING);
	assert_true(lr & ICH_LR_EOI);
	assert_true(lvl.line);

	/* Level pended by ISPENDR with the line low: nothing to resample. */
	struct vgic_irq sw = {.intid = 51, .latch = true};

	lr = vgic_lr_populate(&sw, 0, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING);
	assert_false(lr & ICH_LR_EOI);
	assert_true(sw.latch); /* a level latch is used up by the acknowledge, not here */

	/* Active and pending again. */
	struct vgic_irq ap = {.intid = 3, .edge = true, .latch = true, .active = true};

	lr = vgic_lr_populate(&ap, 1, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == (ICH_LR_STATE_PENDING | ICH_LR_STATE_ACTIVE));

	/* Level, active with the line still high: active only, with the EOI bit, so the line is
	 * looked at again after the deactivation; an ISPENDR latch held back stays ours. */
	struct vgic_irq alv = {.intid = 52, .line = true, .latch = true, .active = true};

	lr = vgic_lr_populate(&alv, 2, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_ACTIVE);
	assert_true(lr & ICH_LR_EOI);
	assert_false(alv.lr_pending);
	vgic_lr_fold(&alv, lr & ~ICH_LR_STATE_MASK); /* deactivated */
	assert_false(alv.active);
	assert_true(alv.latch);
	struct vgic_irq als = {.intid = 53, .latch = true, .active = true};

	lr = vgic_lr_populate(&als, 2, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_ACTIVE);
	assert_true(lr & ICH_LR_EOI); /* the latch alone also asks to be looked at */

	/* Disabled while active: only the active state goes in, the latch stays. */
	struct vgic_irq dis = {.intid = 4, .edge = true, .latch = true, .active = true};

	lr = vgic_lr_populate(&dis, 1, false, true);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_ACTIVE);
	assert_true(lr & ICH_LR_EOI);
	assert_true(dis.latch);
	assert_false(dis.lr_pending);
}

static void test_lr_fold(void **state)
{
	(void)state;
	struct vgic_irq irq = {.intid = 42, .edge = true, .latch = true};
	uint64_t lr = vgic_lr_populate(&irq, 0, true, false);

	/* Not taken yet: the pending state comes back to the latch. */
	vgic_lr_fold(&irq, lr);
	assert_true(irq.latch && !irq.active && !irq.in_lr);

	/* Acknowledged: active, no longer pending. */
	lr = vgic_lr_populate(&irq, 0, true, false);
	vgic_lr_fold(&irq, (lr & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE);
	assert_true(irq.active && !irq.latch);

	/* A new edge while active, then deactivated: pending once more. */
	lr = vgic_lr_populate(&irq, 0, true, false);
	irq.latch = true;
	vgic_lr_fold(&irq, lr & ~ICH_LR_STATE_MASK);
	assert_true(!irq.active && irq.latch);

	/* ICPENDR while in the LR: the LR's pending state is dropped. */
	irq.latch = true;
	lr = vgic_lr_populate(&irq, 0, true, false);
	irq.drop_lr_pending = true;
	vgic_lr_fold(&irq, lr);
	assert_false(irq.latch);
	assert_false(irq.drop_lr_pending);

	/* ICACTIVER while in the LR: the fold keeps our inactive state. */
	irq.latch = true;
	lr = vgic_lr_populate(&irq, 0, true, false);
	irq.keep_active = true;
	vgic_lr_fold(&irq, (lr & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE);
	assert_false(irq.active);

	/* Level, deactivated with the line still high: pending again through the line. */
	struct vgic_irq lvl = {.intid = 50, .line = true, .latch = true};

	lr = vgic_lr_populate(&lvl, 0, true, false);
	vgic_lr_fold(&lvl, lr & ~ICH_LR_STATE_MASK);
	assert_false(lvl.latch); /* the ISPENDR latch was used up */
	assert_true(vgic_irq_pending(&lvl));
	lvl.line = false;
	assert_false(vgic_irq_pending(&lvl));
}

/* A passed-through SPI (HW-linked, level-configured by the guest): the LR carries HW and the
 * physical INTID, never the EOI bit (bit 41 is the physical INTID's there); each physical
 * firing is one latch, consumed into the LR and back to the latch when not yet taken; it is
 * never offered pending while the guest has it active. */
static void test_lr_hw(void **state)
{
	(void)state;
	struct vgic_irq irq = {
	    .intid = 34, .priority = 0xa0, .hw = true, .pintid = 546, .latch = true, .line = false};
	uint64_t lr = vgic_lr_populate(&irq, 0, true, true);

	assert_true(lr & ICH_LR_HW);
	assert_int_equal((lr & ICH_LR_PINTID_MASK) >> ICH_LR_PINTID_SHIFT, 546);
	assert_int_equal(lr & ICH_LR_VINTID_MASK, 34);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING);
	assert_false(irq.latch); /* consumed, although the guest configured it level */
	/* Not taken yet: pending again in software. */
	vgic_lr_fold(&irq, lr);
	assert_true(irq.latch && !irq.active);
	/* Taken: active; the guest's deactivation is the physical one, nothing stays pending. */
	lr = vgic_lr_populate(&irq, 0, true, false);
	vgic_lr_fold(&irq, (lr & ~ICH_LR_STATE_MASK) | ICH_LR_STATE_ACTIVE);
	assert_true(irq.active && !irq.latch);
	lr = vgic_lr_populate(&irq, 0, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_ACTIVE);
	assert_true(lr & ICH_LR_HW);
	vgic_lr_fold(&irq, lr & ~ICH_LR_STATE_MASK);
	assert_false(irq.active || irq.latch || vgic_irq_pending(&irq));
	/* Active with a latch (an ISPENDR): active only, no pending+active with HW. */
	irq.active = true;
	irq.latch = true;
	lr = vgic_lr_populate(&irq, 0, true, false);
	assert_true((lr & ICH_LR_STATE_MASK) == ICH_LR_STATE_ACTIVE);
	assert_true(irq.latch);
}

static void test_hcr_value(void **state)
{
	(void)state;
	assert_true(vgic_hcr_value(false, false) == ICH_HCR_EN);
	assert_true(vgic_hcr_value(false, true) == ICH_HCR_EN);
	assert_true(vgic_hcr_value(true, true) == (ICH_HCR_EN | ICH_HCR_NPIE));
	assert_true(vgic_hcr_value(true, false) == ICH_HCR_EN); /* EOI bits do the work */
}

static void test_prio_mask(void **state)
{
	(void)state;
	assert_int_equal(vgic_prio_mask(0xff, 5), 0xf8);
	assert_int_equal(vgic_prio_mask(0xa7, 4), 0xa0);
	assert_int_equal(vgic_prio_mask(0xa7, 8), 0xa7);
	assert_int_equal(vgic_prio_mask(0xa7, 0), 0);
}

static void test_route(void **state)
{
	(void)state;
	const uint32_t present = 0xb; /* vCPUs 0, 1 and 3 */

	assert_int_equal(vgic_route(0x0, present), 0);
	assert_int_equal(vgic_route(0x1, present), 1);
	assert_int_equal(vgic_route(0x3, present), 3);
	assert_int_equal(vgic_route(0x2, present), -1);		   /* absent vCPU */
	assert_int_equal(vgic_route(0x20, present), -1);	   /* beyond any id */
	assert_int_equal(vgic_route(0x100, present), -1);	   /* Aff1 names nobody */
	assert_int_equal(vgic_route(0x100000001ull, present), -1); /* nor does Aff3 */
	assert_int_equal(vgic_route(0x10000, present), -1);	   /* nor Aff2 */
	assert_int_equal(vgic_route(GICD_IROUTER_IRM | 0x2, present), 0);
	assert_int_equal(vgic_route(GICD_IROUTER_IRM, 0xc), 2); /* first present */
	assert_int_equal(vgic_route(0x0, 0), -1);
	assert_int_equal(vgic_route(GICD_IROUTER_IRM, 0), -1);
}

static uint64_t sgi1r(unsigned intid, uint64_t aff3, uint64_t aff2, uint64_t aff1, uint64_t rs,
		      uint64_t list)
{
	return list | aff1 << ICC_SGI1R_AFF1_SHIFT | (uint64_t)intid << ICC_SGI1R_INTID_SHIFT |
	       aff2 << ICC_SGI1R_AFF2_SHIFT | rs << ICC_SGI1R_RS_SHIFT |
	       aff3 << ICC_SGI1R_AFF3_SHIFT;
}

static void test_sgi1r_targets(void **state)
{
	(void)state;
	const uint32_t present = 0x1b; /* vCPUs 0, 1, 3 and 4 */

	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 0, 0, 0x2), present, 0), 0x2);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 0, 0, 0x3), present, 0), 0x3);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 0, 0, 0x4), present, 0), 0);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 0, 0, 0xfffe), present, 0), 0x1a);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 1, 0, 0x8), present, 0), 0);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 0, 0, 1, 0x1), present, 0), 0);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 0, 1, 0, 0, 0x3), present, 0), 0);
	assert_int_equal(vgic_sgi1r_targets(sgi1r(1, 1, 0, 0, 0, 0x3), present, 0), 0);
	/* IRM: everyone present but the sender, whatever the other fields say. */
	assert_int_equal(vgic_sgi1r_targets(ICC_SGI1R_IRM | 0x1, present, 1), 0x19);
	assert_int_equal(vgic_sgi1r_targets(ICC_SGI1R_IRM, 0x3, 0), 0x2);
	assert_int_equal(vgic_sgi1r_targets(ICC_SGI1R_IRM, 0x1, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_reg_find),   cmocka_unit_test(test_regs_valid),
	    cmocka_unit_test(test_list_order), cmocka_unit_test(test_lr_populate),
	    cmocka_unit_test(test_lr_fold),    cmocka_unit_test(test_lr_hw),
	    cmocka_unit_test(test_hcr_value),  cmocka_unit_test(test_prio_mask),
	    cmocka_unit_test(test_route),      cmocka_unit_test(test_sgi1r_targets),
	    cmocka_unit_test(test_frame_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
