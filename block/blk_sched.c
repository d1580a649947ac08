/* Host block layer: the I/O scheduler (block/iosched.c) in front of each disk
 * (include/block/blk_sched.h). Invariant: a client's queue is in the scheduler from attach to
 * detach (dead between a cancel and the next prepare); a unit's members stay valid until its
 * completion callback ran, since their owners wait for it (detach included). One thread at a
 * time sends a disk's units (the one that set busy): its dispatcher, or a submitter running its
 * own units inline (run_units). */
#include <block/blk_sched.h>
#include <drivers/virtio_blk.h>
#include <errno.h>
#include <kernel/init_hook.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <kernel/stack.h>
#include <kernel/thread.h>
#include <lib/format.h>
#include <stddef.h>

/* The largest merged unit: the host driver's bounce buffer (64 KiB). */
#define MERGE_MAX_SECTORS 128

struct blk_sched {
	struct blkdev *disk;
	struct k_spinlock lock;
	struct iosched sched;
	struct blk_sched_client *clients;
	bool busy;	   /* a thread is running units (under lock) */
	struct k_sem kick; /* something was queued, or busy was given back with units queued */
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
	k_sem_give(&c->sem);
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
			k_sem_give(&owner(q)->sem);
		}
	}
}

/* Runs the disk's units, busy set by the caller, and gives busy back: the dispatcher (mine
 * NULL) until none is left; a client (blk_sched_run_one) one unit of its own, none when the
 * next is another client's, which the dispatcher is then woken for (so a client never runs
 * another's units, and stops as soon as a more urgent one waits). Returns the units run. */
static unsigned run_units(struct blk_sched *s, struct blk_sched_client *mine)
{
	for (unsigned n = 0;; n++) {
		struct iosched_req *u = NULL;
		struct iosched_queue *q;
		struct again ag;
		k_spinlock_key_t key;
		bool handover = false;

		key = k_spin_lock(&s->lock);
		if (!mine || (!n && iosched_peek(&s->sched) == &mine->q))
			u = iosched_next(&s->sched);
		if (u) {
			account(s, u, mine != NULL);
		} else {
			s->busy = false;
			/* Units of others wait: the dispatcher. Its own: its next call. */
			handover = mine && s->sched.ready && iosched_peek(&s->sched) != &mine->q;
		}
		k_spin_unlock(&s->lock, key);
		if (!u) {
			if (handover)
				k_sem_give(&s->kick);
			return n;
		}
		/* Members in sector order, each its own host request: merging orders the disk's
		 * work, each member keeps its own buffers and status. */
		for (struct iosched_req *m = u->mfirst; m; m = m->mnext) {
			struct blk_io *io = m->cookie;

			io->status = io->fn(io);
			io->again = !io->status && io->next && io->next(io);
		}
		key = k_spin_lock(&s->lock);
		ag.n = 0;
		q = u->q;
		iosched_complete(&s->sched, u, 0, io_finished, &ag);
		requeue(s, q, &ag);
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
			run_units(s, NULL);
	}
}

static void blk_sched_boot(void)
{
	struct blkdev *d;

	for (unsigned i = 0; (d = blkdev_nth(i)) && i < BLKDEV_MAX; i++) {
		struct blk_sched *s = &scheds[i];
		void *stack = k_stack_alloc();

		iosched_init(&s->sched, MERGE_MAX_SECTORS);
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
	k_sem_init(&c->sem, 0, BLK_SCHED_SLOTS);
	key = k_spin_lock(&s->lock);
	err = iosched_queue_add(&s->sched, &c->q, prio, c->pool, BLK_SCHED_SLOTS);
	if (!err) {
		c->next = s->clients;
		s->clients = c;
	}
	k_spin_unlock(&s->lock, key);
	return err;
}

/* Client thread: waits until nothing of c is pending. In flight, a request ends with its host
 * request (bounded by the driver's timeout); queued ones were cancelled by the caller. */
static void drain(struct blk_sched_client *c)
{
	k_spinlock_key_t key;
	bool busy;

	do {
		key = k_spin_lock(&c->s->lock);
		busy = c->q.inflight || c->q.queued;
		k_spin_unlock(&c->s->lock, key);
		if (busy)
			k_sleep_ms(1);
	} while (busy);
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

void blk_sched_prepare(struct blk_sched_client *c, unsigned prio)
{
	k_spinlock_key_t key;

	if (prio >= IOSCHED_PRIOS)
		prio = IOSCHED_PRIOS - 1;
	key = k_spin_lock(&c->s->lock);
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
	/* Its own thread sends it (blk_sched_run_one), unless that thread is under a CPU budget:
	 * it could be throttled while it has the disk. */
	if (k_current()->budget)
		k_sem_give(&c->s->kick);
	return 0;
}

bool blk_sched_run_one(struct blk_sched_client *c)
{
	struct k_thread *cur = k_current();
	unsigned ran;
	int prio;

	if (cur->budget || !take_busy(c->s))
		return false;
	/* A ceiling above every VM: a VM's thread must not be kept from the disk's work by
	 * another VM's equally urgent vCPU while other VMs wait for the disk. Having the disk is
	 * holding a lock: a fault inside panics, as on the dispatcher (kernel/recover.h). */
	prio = k_thread_boost(BLK_SCHED_CEILING);
	cur->mutexes_held++;
	ran = run_units(c->s, c);
	cur->mutexes_held--;
	k_thread_unboost(prio);
	return ran != 0;
}

void blk_sched_wait(struct blk_sched_client *c, uint32_t timeout_us)
{
	k_sem_take(&c->sem, (k_timeout_t){.v = timeout_us, .kind = Z_TIMEOUT_US});
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
