/* Host block layer: the I/O scheduler (block/iosched.c) in front of each disk
 * (include/block/blk_sched.h). Invariants: a client's queue is in the scheduler from attach to
 * detach (dead between a cancel and the next prepare); a unit's members stay valid until its
 * completion callback ran, since their owners wait for it (detach included). One thread at a
 * time sends a disk's units (the one that set busy): its dispatcher, or a client sending its own
 * (send_units). A unit sent is in out[] until its client's thread collected it (so what is
 * less urgent waits for the next piece of its request); its members count in active until the
 * last one finished, when it joins its client's finished[]. */
#include <block/blk_sched.h>
#include <drivers/virtio_blk.h>
#include <errno.h>
#include <kernel/init_hook.h>
#include <kernel/printk.h>
#include <kernel/sched.h>
#include <kernel/spinlock.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <kernel/time.h>
#include <lib/format.h>
#include <stddef.h>

/* The largest merged unit: the host driver's bounce buffer (64 KiB). */
#define MERGE_MAX_SECTORS 128
#define POLL_US		  1000000 /* a client kept awake looks for a broken disk this often */

struct blk_sched {
	struct blkdev *disk;
	struct k_spinlock lock;
	struct iosched sched;
	struct blk_sched_client *clients;
	bool busy;	 /* a thread is sending units (under lock) */
	unsigned depth;	 /* members on the disk at once, at most (the disk's, capped) */
	unsigned active; /* members of the units out */
	struct iosched_req *out[BLK_SCHED_DEPTH]; /* the units out */
	unsigned nr_out;
	struct k_sem kick; /* a unit another thread should send may go */
	struct k_thread thread;
	char name[K_THREAD_NAME_MAX];
};

static struct blk_sched scheds[BLKDEV_MAX];

static struct blk_sched_client *owner(struct iosched_queue *q)
{
	return (struct blk_sched_client *)((char *)q - offsetof(struct blk_sched_client, q));
}

/* Pieces to queue again after a completion (at most one unit's members, all of one client). */
struct again {
	struct blk_io *io[BLK_SCHED_SLOTS];
	unsigned n;
};

/* Lock held (the scheduler's callback): member r of a unit finished or was cancelled. */
static void io_finished(struct iosched_req *r, int status, void *arg)
{
	struct blk_io *io = r->cookie;
	struct blk_sched_client *c = owner(r->q);
	struct again *ag = arg;

	if (ag && io->again && ag->n < BLK_SCHED_SLOTS) {
		ag->io[ag->n++] = io;
		return;
	}
	if (status == -ECANCELED) {
		io->status = status;
		c->cancelled++;
	}
	__atomic_store_n(&io->done, true, __ATOMIC_RELEASE);
	k_sem_give(c->wake);
}

/* Lock held: counts unit u going to the disk, and who it went past. */
static void account(struct blk_sched *s, struct iosched_req *u, bool by_owner)
{
	struct blk_sched_client *mine = owner(u->q);

	unsigned cls = u->list / IOSCHED_LEVELS;

	mine->dispatched += u->u_members;
	mine->bytes += (uint64_t)u->u_nr_sectors * BLK_SECTOR_SIZE;
	mine->class_units[cls]++;
	mine->inline_units += by_owner;
	/* Lists of more urgent classes still holding requests (u was just taken off its list). */
	if (u->q->mask & ((1u << (cls * IOSCHED_LEVELS)) - 1))
		mine->class_passed++;
	for (struct blk_sched_client *c = s->clients; c; c = c->next)
		if (c != mine && c->q.queued)
			c->bypassed++;
}

/* Lock held: the next pieces of long requests go back in their queue (its storage was just
 * freed by the completion); one that cannot (the queue was cancelled) completes with that. */
