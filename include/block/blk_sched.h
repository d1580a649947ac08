/* Host block layer: the I/O scheduler (block/iosched.c, pure) between the guests' virtio-blk
 * devices and each host disk (drivers/virtio_blk.c, several requests on the device at once).
 *
 * Per disk, one thread at a time sends units: takes the most urgent unit from the scheduler and
 * runs each member's fn, which starts the member's I/O (completion later, possibly from the
 * disk's interrupt, through blk_io_finish) or does it before returning. The sender goes on with
 * the next unit while the disk has room (blkdev_queue_depth requests) and nothing more urgent
 * than that unit is on the disk, so the disk's bandwidth goes to the most urgent VM. The sender
 * is the disk's dispatcher thread (started at boot, prio BLK_SCHED_PRIO) or, for its own units
 * when they are next, a client's thread (blk_sched_run: no thread switch on the way to the
 * disk). A unit that left the disk is completed by its client's thread (next pieces queued,
 * members done) in blk_sched_run or blk_sched_wait, at the client's priority.
 * The scheduler's state is under a spinlock held only for O(1) scheduler calls and O(depth)
 * checks (and the completion callbacks, which only set flags and give semaphores): no I/O or
 * copy under it.
 *
 * A client (one per guest device) owns a queue with BLK_SCHED_SLOTS requests of storage. Its
 * thread submits requests (struct blk_io, the caller's memory, alive until done) and calls
 * blk_sched_run() / blk_sched_wait(); a request is finished when blk_io_done() says so. Only the
 * client's thread calls the client functions (detach: once that thread is gone). */
#ifndef BLOCK_BLK_SCHED_H
#define BLOCK_BLK_SCHED_H

#include <block/iosched.h>
#include <kernel/sem.h>
#include <stdbool.h>
#include <stdint.h>

#define BLK_SCHED_SLOTS	  8 /* requests in flight per client */
#define BLK_SCHED_PRIO	  2 /* the dispatcher: as urgent as the most urgent VM (VM_PRIO_MIN) */
#define BLK_SCHED_CEILING 1 /* a client sending its own unit: above every VM */
#define BLK_SCHED_DEPTH	  8 /* members on the disk at once, at most */
#define BLK_IO_STARTED	  1 /* blk_io_fn: the I/O was started, blk_io_finish follows */

struct blkdev;
struct blk_sched;
struct blk_io;

/* Runs on the thread that sends the unit: starts the request's I/O and returns BLK_IO_STARTED
 * (then blk_io_finish(io, status) is called once, from any context), or does it and returns 0
 * or a negative errno (its status). */
typedef int (*blk_io_fn)(struct blk_io *io);
/* Optional, on the client's thread after the request's I/O succeeded: true when io was set up
 * for its next piece, which is queued again at once (the tail of its class: others get their
 * turn), false when io is complete. */
typedef bool (*blk_io_next_fn)(struct blk_io *io);

struct blk_io {
	blk_io_fn fn;
	blk_io_next_fn next;
	void *arg; /* the caller's */
	enum iosched_op op;
	uint64_t sector; /* on the disk */
	uint32_t nr_sectors;
	uint16_t ioprio; /* Linux's encoding, as in the virtio-blk header */
	/* Set by the caller before blk_io_finish: its request is answered already (from the
	 * disk's interrupt), so its thread may collect it later; no CPU handoff to it. */
	bool answered;
	/* Set by the scheduler side. */
	int status;
	bool again; /* queue the next piece instead of completing */
	bool done;  /* atomic: set under the lock (release), the client reads it (acquire) */
	struct blk_sched_client *c;
	struct iosched_req *unit; /* the unit it was sent in */
	unsigned unit_left;	  /* in the unit leader's io: members not finished, + 1 sending */
};

