/* Host I/O scheduler: order by VM priority, then ioprio class and level; round robin among
 * equal VMs; FIFO within a class; merging (back, front, capped, never across ops, VMs or a
 * FLUSH); FLUSH as a barrier; queue removal; pool exhaustion; and a randomized run against
 * the reference model of test_iosched_model.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <cmocka.h>

#include "test_iosched_model.h"

#define RT(l)	IOPRIO_PRIO(IOPRIO_CLASS_RT, l)
#define BE(l)	IOPRIO_PRIO(IOPRIO_CLASS_BE, l)
#define IDLE(l) IOPRIO_PRIO(IOPRIO_CLASS_IDLE, l)

static struct iosched s;
static struct iosched_queue qa, qb, qc;
static struct iosched_req pa[8], pb[8], pc[8];
static int cookies[64];
static int done_count, done_status;

static void on_done(struct iosched_req *r, int status, void *arg)
{
	(void)r;
	(void)arg;
	done_count++;
	done_status = status;
}

static void setup3(unsigned prio_a, unsigned prio_b, unsigned prio_c)
{
	iosched_init(&s, 64);
	assert_int_equal(iosched_queue_add(&s, &qa, prio_a, pa, 8), 0);
	assert_int_equal(iosched_queue_add(&s, &qb, prio_b, pb, 8), 0);
	assert_int_equal(iosched_queue_add(&s, &qc, prio_c, pc, 8), 0);
	done_count = 0;
}

static void sub(struct iosched_queue *q, enum iosched_op op, uint64_t sec, uint32_t nr,
		uint16_t prio, int id)
{
	assert_int_equal(iosched_submit(&s, q, op, sec, nr, prio, &cookies[id]), 0);
}

/* Dispatches and completes the next unit; returns its first member's id. */
static int take(void)
{
	struct iosched_queue *peeked = iosched_peek(&s);
	const struct iosched_req *unit = iosched_peek_unit(&s);
	struct iosched_req *u = iosched_next(&s);

	assert_non_null(u);
	assert_ptr_equal(peeked, u->q); /* peek names the queue next takes from */
	assert_ptr_equal(unit, u);	/* and the unit */
	int id = (int)((int *)u->mfirst->cookie - cookies);
	iosched_complete(&s, u, 0, on_done, NULL);
	return id;
}

static void test_vm_priority_first(void **state)
{
	(void)state;
	setup3(10, 3, 20);
	sub(&qa, IOSCHED_IN, 0, 8, RT(0), 1);
	sub(&qc, IOSCHED_IN, 100, 8, RT(0), 3);
	sub(&qb, IOSCHED_IN, 200, 8, IDLE(7), 2); /* urgent VM, humble request: still first */
	assert_int_equal(take(), 2);
	assert_int_equal(take(), 1);
	assert_int_equal(take(), 3);
	assert_null(iosched_peek(&s));
	assert_null(iosched_next(&s));
}

static void test_ioprio_class_then_level(void **state)
{
	(void)state;
	setup3(5, 5, 5);
	sub(&qa, IOSCHED_IN, 0, 8, IDLE(0), 1);
	sub(&qa, IOSCHED_IN, 100, 8, BE(5), 2);
	sub(&qa, IOSCHED_IN, 200, 8, 0, 3); /* NONE: BE level 4 */
	sub(&qa, IOSCHED_IN, 300, 8, RT(3), 4);
	sub(&qa, IOSCHED_IN, 400, 8, RT(1), 5);
	sub(&qa, IOSCHED_IN, 500, 8, BE(0), 6);
	sub(&qa, IOSCHED_IN, 600, 8, IOPRIO_PRIO(6, 0), 7); /* invalid class: BE 4, after 3 */
	const int want[] = {5, 4, 6, 3, 7, 2, 1};
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(take(), want[i]);
}

static void test_round_robin_among_equals(void **state)
{
	(void)state;
	setup3(7, 7, 7);
	for (int i = 0; i < 3; i++) {
		sub(&qa, IOSCHED_IN, 1000 * i, 8, BE(4), 10 + i);
		sub(&qb, IOSCHED_IN, 1000 * i, 8, BE(4), 20 + i);
	}
	sub(&qc, IOSCHED_IN, 0, 8, RT(0), 30);
	int a = 0, b = 0, c = 0;
	for (int n = 0; n < 7; n++) {
		int id = take();
		a += id / 10 == 1;
		b += id / 10 == 2;
		c += id / 10 == 3;
		/* After each full turn no VM is ahead by more than one unit. */
		assert_true(abs(a - b) <= 1);
	}
	assert_int_equal(a + b + c, 7);
	assert_int_equal(c, 1);
}