static void requeue(struct blk_sched *s, struct iosched_queue *q, struct again *ag)
{
	for (unsigned i = 0; i < ag->n; i++) {
		struct blk_io *io = ag->io[i];
		int err = iosched_submit(&s->sched, q, io->op, io->sector, io->nr_sectors,
					 io->ioprio, io);

		if (err) {
			io->status = err == -ENODEV ? -ECANCELED : err;
			__atomic_store_n(&io->done, true, __ATOMIC_RELEASE);
			k_sem_give(owner(q)->wake);
		}
	}
}

/* Lower is more urgent: the VM's priority, then the ioprio class and level. */
static unsigned urgency(const struct iosched_req *u)
{
	return u->q->prio * IOSCHED_LISTS + u->list;
}

/* Lock held: whether unit u may go to the disk now: there is room, and nothing more urgent is
 * out (a less urgent VM's request would share the disk with it). An idle disk takes any. */
static bool may_go(const struct blk_sched *s, const struct iosched_req *u)
{
	for (unsigned i = 0; i < s->nr_out; i++)
		if (urgency(s->out[i]) < urgency(u))
			return false;
	if (!s->active) /* an idle disk takes any unit (one larger than the depth too) */
		return s->nr_out < BLK_SCHED_DEPTH;
	return s->active + u->u_members <= s->depth && s->nr_out < BLK_SCHED_DEPTH;
}

/* Lock held: the unit that may go next, for the dispatcher (mine NULL) or for client mine (its
 * own only); NULL when none. */
static const struct iosched_req *next_unit(const struct blk_sched *s,
					   const struct blk_sched_client *mine)
{
	const struct iosched_req *u = iosched_peek_unit(&s->sched);

	/* A request held on the disk (`kernel blk hold`, a test aid) holds the rest here, in
	 * their queues, as a busy disk would. */
	if (!u || (mine && u->q != &mine->q) || !may_go(s, u) || blkdev_holding(s->disk))
		return NULL;
	return u;
}

/* Whether c's thread may be slow to come back for its units: none bound, or under a CPU budget
 * (it could be throttled for the rest of a period). */
static bool client_absent(const struct blk_sched_client *c)
{
	return !c->thread || c->thread->budget;
}

static void out_remove(struct blk_sched *s, const struct iosched_req *u)
{
	for (unsigned i = 0; i < s->nr_out; i++)
		if (s->out[i] == u) {
			s->out[i] = s->out[--s->nr_out];
			return;
		}
}

/* Lock held: a unit that may go now is the dispatcher's to send, unless it is c's and c's thread,
 * just woken or running, sends it. */
static void kick_others(struct blk_sched *s, const struct blk_sched_client *c)
{
	const struct iosched_req *next = next_unit(s, NULL);

	if (!s->busy && next && (next->q != &c->q || client_absent(c)))
		k_sem_give(&s->kick);
}

/* Lock held: one sender's or member's share of unit u is over; the last one takes it off the
 * disk and hands it to its client's thread. */
static void unit_put(struct blk_sched *s, struct iosched_req *u)
{
	struct blk_io *lead = u->cookie;
	struct blk_sched_client *c = lead->c;

	if (--lead->unit_left)
		return;
	/* Off the disk, but still in out[] until its client collected it: the next piece of its
	 * request goes before any less urgent unit. Not when that client may be long in coming:
	 * the disk would stay idle for every less urgent VM meanwhile. */
	s->active -= u->u_members;
	if (client_absent(c))
		out_remove(s, u);
	c->finished[c->nr_finished++] = u; /* at most its BLK_SCHED_SLOTS requests are out */
	k_sem_give(c->wake);
	/* From the disk's interrupt on the CPU where the client's thread waits (its requests
	 * route the interrupt there), behind a vCPU of its VM: the CPU goes to it first, so the
	 * completion reaches the guest without waiting for the vCPU to idle (as a notification
	 * does, vdev_worker_kick). Elsewhere k_yield_to finds nothing to do. Not when the guest
	 * has its answer already: its vCPU goes first, the collect can wait for it to idle. */
	if (c->thread && !(u->u_members == 1 && lead->answered))
		k_yield_to(c->thread);
	kick_others(s, c);
}