struct blk_sched_client {
	struct blk_sched *s;
	struct blk_sched_client *next; /* the disk's clients, under the disk's lock */
	struct iosched_queue q;
	struct iosched_req pool[BLK_SCHED_SLOTS];
	struct k_sem own_sem;
	struct k_sem *wake; /* given when a unit of it left the disk: own_sem or the caller's */
	struct k_thread *thread; /* the client's, from blk_sched_prepare */
	uint64_t polled;	 /* its last blkdev_poll, uptime us */
	unsigned pending;	 /* submitted, not yet done (client thread only) */
	unsigned prio;		 /* the queue's priority */
	/* Under the disk's lock. */
	struct iosched_req *finished[BLK_SCHED_SLOTS]; /* units off the disk, to complete */
	unsigned nr_finished;
	uint64_t dispatched;   /* requests sent to the disk */
	uint64_t inline_units; /* units of it sent by its own thread (blk_sched_submit) */
	uint64_t bytes;	       /* their data */
	uint64_t bypassed;  /* units of other clients dispatched while this one had some queued */
	uint64_t cancelled; /* requests taken back before dispatch */
	uint64_t class_units[3]; /* units dispatched per ioprio class: RT, BE, IDLE */
	uint64_t class_passed;	 /* units sent while a more urgent class of this client waited */
};

struct blk_sched_stats {
	unsigned prio, queued, inflight;
	uint64_t dispatched, bytes, bypassed, cancelled, inline_units;
	uint64_t class_units[3], class_passed;
};

/* Attaches c to disk's scheduler at priority prio (0..IOSCHED_PRIOS-1): 0, -ENODEV (no
 * scheduler for this disk), -EINVAL. */
int blk_sched_attach(struct blk_sched_client *c, struct blkdev *disk, unsigned prio);
/* Cancels what is queued, waits for what is in flight, and detaches c. */
void blk_sched_detach(struct blk_sched_client *c);
/* Before submitting while nothing is pending: moves the queue to priority prio (the VM's may
 * have changed), revives it after a blk_sched_cancel, and sets what wakes c's thread: wake
 * (NULL: a semaphore of c's own; a device worker passes its own wake-up, so one wait serves the
 * guest's notifications and the disk's completions). */
void blk_sched_prepare(struct blk_sched_client *c, unsigned prio, struct k_sem *wake);
/* Queues io (io->done false until it completes): 0, or a negative errno (then io is not
 * queued): -EAGAIN when BLK_SCHED_SLOTS are pending, -ENODEV after blk_sched_cancel. The
 * client then calls blk_sched_run() and blk_sched_wait() until its requests are done. */
int blk_sched_submit(struct blk_sched_client *c, struct blk_io *io);
/* Completes c's units that left the disk, then, while c's units are next and may go, sends
 * them from this thread (at BLK_SCHED_CEILING: an fn that does its I/O itself sleeps until
 * the disk answers). True when it completed or sent anything. A thread under a CPU budget
 * sends nothing (the dispatcher does: it could be throttled while it has the disk). */
bool blk_sched_run(struct blk_sched_client *c);
/* Sleeps until c is woken (a unit of c left the disk, or the caller's own wake-up) or
 * timeout_us passes, then completes c's units that left the disk. True when woken (the
 * wake-up was taken: a caller sharing it with other events must look for them). */
bool blk_sched_wait(struct blk_sched_client *c, uint32_t timeout_us);
/* Before the thread that prepare named, or the wake-up it gave, goes away while requests of c
 * may still be queued or on the disk (a worker that faulted in a pass): completions wake c's
 * own semaphore from then on, and c's units off the disk no longer hold less urgent clients
 * back. Any thread. */
void blk_sched_unbind(struct blk_sched_client *c);
/* For an fn that returned BLK_IO_STARTED: io's I/O ended with status. Any context. */
void blk_io_finish(struct blk_io *io, int status);
/* Whether io completed; when it did, it is no longer pending (call once per completion). */
bool blk_io_done(struct blk_sched_client *c, struct blk_io *io);
/* Takes back every queued request of c (each completes with -ECANCELED) and refuses new ones
 * until blk_sched_prepare. Requests in flight complete as usual. */
void blk_sched_cancel(struct blk_sched_client *c);
void blk_sched_client_stats(struct blk_sched_client *c, struct blk_sched_stats *out);

#endif