static void test_fifo_within_class(void **state)
{
	(void)state;
	setup3(5, 6, 7);
	sub(&qa, IOSCHED_OUT, 900, 8, BE(2), 1);
	sub(&qa, IOSCHED_OUT, 100, 8, BE(2), 2);
	sub(&qa, IOSCHED_OUT, 500, 8, BE(2), 3);
	assert_int_equal(take(), 1);
	assert_int_equal(take(), 2);
	assert_int_equal(take(), 3);
}

static void test_merge_back_and_front(void **state)
{
	(void)state;
	setup3(5, 6, 7);
	sub(&qa, IOSCHED_IN, 100, 8, BE(4), 1);
	sub(&qa, IOSCHED_IN, 108, 8, BE(4), 2); /* back */
	sub(&qa, IOSCHED_IN, 92, 8, BE(4), 3);	/* front */
	struct iosched_req *u = iosched_next(&s);
	assert_non_null(u);
	assert_int_equal(u->u_sector, 92);
	assert_int_equal(u->u_nr_sectors, 24);
	assert_int_equal(u->u_members, 3);
	assert_ptr_equal(u->mfirst->cookie, &cookies[3]);
	assert_ptr_equal(u->mfirst->mnext->cookie, &cookies[1]);
	assert_ptr_equal(u->mfirst->mnext->mnext->cookie, &cookies[2]);
	assert_null(iosched_next(&s));
	iosched_complete(&s, u, 0, on_done, NULL);
	assert_int_equal(done_count, 3); /* each original request completes */
}

static void test_merge_size_cap(void **state)
{
	(void)state;
	setup3(5, 6, 7);
	sub(&qa, IOSCHED_IN, 0, 32, BE(4), 1);
	sub(&qa, IOSCHED_IN, 32, 32, BE(4), 2); /* 64: exactly the cap */
	sub(&qa, IOSCHED_IN, 64, 8, BE(4), 3);	/* would be 72 */
	struct iosched_req *u = iosched_next(&s);
	assert_int_equal(u->u_nr_sectors, 64);
	assert_int_equal(u->u_members, 2);
	iosched_complete(&s, u, 0, on_done, NULL);
	u = iosched_next(&s);
	assert_int_equal(u->u_sector, 64);
	assert_int_equal(u->u_members, 1);
}

static void test_no_merge_across_op_owner_prio_flush(void **state)
{
	(void)state;
	setup3(5, 5, 7);
	sub(&qa, IOSCHED_IN, 0, 8, BE(4), 1);
	sub(&qa, IOSCHED_OUT, 8, 8, BE(4), 2);	     /* other op */
	sub(&qb, IOSCHED_OUT, 16, 8, BE(4), 3);	     /* other VM */
	sub(&qa, IOSCHED_OUT, 16, 8, BE(3), 4);	     /* other level */
	sub(&qa, IOSCHED_DISCARD, 100, 8, BE(4), 5); /* not a read or write */
	sub(&qa, IOSCHED_DISCARD, 108, 8, BE(4), 6);
	sub(&qa, IOSCHED_FLUSH, 0, 0, BE(4), 7);
	sub(&qa, IOSCHED_DISCARD, 116, 8, BE(4), 8);
	sub(&qa, IOSCHED_OUT, 24, 8, BE(4), 9); /* adjacent to 4/2 but behind the FLUSH */
	struct iosched_req *u;
	int n = 0;
	while ((u = iosched_next(&s))) {
		assert_int_equal(u->u_members, 1);
		iosched_complete(&s, u, 0, on_done, NULL);
		n++;
	}
	assert_int_equal(n, 9);
}

