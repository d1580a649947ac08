/* Priority queues of intrusive nodes; pure logic (no locks, no arch), the caller serialises.
 *
 * Priorities run from 0 (most urgent) to CONFIG_NUM_PRIORITIES - 1. Two shapes share one node:
 * - struct runq: a run queue. One FIFO per level plus a bitmap of non-empty levels, so adding,
 *   removing and finding the best node are O(1). Round robin within a level is "take the best,
 *   add it back at the tail" (runq_add), while a preempted node keeps its turn (runq_add_head).
 * - struct rq_list: a list kept sorted by priority, FIFO among equals (wait queues: few nodes, and
 *   one list head instead of a head per level).
 * A node is on at most one queue; an unlinked node has next == NULL. */
#ifndef KERNEL_RUNQ_H
#define KERNEL_RUNQ_H

#include <kernel/config.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(CONFIG_NUM_PRIORITIES > 1 && CONFIG_NUM_PRIORITIES <= 64, "runq bitmap is 64 bits");

struct rq_node {
	struct rq_node *next, *prev;
	int prio; /* read by the queue operations; set it before adding the node */
};

struct rq_list {
	struct rq_node head; /* sentinel of a circular list */
};

struct runq {
	uint64_t bitmap; /* bit p set <=> level p is non-empty */
	unsigned count;
	struct rq_node level[CONFIG_NUM_PRIORITIES]; /* sentinels */
};

static inline bool rq_node_linked(const struct rq_node *n)
{
	return n->next != NULL;
}

void runq_init(struct runq *q);
void runq_add(struct runq *q, struct rq_node *n);      /* at the tail of n->prio */
void runq_add_head(struct runq *q, struct rq_node *n); /* at the head of n->prio */
void runq_remove(struct runq *q, struct rq_node *n);   /* n must be on q */
/* The node to run next: first of the most urgent non-empty level, or NULL. */
struct rq_node *runq_best(const struct runq *q);
/* The node after n in pick order (level by level, FIFO within each), or NULL at the end. */
struct rq_node *runq_next(const struct runq *q, const struct rq_node *n);
/* Priority of runq_best(), or CONFIG_NUM_PRIORITIES when q is empty. */
int runq_best_prio(const struct runq *q);

static inline unsigned runq_count(const struct runq *q)
{
	return q->count;
}

void rq_list_init(struct rq_list *l);
/* Inserts n after every node of the same or a more urgent priority. */
void rq_list_add(struct rq_list *l, struct rq_node *n);
void rq_list_remove(struct rq_node *n);
struct rq_node *rq_list_first(const struct rq_list *l); /* NULL if empty */
struct rq_node *rq_list_next(const struct rq_list *l, const struct rq_node *n);

static inline bool rq_list_empty(const struct rq_list *l)
{
	return l->head.next == &l->head;
}

#endif
