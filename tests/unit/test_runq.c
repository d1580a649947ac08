/* Run queues and sorted wait lists: pick order, FIFO and round robin within a level, removal,
 * iteration, and a random workload checked against a simple model. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <kernel/runq.h>

#define LAST CONFIG_NUM_PRIORITIES

static struct rq_node *node(struct rq_node *n, int prio)
{
	memset(n, 0, sizeof(*n));
	n->prio = prio;
	return n;
}

/* Pops everything in pick order into out[]; returns how many. */
static unsigned drain(struct runq *q, struct rq_node **out, unsigned max)
{
	unsigned k = 0;
	struct rq_node *n;

	while ((n = runq_best(q)) && k < max) {
		runq_remove(q, n);
		assert_false(rq_node_linked(n));
		out[k++] = n;
	}
	return k;
}

static void test_empty(void **state)
{
	struct runq q;

	(void)state;
	runq_init(&q);
	assert_null(runq_best(&q));
	assert_int_equal(runq_best_prio(&q), LAST);
	assert_int_equal(runq_count(&q), 0);
}

static void test_most_urgent_first(void **state)
{
	struct runq q;
	struct rq_node n[5], *out[5];
	const int prios[5] = {7, LAST - 1, 0, 7, 3};

	(void)state;
	runq_init(&q);
	for (int i = 0; i < 5; i++)
		runq_add(&q, node(&n[i], prios[i]));
	assert_int_equal(runq_count(&q), 5);
	assert_int_equal(runq_best_prio(&q), 0);
	assert_ptr_equal(runq_best(&q), &n[2]);

	assert_int_equal(drain(&q, out, 5), 5);
	assert_ptr_equal(out[0], &n[2]); /* 0 */
	assert_ptr_equal(out[1], &n[4]); /* 3 */
	assert_ptr_equal(out[2], &n[0]); /* 7, added first */
	assert_ptr_equal(out[3], &n[3]); /* 7 */
	assert_ptr_equal(out[4], &n[1]); /* least urgent level */
	assert_int_equal(runq_count(&q), 0);
	assert_int_equal(runq_best_prio(&q), LAST);
}

static void test_add_head_keeps_turn(void **state)
{
	struct runq q;
	struct rq_node a, b, c, *out[3];

	(void)state;
	runq_init(&q);
	runq_add(&q, node(&a, 5));
	runq_add(&q, node(&b, 5));
	runq_add_head(&q, node(&c, 5)); /* a preempted thread goes back in front */
	assert_int_equal(drain(&q, out, 3), 3);
	assert_ptr_equal(out[0], &c);
	assert_ptr_equal(out[1], &a);
	assert_ptr_equal(out[2], &b);
}

/* Taking the best and adding it back at the tail cycles through one level and leaves the other
 * levels alone. */
static void test_round_robin(void **state)
{
	struct runq q;
	struct rq_node n[3], low;

	(void)state;
	runq_init(&q);
	runq_add(&q, node(&low, 9));
	for (int i = 0; i < 3; i++)
		runq_add(&q, node(&n[i], 4));
	for (int round = 0; round < 7; round++) {
		struct rq_node *b = runq_best(&q);

		assert_ptr_equal(b, &n[round % 3]);
		runq_remove(&q, b);
		runq_add(&q, b);
		assert_int_equal(runq_count(&q), 4);
	}
	/* Removing the whole level exposes the next one. */
	for (int i = 0; i < 3; i++)
		runq_remove(&q, &n[i]);
	assert_ptr_equal(runq_best(&q), &low);
	assert_int_equal(runq_best_prio(&q), 9);
}

static void test_remove_middle_and_level_bit(void **state)
{
	struct runq q;
	struct rq_node a, b, c, d;

	(void)state;
	runq_init(&q);
	runq_add(&q, node(&a, 2));
	runq_add(&q, node(&b, 2));
	runq_add(&q, node(&c, 2));
	runq_add(&q, node(&d, 6));
	runq_remove(&q, &b);
	assert_ptr_equal(runq_best(&q), &a);
	assert_ptr_equal(runq_next(&q, &a), &c);
	runq_remove(&q, &a);
	runq_remove(&q, &c);
	/* Level 2 is empty now: its bitmap bit must be gone. */
	assert_int_equal(runq_best_prio(&q), 6);
	assert_ptr_equal(runq_best(&q), &d);
	assert_int_equal(runq_count(&q), 1);
}

static void test_iterate_pick_order(void **state)
{
	struct runq q;
	struct rq_node n[6];
	const int prios[6] = {LAST - 1, 3, 0, 3, 17, 0};
	const int order[6] = {2, 5, 1, 3, 4, 0};
	unsigned k = 0;

	(void)state;
	runq_init(&q);
	for (int i = 0; i < 6; i++)
		runq_add(&q, node(&n[i], prios[i]));
	for (struct rq_node *it = runq_best(&q); it; it = runq_next(&q, it)) {
		assert_true(k < 6);
		assert_ptr_equal(it, &n[order[k]]);
		k++;
	}
	assert_int_equal(k, 6);
	/* The walk does not change the queue. */
	assert_int_equal(runq_count(&q), 6);
	assert_ptr_equal(runq_best(&q), &n[2]);
}

