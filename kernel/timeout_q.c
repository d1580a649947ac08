/* The deadline-ordered timeout queue (see include/kernel/timeout_q.h). */
#include <kernel/timeout_q.h>
#include <stddef.h>

void timeout_q_init(struct timeout_q *q)
{
	q->head.next = &q->head;
	q->head.prev = &q->head;
	q->head.deadline = 0;
}

void timeout_q_add(struct timeout_q *q, struct timeout_node *n, uint64_t deadline)
{
	struct timeout_node *pos = q->head.prev;

	/* Stop at the last node due no later than n: n goes after it, behind its equals. */
	while (pos != &q->head && pos->deadline > deadline)
		pos = pos->prev;
	n->deadline = deadline;
	n->prev = pos;
	n->next = pos->next;
	pos->next->prev = n;
	pos->next = n;
}

bool timeout_q_remove(struct timeout_node *n)
{
	if (!n->next)
		return false;
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = NULL;
	n->prev = NULL;
	return true;
}

struct timeout_node *timeout_q_peek(const struct timeout_q *q)
{
	return q->head.next == &q->head ? NULL : q->head.next;
}

uint64_t timeout_q_next_deadline(const struct timeout_q *q)
{
	const struct timeout_node *n = timeout_q_peek(q);

	return n ? n->deadline : UINT64_MAX;
}

struct timeout_node *timeout_q_pop_expired(struct timeout_q *q, uint64_t now)
{
	struct timeout_node *n = timeout_q_peek(q);

	if (!n || n->deadline > now)
		return NULL;
	timeout_q_remove(n);
	return n;
}
