/* An ordered queue of intrusive timeout nodes keyed by an absolute deadline in counter ticks;
 * pure logic (no locks, no arch), the caller serialises.
 *
 * Invariants: nodes are sorted by deadline, and nodes with equal deadlines keep the order they were
 * added in (they expire first-in, first-out). An unlinked node has next == NULL. Adding walks from
 * the latest deadline backwards, since new deadlines are usually the latest; removing is O(1). */
#ifndef KERNEL_TIMEOUT_Q_H
#define KERNEL_TIMEOUT_Q_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timeout_node {
	struct timeout_node *next, *prev;
	uint64_t deadline;
};

struct timeout_q {
	struct timeout_node head; /* sentinel of a circular list */
};

static inline bool timeout_node_linked(const struct timeout_node *n)
{
	return n->next != NULL;
}

void timeout_q_init(struct timeout_q *q);
/* n must not be linked. */
void timeout_q_add(struct timeout_q *q, struct timeout_node *n, uint64_t deadline);
/* Unlinks n from whatever queue holds it; false if it was not linked. */
bool timeout_q_remove(struct timeout_node *n);
struct timeout_node *timeout_q_peek(const struct timeout_q *q); /* earliest, or NULL */
/* Deadline of the earliest node, or UINT64_MAX when q is empty. */
uint64_t timeout_q_next_deadline(const struct timeout_q *q);
/* Unlinks and returns the earliest node if its deadline is <= now, else NULL. */
struct timeout_node *timeout_q_pop_expired(struct timeout_q *q, uint64_t now);

#endif
