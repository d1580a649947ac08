/* A reference model of the I/O scheduler's rules, shared by the randomized unit test and the
 * fuzz target: it drives random submit/next/complete/remove steps and checks at every step
 * that each request completes exactly once, nothing passes a FLUSH of its VM, the unit sent
 * comes from the most urgent dispatchable VM and its most urgent class/level, and next()
 * gives NULL only when the model has nothing dispatchable. CHECK(c) must stop on failure. */
#ifndef TEST_IOSCHED_MODEL_H
#define TEST_IOSCHED_MODEL_H

#include <block/iosched.h>
#include <errno.h>
#include <string.h>

#define M_QUEUES 4
#define M_POOL	 8
#define M_REQS	 512
#define M_INFL	 (M_QUEUES * M_POOL)

enum { M_FREE, M_QUEUED, M_SENT, M_DONE };

struct m_req {
	int q, state;
	unsigned seq;
	uint8_t op, list;
};

struct model {
	struct iosched s;
	struct iosched_queue q[M_QUEUES];
	struct iosched_req pool[M_QUEUES][M_POOL];
	int present[M_QUEUES];
	unsigned prio[M_QUEUES];
	struct m_req r[M_REQS];
	unsigned nr, seq;
	struct iosched_req *infl[M_INFL];
	unsigned ninfl;
	int bad;
};

static void m_done(struct iosched_req *r, int status, void *arg)
{
	struct model *m = arg;
	struct m_req *x = r->cookie;

	(void)status;
	if (x->state != M_QUEUED && x->state != M_SENT)
		m->bad = 1;
	x->state = M_DONE;
}

static uint8_t m_list(uint16_t ioprio)
{
	unsigned c = ioprio >> 13, l = ioprio & 7;

	return c == 1 ? l : c == 3 ? 16 + l : c == 2 ? 8 + l : 8 + IOSCHED_DEFAULT_LEVEL;
}

/* May x go now: every earlier FLUSH of its VM done, and for a FLUSH everything earlier done. */
static int m_may(const struct model *m, const struct m_req *x)
{
	for (unsigned i = 0; i < m->nr; i++) {
		const struct m_req *y = &m->r[i];

		if (y->q != x->q || y->seq >= x->seq || y->state == M_DONE)
			continue;
		if (y->op == IOSCHED_FLUSH || x->op == IOSCHED_FLUSH)
			return 0;
	}
	return 1;
}

static void m_init(struct model *m, const uint8_t *prios, uint32_t max)
{
	memset(m, 0, sizeof(*m));
	iosched_init(&m->s, max);
	for (int i = 0; i < M_QUEUES; i++) {
		m->prio[i] = prios[i] % 4;
		iosched_queue_add(&m->s, &m->q[i], m->prio[i], m->pool[i], M_POOL);
		m->present[i] = 1;
	}
}

static void m_check_next(struct model *m, struct iosched_req *u)
{
	int best = -1;

	for (unsigned i = 0; i < m->nr; i++) {
		const struct m_req *x = &m->r[i];

		if (x->state == M_QUEUED && m->present[x->q] && m_may(m, x) &&
		    (best < 0 || m->prio[x->q] < (unsigned)best))
			best = (int)m->prio[x->q];
	}
	if (!u) {
		if (best >= 0)
			m->bad = 1;
		return;
	}
	int qi = (int)(u->q - m->q);
	if (qi < 0 || qi >= M_QUEUES || (int)m->prio[qi] != best || m->ninfl >= M_INFL) {
		m->bad = 1;
		return;
	}
	uint64_t end = u->u_sector;
	unsigned members = 0;
	for (struct iosched_req *r = u->mfirst; r; r = r->mnext) {
		struct m_req *x = r->cookie;

		members++;
		if (x->state != M_QUEUED || x->q != qi || !m_may(m, x) || r->sector != end)
			m->bad = 1;
		end += r->nr_sectors;
		x->state = M_SENT;
		/* Nothing more urgent of this VM may still wait. */
		for (unsigned i = 0; i < m->nr; i++) {
			const struct m_req *y = &m->r[i];

			if (y->q == qi && y->state == M_QUEUED && m_may(m, y) && y->list < x->list)
				m->bad = 1;
		}
	}
	if (members != u->u_members || end != u->u_sector + u->u_nr_sectors ||
	    (members > 1 && u->u_nr_sectors > m->s.max_sectors))
		m->bad = 1;
	m->infl[m->ninfl++] = u;
}

/* One step chosen by a and b. */
static void m_step(struct model *m, uint8_t a, uint8_t b, uint8_t c)
{
	int qi = b % M_QUEUES;

	switch (a % 8) {
	case 0:
	case 1:
	case 2: {
		if (m->nr >= M_REQS)
			return;
		struct m_req *x = &m->r[m->nr];
		uint8_t op = c % 8 < 3	  ? IOSCHED_IN
			     : c % 8 < 6  ? IOSCHED_OUT
			     : c % 8 == 6 ? IOSCHED_FLUSH
					  : IOSCHED_DISCARD;
		uint16_t ioprio = IOPRIO_PRIO((b >> 2) & 3, (b >> 4) & 1);
		uint64_t sector = (uint64_t)(c >> 3) * 8;
		uint32_t nr = 8 * (1 + (b >> 6));
		int err = iosched_submit(&m->s, &m->q[qi], op, sector, nr, ioprio, x);
		unsigned used = 0;
		for (unsigned i = 0; i < m->nr; i++)
			used += m->r[i].q == qi &&
				(m->r[i].state == M_QUEUED || m->r[i].state == M_SENT);
		if (!m->present[qi]) {
			if (err != -ENODEV)
				m->bad = 1;
		} else if (used == M_POOL) {
			if (err != -EAGAIN)
				m->bad = 1;
		} else if (err) {
			m->bad = 1;
		}
		if (err)
			return;
		*x = (struct m_req){
		    .q = qi, .state = M_QUEUED, .seq = m->seq++, .op = op, .list = m_list(ioprio)};
		m->nr++;
		return;
	}
	case 3:
	case 4:
		m_check_next(m, iosched_next(&m->s));
		return;
	case 5:
	case 6:
		if (m->ninfl) {
			unsigned i = c % m->ninfl;
			iosched_complete(&m->s, m->infl[i], 0, m_done, m);
			m->infl[i] = m->infl[--m->ninfl];
		}
		return;
	default:
		if (m->present[qi] && c == 0xff) {
			iosched_queue_remove(&m->s, &m->q[qi], m_done, m);
			m->present[qi] = 0;
			for (unsigned i = 0; i < m->nr; i++)
				if (m->r[i].q == qi && m->r[i].state == M_QUEUED)
					m->bad = 1; /* cancelled ones are M_DONE now */
		}
		return;
	}
}

/* Drains everything; afterwards every submitted request must be done exactly once. */
static void m_finish(struct model *m)
{
	for (unsigned guard = 0; guard < 4 * M_REQS && !m->bad; guard++) {
		struct iosched_req *u = iosched_next(&m->s);

		if (u) {
			m_check_next(m, u);
		} else if (m->ninfl) {
			iosched_complete(&m->s, m->infl[m->ninfl - 1], 0, m_done, m);
			m->ninfl--;
		} else {
			break;
		}
	}
	for (unsigned i = 0; i < m->nr; i++)
		if (m->r[i].state != M_DONE)
			m->bad = 1;
}

#endif