void blk_io_finish(struct blk_io *io, int status)
{
	struct blk_sched *s = io->c->s;
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	io->status = status;
	unit_put(s, io->unit);
	k_spin_unlock(&s->lock, key);
}

/* Sends the disk's units, busy set by the caller, and gives busy back: the dispatcher (mine
 * NULL) or client mine (its own units only) while the next unit may go. When a unit that may
 * go is another client's, the dispatcher is woken for it. Returns the units sent. */
static unsigned send_units(struct blk_sched *s, struct blk_sched_client *mine)
{
	for (unsigned n = 0;; n++) {
		struct iosched_req *u = NULL;
		k_spinlock_key_t key;
		bool handover = false;

		key = k_spin_lock(&s->lock);
		if (next_unit(s, mine)) {
			u = iosched_next(&s->sched);
			account(s, u, mine != NULL);
			s->active += u->u_members;
			s->out[s->nr_out++] = u;
			((struct blk_io *)u->cookie)->unit_left = u->u_members + 1;
			for (struct iosched_req *m = u->mfirst; m; m = m->mnext) {
				struct blk_io *io = m->cookie;

				io->c = owner(u->q);
				io->unit = u;
			}
		} else {
			s->busy = false;
			handover = mine && next_unit(s, NULL);
		}
		k_spin_unlock(&s->lock, key);
		if (!u) {
			if (handover)
				k_sem_give(&s->kick);
			return n;
		}
		/* Members in sector order, each its own host request: merging orders the disk's
		 * work, each member keeps its own buffers and status. */
		for (struct iosched_req *m = u->mfirst, *mn; m; m = mn) {
			struct blk_io *io = m->cookie;
			int r;

			mn = m->mnext; /* m may complete (and its unit with it) once started */
			r = io->fn(io);
			if (r != BLK_IO_STARTED)
				blk_io_finish(io, r);
		}
		key = k_spin_lock(&s->lock);
		unit_put(s, u); /* the sender's share */
		k_spin_unlock(&s->lock, key);
	}
}

/* Client thread: completes c's units that left the disk (next pieces queued again, members
 * done). Returns how many. */
static unsigned collect(struct blk_sched_client *c)
{
	struct blk_sched *s = c->s;
	unsigned n = 0;

	for (;; n++) {
		struct iosched_req *u;
		struct again ag;
		k_spinlock_key_t key = k_spin_lock(&s->lock);

		u = c->nr_finished ? c->finished[--c->nr_finished] : NULL;
		k_spin_unlock(&s->lock, key);
		if (!u)
			return n;
		for (struct iosched_req *m = u->mfirst; m; m = m->mnext) {
			struct blk_io *io = m->cookie;

			/* After a cancel the next piece could not be queued: no next. */
			io->again = !c->q.dead && !io->status && io->next && io->next(io);
		}
		ag.n = 0;
		key = k_spin_lock(&s->lock);
		out_remove(s, u); /* if unit_put left it there; before its storage is reused */
		iosched_complete(&s->sched, u, 0, io_finished, &ag);
		requeue(s, &c->q, &ag);
		kick_others(s, c);
		k_spin_unlock(&s->lock, key);
	}
}

/* Takes busy (false: another thread has it and will look at the queue before giving it back). */
static bool take_busy(struct blk_sched *s)
{
	k_spinlock_key_t key = k_spin_lock(&s->lock);
	bool got = !s->busy;

	s->busy = true;
	k_spin_unlock(&s->lock, key);
	return got;
}

static void dispatcher(void *a, void *b)
{
	struct blk_sched *s = a;

	(void)b;
	for (;;) {
		k_sem_take(&s->kick, K_FOREVER);
		if (take_busy(s))
			send_units(s, NULL);
	}
}

