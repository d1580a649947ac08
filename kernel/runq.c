/* Priority run queues and sorted wait lists (see include/kernel/runq.h). */
#include <kernel/runq.h>
#include <stddef.h>

static void list_init(struct rq_node *head)
{
	head->next = head;
	head->prev = head;
}

static void link_before(struct rq_node *pos, struct rq_node *n)
{
	n->next = pos;
	n->prev = pos->prev;
	pos->prev->next = n;
	pos->prev = n;
}

static void unlink(struct rq_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = NULL;
	n->prev = NULL;
}

void runq_init(struct runq *q)
{
	q->bitmap = 0;
	q->count = 0;
	for (int p = 0; p < CONFIG_NUM_PRIORITIES; p++)
		list_init(&q->level[p]);
}

void runq_add(struct runq *q, struct rq_node *n)
{
	link_before(&q->level[n->prio], n);
	q->bitmap |= 1ULL << n->prio;
	q->count++;
}

void runq_add_head(struct runq *q, struct rq_node *n)
{
	link_before(q->level[n->prio].next, n);
	q->bitmap |= 1ULL << n->prio;
	q->count++;
}

void runq_remove(struct runq *q, struct rq_node *n)
{
	struct rq_node *level = &q->level[n->prio];

	unlink(n);
	if (level->next == level)
		q->bitmap &= ~(1ULL << n->prio);
	q->count--;
}

int runq_best_prio(const struct runq *q)
{
	return q->bitmap ? __builtin_ctzll(q->bitmap) : CONFIG_NUM_PRIORITIES;
}

struct rq_node *runq_best(const struct runq *q)
{
	if (!q->bitmap)
		return NULL;
	return q->level[__builtin_ctzll(q->bitmap)].next;
}

struct rq_node *runq_next(const struct runq *q, const struct rq_node *n)
{
	if (n->next != &q->level[n->prio])
		return n->next;
	/* Last of its level: continue with the next non-empty, less urgent level. */
	uint64_t rest = n->prio + 1 < 64 ? q->bitmap & (~0ULL << (n->prio + 1)) : 0;

	return rest ? q->level[__builtin_ctzll(rest)].next : NULL;
}

void rq_list_init(struct rq_list *l)
{
	list_init(&l->head);
}

void rq_list_add(struct rq_list *l, struct rq_node *n)
{
	struct rq_node *pos = l->head.next;

	while (pos != &l->head && pos->prio <= n->prio)
		pos = pos->next;
	link_before(pos, n);
}

void rq_list_remove(struct rq_node *n)
{
	unlink(n);
}

struct rq_node *rq_list_first(const struct rq_list *l)
{
	return rq_list_empty(l) ? NULL : l->head.next;
}

struct rq_node *rq_list_next(const struct rq_list *l, const struct rq_node *n)
{
	return n->next == &l->head ? NULL : n->next;
}
