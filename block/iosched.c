/* Host I/O scheduler (policy and costs: include/block/iosched.h).
 * Invariants: q is on its priority's ring iff dispatchable(q); held is empty or starts with a
 * FLUSH unless flush_inflight; while held is not empty or a FLUSH is in flight every new
 * request goes to held, so nothing passes a FLUSH. */
#include <block/iosched.h>
#include <errno.h>
#include <stddef.h>

static void fifo_push(struct iosched_fifo *f, struct iosched_req *r)
{
	r->next = NULL;
	if (f->tail)
		f->tail->next = r;
	else
		f->head = r;
	f->tail = r;
}

static struct iosched_req *fifo_pop(struct iosched_fifo *f)
{
	struct iosched_req *r = f->head;

	if (r) {
		f->head = r->next;
		if (!f->head)
			f->tail = NULL;
		r->next = NULL;
	}
	return r;
}

static bool dispatchable(const struct iosched_queue *q)
{
	if (q->dead)
		return false;
	if (q->mask)
		return true;
	/* The FLUSH at the head of held waits for every earlier unit to complete. */
	return q->held.head && !q->flush_inflight && !q->inflight;
}

static void ring_unlink(struct iosched *s, struct iosched_queue *q)
{
	unsigned p = q->prio;

	if (q->rnext == q) {
		s->ring[p] = NULL;
		s->ready &= ~(1u << p);
	} else {
		q->rprev->rnext = q->rnext;
		q->rnext->rprev = q->rprev;
		if (s->ring[p] == q)
			s->ring[p] = q->rnext;
	}
	q->on_ring = false;
}

static void ring_append(struct iosched *s, struct iosched_queue *q)
{
	struct iosched_queue *h = s->ring[q->prio];

	if (!h) {
		q->rnext = q->rprev = q;
		s->ring[q->prio] = q;
		s->ready |= 1u << q->prio;
	} else {
		q->rnext = h;
		q->rprev = h->rprev;
		h->rprev->rnext = q;
		h->rprev = q;
	}
	q->on_ring = true;
}

static void update_ready(struct iosched *s, struct iosched_queue *q)
{
	bool want = dispatchable(q);

	if (want && !q->on_ring)
		ring_append(s, q);
	else if (!want && q->on_ring)
		ring_unlink(s, q);
}

static bool mergeable(const struct iosched *s, const struct iosched_req *u,
		      const struct iosched_req *r)
{
	if (r->op != u->op || (r->op != IOSCHED_IN && r->op != IOSCHED_OUT))
		return false;
	if ((uint64_t)u->u_nr_sectors + r->nr_sectors > s->max_sectors)
		return false;
	return u->u_sector + u->u_nr_sectors == r->sector ||
	       r->sector + r->nr_sectors == u->u_sector;
}

/* Into its class/level FIFO, merged with the last unit there when adjacent. */
static void enqueue_active(struct iosched *s, struct iosched_queue *q, struct iosched_req *r)
{
	struct iosched_fifo *f = &q->lists[r->list];
	struct iosched_req *u = f->tail;

	if (u && mergeable(s, u, r)) {
		if (u->u_sector + u->u_nr_sectors == r->sector) {
			u->mlast->mnext = r;
			u->mlast = r;
		} else {
			r->mnext = u->mfirst;
			u->mfirst = r;
			u->u_sector = r->sector;
		}
		u->u_nr_sectors += r->nr_sectors;
		u->u_members++;
		return;
	}
	fifo_push(f, r);
	q->mask |= 1u << r->list;
}

/* Class index (RT 0, BE 1, IDLE 2) * levels + level; NONE and invalid classes count as BE. */
static uint8_t ioprio_list(const struct iosched_queue *q, uint16_t ioprio)
{
	unsigned cls = ioprio >> 13, level = ioprio & 7;

	if (cls == IOPRIO_CLASS_RT)
		return level;
	if (cls == IOPRIO_CLASS_IDLE)
		return 2 * IOSCHED_LEVELS + level;
	if (cls != IOPRIO_CLASS_BE)
		level = q->default_level;
	return IOSCHED_LEVELS + level;
}

void iosched_init(struct iosched *s, uint32_t max_sectors)
{
	*s = (struct iosched){.max_sectors = max_sectors};
}