static void blk_sched_boot(void)
{
	struct blkdev *d;

	for (unsigned i = 0; (d = blkdev_nth(i)) && i < BLKDEV_MAX; i++) {
		struct blk_sched *s = &scheds[i];
		void *stack = k_stack_alloc();

		iosched_init(&s->sched, MERGE_MAX_SECTORS);
		s->depth = blkdev_queue_depth(d) < BLK_SCHED_DEPTH ? blkdev_queue_depth(d)
								   : BLK_SCHED_DEPTH;
		k_sem_init(&s->kick, 0, 1);
		fmt_snprintf(s->name, sizeof(s->name), "blk/%s", blkdev_name(d));
		if (!stack || k_thread_create(&s->thread, stack, K_STACK_SIZE, dispatcher, s, NULL,
					      BLK_SCHED_PRIO, 0, s->name)) {
			pr_err("%s: no dispatcher thread; guests cannot use it\n", blkdev_name(d));
			k_stack_free(stack);
			continue;
		}
		s->disk = d;
	}
}
INIT_HOOK(INIT_HOOK_BOOT, blk_sched_boot);

int blk_sched_attach(struct blk_sched_client *c, struct blkdev *disk, unsigned prio)
{
	struct blk_sched *s = NULL;
	k_spinlock_key_t key;
	int err;

	for (unsigned i = 0; i < BLKDEV_MAX; i++)
		if (disk && scheds[i].disk == disk)
			s = &scheds[i];
	if (!s)
		return -ENODEV;
	if (prio >= IOSCHED_PRIOS)
		return -EINVAL;
	*c = (struct blk_sched_client){.s = s, .prio = prio};
	k_sem_init(&c->own_sem, 0, BLK_SCHED_SLOTS);
	c->wake = &c->own_sem;
	key = k_spin_lock(&s->lock);
	err = iosched_queue_add(&s->sched, &c->q, prio, c->pool, BLK_SCHED_SLOTS);
	if (!err) {
		c->next = s->clients;
		s->clients = c;
	}
	k_spin_unlock(&s->lock, key);
	return err;
}

/* Client side: waits until nothing of c is pending. In flight, a request ends with its host
 * request (bounded by the driver's timeout); queued ones were cancelled by the caller. */
static void drain(struct blk_sched_client *c)
{
	for (;;) {
		k_spinlock_key_t key;
		bool busy;

		collect(c);
		key = k_spin_lock(&c->s->lock);
		busy = c->q.inflight || c->q.queued;
		k_spin_unlock(&c->s->lock, key);
		if (!busy)
			return;
		blkdev_poll(c->s->disk);
		k_sleep_ms(1);
	}
}