static void test_flush_is_a_barrier(void **state)
{
	(void)state;
	setup3(5, 6, 7);
	sub(&qa, IOSCHED_OUT, 0, 8, IDLE(7), 1);
	sub(&qa, IOSCHED_FLUSH, 0, 0, BE(4), 2);
	sub(&qa, IOSCHED_OUT, 100, 8, RT(0), 3); /* more urgent, still after the FLUSH */
	sub(&qb, IOSCHED_IN, 0, 8, BE(4), 4);	 /* other VMs are not held */
	struct iosched_req *w = iosched_next(&s);
	assert_ptr_equal(w->cookie, &cookies[1]);
	/* The FLUSH waits for the write to complete; the other VM goes meanwhile. */
	struct iosched_req *o = iosched_next(&s);
	assert_ptr_equal(o->cookie, &cookies[4]);
	assert_null(iosched_next(&s));
	iosched_complete(&s, w, 0, on_done, NULL);
	struct iosched_req *f = iosched_next(&s);
	assert_ptr_equal(f->cookie, &cookies[2]);
	sub(&qa, IOSCHED_OUT, 200, 8, RT(0), 5);
	assert_null(iosched_peek(&s));
	assert_null(iosched_next(&s)); /* nothing of A while the FLUSH is in flight */
	iosched_complete(&s, f, 0, on_done, NULL);
	assert_int_equal(take(), 3);
	assert_int_equal(take(), 5);
	iosched_complete(&s, o, 0, on_done, NULL);
	assert_int_equal(done_count, 5);
}

static void test_remove_cancels_everything(void **state)
{
	(void)state;
	setup3(5, 5, 7);
	sub(&qa, IOSCHED_IN, 0, 8, BE(4), 1);
	struct iosched_req *u = iosched_next(&s); /* in flight */
	sub(&qa, IOSCHED_IN, 100, 8, BE(4), 2);
	sub(&qa, IOSCHED_IN, 108, 8, BE(4), 3);
	sub(&qa, IOSCHED_FLUSH, 0, 0, BE(4), 4);
	sub(&qa, IOSCHED_IN, 300, 8, RT(0), 5);
	sub(&qb, IOSCHED_IN, 0, 8, BE(4), 6);
	assert_int_equal(iosched_queue_remove(&s, &qa, on_done, NULL), 1);
	assert_int_equal(done_count, 4);
	assert_int_equal(done_status, -ECANCELED);
	assert_int_equal(iosched_submit(&s, &qa, IOSCHED_IN, 0, 8, 0, NULL), -ENODEV);
	assert_int_equal(take(), 6); /* only B is left */
	assert_null(iosched_next(&s));
	iosched_complete(&s, u, 0, on_done, NULL);
	assert_int_equal(done_count, 6);
	assert_int_equal(qa.inflight, 0);
	assert_null(iosched_next(&s));
}

static void test_pool_exhaustion_and_bad_input(void **state)
{
	(void)state;
	setup3(5, 6, 7);
	for (int i = 0; i < 8; i++)
		sub(&qa, IOSCHED_IN, 1000 * i, 8, BE(4), i);
	assert_int_equal(iosched_submit(&s, &qa, IOSCHED_IN, 0, 8, 0, NULL), -EAGAIN);
	assert_int_equal(iosched_submit(&s, &qb, IOSCHED_IN, 0, 0, 0, NULL), -EINVAL);
	assert_int_equal(iosched_submit(&s, &qb, IOSCHED_IN, UINT64_MAX - 3, 8, 0, NULL), -EINVAL);
	assert_int_equal(iosched_submit(&s, &qb, (enum iosched_op)9, 0, 8, 0, NULL), -EINVAL);
	assert_int_equal(iosched_queue_add(&s, &qc, IOSCHED_PRIOS, pc, 8), -EINVAL);
	take();
	sub(&qa, IOSCHED_IN, 0, 8, BE(4), 9); /* a completion frees a slot */
}

static void test_random_against_model(void **state)
{
	static struct model m;

	(void)state;
	srand(1);
	for (int run = 0; run < 300; run++) {
		uint8_t prios[M_QUEUES];
		for (int i = 0; i < M_QUEUES; i++)
			prios[i] = (uint8_t)rand();
		m_init(&m, prios, 8 + rand() % 64);
		for (int step = 0; step < 600 && !m.bad; step++) {
			int r = rand();
			m_step(&m, (uint8_t)r, (uint8_t)(r >> 8), (uint8_t)(r >> 16));
		}
		m_finish(&m);
		assert_false(m.bad);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_vm_priority_first),
	    cmocka_unit_test(test_ioprio_class_then_level),
	    cmocka_unit_test(test_round_robin_among_equals),
	    cmocka_unit_test(test_fifo_within_class),
	    cmocka_unit_test(test_merge_back_and_front),
	    cmocka_unit_test(test_merge_size_cap),
	    cmocka_unit_test(test_no_merge_across_op_owner_prio_flush),
	    cmocka_unit_test(test_flush_is_a_barrier),
	    cmocka_unit_test(test_remove_cancels_everything),
	    cmocka_unit_test(test_pool_exhaustion_and_bad_input),
	    cmocka_unit_test(test_random_against_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