/* Random adds (head or tail), removals and pops compared with a model: per level an array in FIFO
 * order. */
#define MODEL_N 64
struct model {
	struct rq_node *lv[CONFIG_NUM_PRIORITIES][MODEL_N];
	unsigned len[CONFIG_NUM_PRIORITIES];
};

static void model_add(struct model *m, struct rq_node *n, int head)
{
	unsigned *len = &m->len[n->prio];

	if (head) {
		memmove(&m->lv[n->prio][1], &m->lv[n->prio][0], *len * sizeof(n));
		m->lv[n->prio][0] = n;
	} else {
		m->lv[n->prio][*len] = n;
	}
	(*len)++;
}

static void model_remove(struct model *m, struct rq_node *n)
{
	unsigned *len = &m->len[n->prio];

	for (unsigned i = 0; i < *len; i++) {
		if (m->lv[n->prio][i] == n) {
			memmove(&m->lv[n->prio][i], &m->lv[n->prio][i + 1],
				(*len - i - 1) * sizeof(n));
			(*len)--;
			return;
		}
	}
	fail_msg("node not in model");
}

static void check_same(const struct runq *q, const struct model *m)
{
	const struct rq_node *it = runq_best(q);
	unsigned total = 0;

	for (int p = 0; p < CONFIG_NUM_PRIORITIES; p++) {
		for (unsigned i = 0; i < m->len[p]; i++) {
			assert_ptr_equal(it, m->lv[p][i]);
			it = runq_next(q, it);
			total++;
		}
	}
	assert_null(it);
	assert_int_equal(runq_count(q), total);
}

static void test_random_against_model(void **state)
{
	static struct rq_node nodes[MODEL_N];
	static struct model m;
	struct runq q;

	(void)state;
	srand(12345);
	memset(&m, 0, sizeof(m));
	runq_init(&q);
	for (int i = 0; i < MODEL_N; i++)
		node(&nodes[i], 0);
	for (int step = 0; step < 20000; step++) {
		struct rq_node *n = &nodes[rand() % MODEL_N];
		int op = rand() % 4;

		if (!rq_node_linked(n)) {
			n->prio = rand() % 4 ? rand() % 4 : rand() % CONFIG_NUM_PRIORITIES;
			if (op & 1)
				runq_add_head(&q, n);
			else
				runq_add(&q, n);
			model_add(&m, n, op & 1);
		} else if (op == 0) {
			struct rq_node *b = runq_best(&q);

			runq_remove(&q, b);
			model_remove(&m, b);
		} else {
			runq_remove(&q, n);
			model_remove(&m, n);
		}
		check_same(&q, &m);
	}
}

static void test_list_sorted_and_stable(void **state)
{
	struct rq_list l;
	struct rq_node n[6];
	const int prios[6] = {5, 1, 5, 0, 1, 9};
	const int order[6] = {3, 1, 4, 0, 2, 5};
	unsigned k = 0;

	(void)state;
	rq_list_init(&l);
	assert_true(rq_list_empty(&l));
	assert_null(rq_list_first(&l));
	for (int i = 0; i < 6; i++)
		rq_list_add(&l, node(&n[i], prios[i]));
	assert_false(rq_list_empty(&l));
	for (struct rq_node *it = rq_list_first(&l); it; it = rq_list_next(&l, it))
		assert_ptr_equal(it, &n[order[k++]]);
	assert_int_equal(k, 6);

	rq_list_remove(&n[3]);
	assert_false(rq_node_linked(&n[3]));
	assert_ptr_equal(rq_list_first(&l), &n[1]);
	/* A priority change is remove + add: the node goes behind its new equals. */
	rq_list_remove(&n[5]);
	n[5].prio = 1;
	rq_list_add(&l, &n[5]);
	assert_ptr_equal(rq_list_next(&l, &n[4]), &n[5]);
	assert_ptr_equal(rq_list_next(&l, &n[5]), &n[0]);
	for (int i = 0; i < 6; i++)
		if (i != 3)
			rq_list_remove(&n[i]);
	assert_true(rq_list_empty(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_most_urgent_first),
	    cmocka_unit_test(test_add_head_keeps_turn),
	    cmocka_unit_test(test_round_robin),
	    cmocka_unit_test(test_remove_middle_and_level_bit),
	    cmocka_unit_test(test_iterate_pick_order),
	    cmocka_unit_test(test_random_against_model),
	    cmocka_unit_test(test_list_sorted_and_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