void blk_sched_detach(struct blk_sched_client *c)
{
	struct blk_sched *s = c->s;
	k_spinlock_key_t key;

	if (!s)
		return;
	blk_sched_cancel(c);
	drain(c);
	key = k_spin_lock(&s->lock);
	for (struct blk_sched_client **p = &s->clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	k_spin_unlock(&s->lock, key);
	c->s = NULL;
}

void blk_sched_prepare(struct blk_sched_client *c, unsigned prio, struct k_sem *wake)
{
	k_spinlock_key_t key;

	if (prio >= IOSCHED_PRIOS)
		prio = IOSCHED_PRIOS - 1;
	key = k_spin_lock(&c->s->lock);
	c->wake = wake ? wake : &c->own_sem; /* read under the lock by completions */
	c->thread = k_current();
	/* Only an idle queue is off the ready rings and may be set up again. */
	if ((c->q.dead || c->prio != prio) && !c->q.inflight && !c->q.queued) {
		iosched_queue_add(&c->s->sched, &c->q, prio, c->pool, BLK_SCHED_SLOTS);
		c->prio = prio;
	}
	k_spin_unlock(&c->s->lock, key);
}

int blk_sched_submit(struct blk_sched_client *c, struct blk_io *io)
{
	k_spinlock_key_t key;
	int err;

	if (c->pending >= BLK_SCHED_SLOTS)
		return -EAGAIN;
	io->done = false;
	io->again = false;
	io->status = 0;
	key = k_spin_lock(&c->s->lock);
	err =
	    iosched_submit(&c->s->sched, &c->q, io->op, io->sector, io->nr_sectors, io->ioprio, io);
	k_spin_unlock(&c->s->lock, key);
	if (err)
		return err;
	c->pending++;
	/* Its own thread sends it (blk_sched_run), unless that thread is under a CPU budget:
	 * it could be throttled while it has the disk. */
	if (k_current()->budget)
		k_sem_give(&c->s->kick);
	return 0;
}

bool blk_sched_run(struct blk_sched_client *c)
{
	struct k_thread *cur = k_current();
	unsigned done = collect(c), sent;
	k_spinlock_key_t key;
	bool mine;
	int prio;

	if (cur->budget) {
		k_sem_give(&c->s->kick);
		return done != 0;
	}
	/* Busy taken only when a unit of c may go: no boost for nothing. */
	key = k_spin_lock(&c->s->lock);
	mine = !c->s->busy && next_unit(c->s, c);
	c->s->busy |= mine;
	k_spin_unlock(&c->s->lock, key);
	if (!mine)
		return done != 0;
	/* A ceiling above every VM: a VM's thread must not be kept from the disk's work by
	 * another VM's equally urgent vCPU while other VMs wait for the disk. Having the disk is
	 * holding a lock: a fault inside panics, as on the dispatcher (kernel/recover.h). */
	prio = k_thread_boost(BLK_SCHED_CEILING);
	cur->mutexes_held++;
	sent = send_units(c->s, c);
	cur->mutexes_held--;
	k_thread_unboost(prio);
	return done + sent != 0;
}

bool blk_sched_wait(struct blk_sched_client *c, uint32_t timeout_us)
{
	bool woken = !k_sem_take(c->wake, (k_timeout_t){.v = timeout_us, .kind = Z_TIMEOUT_US});
	uint64_t now = k_uptime_us();

	/* A request the disk never answers (or a device that answered nonsense) is the driver's
	 * to find: after a quiet wait, and every POLL_US when wakes keep coming. */
	if (!woken || now - c->polled > POLL_US) {
		c->polled = now;
		blkdev_poll(c->s->disk);
	}
	collect(c);
	return woken;
}

void blk_sched_unbind(struct blk_sched_client *c)
{
	struct blk_sched *s = c->s;
	k_spinlock_key_t key = k_spin_lock(&s->lock);

	c->wake = &c->own_sem;
	c->thread = NULL;
	/* Its units off the disk but not collected leave the urgency count now, as its next ones
	 * will at once (client_absent): no thread may come for them before the device goes (a
	 * worker that faulted), and a less urgent VM would wait for them meanwhile. */
	for (unsigned i = 0; i < c->nr_finished; i++)
		out_remove(s, c->finished[i]);
	kick_others(s, c);
	k_spin_unlock(&s->lock, key);
}

bool blk_io_done(struct blk_sched_client *c, struct blk_io *io)
{
	if (!__atomic_load_n(&io->done, __ATOMIC_ACQUIRE))
		return false;
	c->pending--;
	return true;
}

void blk_sched_cancel(struct blk_sched_client *c)
{
	k_spinlock_key_t key = k_spin_lock(&c->s->lock);

	iosched_queue_remove(&c->s->sched, &c->q, io_finished, NULL);
	k_spin_unlock(&c->s->lock, key);
}

void blk_sched_client_stats(struct blk_sched_client *c, struct blk_sched_stats *out)
{
	k_spinlock_key_t key = k_spin_lock(&c->s->lock);

	*out = (struct blk_sched_stats){
	    .prio = c->prio,
	    .queued = c->q.queued,
	    .inflight = c->q.inflight,
	    .dispatched = c->dispatched,
	    .bytes = c->bytes,
	    .bypassed = c->bypassed,
	    .cancelled = c->cancelled,
	    .inline_units = c->inline_units,
	    .class_units = {c->class_units[0], c->class_units[1], c->class_units[2]},
	    .class_passed = c->class_passed};
	k_spin_unlock(&c->s->lock, key);
}