int iosched_queue_add(struct iosched *s, struct iosched_queue *q, unsigned prio,
		      struct iosched_req *pool, unsigned n)
{
	(void)s;
	if (prio >= IOSCHED_PRIOS || !pool || !n)
		return -EINVAL;
	*q = (struct iosched_queue){.prio = (uint8_t)prio, .default_level = IOSCHED_DEFAULT_LEVEL};
	for (unsigned i = 0; i < n; i++) {
		pool[i].next = q->free;
		q->free = &pool[i];
	}
	return 0;
}

int iosched_submit(struct iosched *s, struct iosched_queue *q, enum iosched_op op, uint64_t sector,
		   uint32_t nr_sectors, uint16_t ioprio, void *cookie)
{
	struct iosched_req *r;

	if (q->dead)
		return -ENODEV;
	if ((unsigned)op > IOSCHED_WRITE_ZEROES)
		return -EINVAL;
	if (op == IOSCHED_FLUSH) {
		sector = 0;
		nr_sectors = 0;
	} else if (!nr_sectors || sector + nr_sectors < sector) {
		return -EINVAL;
	}
	r = q->free;
	if (!r)
		return -EAGAIN;
	q->free = r->next;
	*r = (struct iosched_req){.q = q,
				  .cookie = cookie,
				  .sector = sector,
				  .nr_sectors = nr_sectors,
				  .op = (uint8_t)op,
				  .list = ioprio_list(q, ioprio),
				  .u_sector = sector,
				  .u_nr_sectors = nr_sectors,
				  .u_members = 1};
	r->mfirst = r->mlast = r;
	q->queued++;
	if (op == IOSCHED_FLUSH || q->held.head || q->flush_inflight)
		fifo_push(&q->held, r);
	else
		enqueue_active(s, q, r);
	update_ready(s, q);
	return 0;
}

struct iosched_req *iosched_next(struct iosched *s)
{
	struct iosched_queue *q;
	struct iosched_req *u;

	if (!s->ready)
		return NULL;
	q = s->ring[__builtin_ctz(s->ready)];
	if (q->mask) {
		unsigned i = (unsigned)__builtin_ctz(q->mask);

		u = fifo_pop(&q->lists[i]);
		if (!q->lists[i].head)
			q->mask &= ~(1u << i);
	} else {
		u = fifo_pop(&q->held);
		q->flush_inflight = true;
	}
	q->queued -= u->u_members;
	q->inflight++;
	s->ring[q->prio] = q->rnext; /* round robin among equals */
	update_ready(s, q);
	return u;
}

struct iosched_queue *iosched_peek(const struct iosched *s)
{
	return s->ready ? s->ring[__builtin_ctz(s->ready)] : NULL;
}

const struct iosched_req *iosched_peek_unit(const struct iosched *s)
{
	const struct iosched_queue *q = iosched_peek(s);

	if (!q)
		return NULL;
	return q->mask ? q->lists[__builtin_ctz(q->mask)].head : q->held.head;
}

static void free_unit(struct iosched_queue *q, struct iosched_req *u, int status,
		      iosched_done_fn done, void *arg)
{
	struct iosched_req *m = u->mfirst, *n;

	for (; m; m = n) {
		n = m->mnext;
		if (done)
			done(m, status, arg);
		m->next = q->free;
		q->free = m;
	}
}

void iosched_complete(struct iosched *s, struct iosched_req *u, int status, iosched_done_fn done,
		      void *arg)
{
	struct iosched_queue *q = u->q;
	bool flush = u->op == IOSCHED_FLUSH;

	free_unit(q, u, status, done, arg);
	q->inflight--;
	if (flush) {
		q->flush_inflight = false;
		/* Release what waited behind it, up to the next FLUSH. */
		while (q->held.head && q->held.head->op != IOSCHED_FLUSH)
			enqueue_active(s, q, fifo_pop(&q->held));
	}
	update_ready(s, q);
}

unsigned iosched_queue_remove(struct iosched *s, struct iosched_queue *q, iosched_done_fn done,
			      void *arg)
{
	struct iosched_req *u;

	q->dead = true;
	update_ready(s, q);
	for (unsigned i = 0; i < IOSCHED_LISTS; i++)
		while ((u = fifo_pop(&q->lists[i])))
			free_unit(q, u, -ECANCELED, done, arg);
	while ((u = fifo_pop(&q->held)))
		free_unit(q, u, -ECANCELED, done, arg);
	q->mask = 0;
	q->queued = 0;
	return q->inflight;
}
