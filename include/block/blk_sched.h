/* Host block layer: the I/O scheduler (block/iosched.c, pure) between the guests' virtio-blk
 * devices and each host disk (drivers/virtio_blk.c, one request in flight per disk).
 *
 * Per disk, one thread at a time takes the most urgent unit from the scheduler, runs each
 * member's fn, completes the unit and wakes the submitters: the disk's dispatcher thread
 * (started at boot, prio BLK_SCHED_PRIO), or, when the disk is idle and the next unit is a
 * client's own, that client's thread (blk_sched_run_one, one unit per call: no thread switch
 * on the way to the disk; a more urgent client's unit goes to the dispatcher).
 * The scheduler's state is under a spinlock held only for O(1) scheduler calls (and the
 * completion callbacks, which only set flags and give semaphores): no I/O or copy under it.
 *
 * A client (one per guest device) owns a queue with BLK_SCHED_SLOTS requests of storage. Its
 * thread submits requests (struct blk_io, the caller's memory, alive until done) and waits on
 * blk_sched_wait(); a request is finished when blk_io_done() says so. Only the client's thread
 * calls the client functions; fn and next run on whichever thread dispatches (one at a time per
 * disk), possibly inside the client's own blk_sched_submit. */
#ifndef BLOCK_BLK_SCHED_H
#define BLOCK_BLK_SCHED_H

#include <block/iosched.h>
#include <kernel/sem.h>
#include <stdbool.h>
#include <stdint.h>

#define BLK_SCHED_SLOTS	  8 /* requests in flight per client */
#define BLK_SCHED_PRIO	  2 /* the dispatcher: as urgent as the most urgent VM (VM_PRIO_MIN) */
#define BLK_SCHED_CEILING 1 /* a client sending its own unit: above every VM */

struct blkdev;
struct blk_sched;
struct blk_io;

/* Runs on the thread that has the disk: the request's I/O; 0 or a negative errno (its status). */
typedef int (*blk_io_fn)(struct blk_io *io);
/* Optional, on the same thread after fn succeeded: true when io was set up for its next piece,
 * which is queued again at once (the tail of its class: others get their turn), without waking
 * the client; false when io is complete. */
typedef bool (*blk_io_next_fn)(struct blk_io *io);

struct blk_io {
	blk_io_fn fn;
	blk_io_next_fn next;
	void *arg; /* the caller's */
	enum iosched_op op;
	uint64_t sector; /* on the disk */
	uint32_t nr_sectors;
	uint16_t ioprio; /* Linux's encoding, as in the virtio-blk header */
	/* Set by the scheduler side. */
	int status;
	bool again; /* the disk's thread only: queue the next piece instead of completing */
	bool done;  /* atomic: the disk's thread sets it (release), the client reads it (acquire) */
};

struct blk_sched_client {
	struct blk_sched *s;
	struct blk_sched_client *next; /* the disk's clients, under the disk's lock */
	struct iosched_queue q;
	struct iosched_req pool[BLK_SCHED_SLOTS];
	struct k_sem sem; /* a request of this client completed */
	unsigned pending; /* submitted, not yet done (client thread only) */
	unsigned prio;	  /* the queue's priority */
	/* Under the disk's lock. */
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
 * have changed) and revives it after a blk_sched_cancel. */
void blk_sched_prepare(struct blk_sched_client *c, unsigned prio);
/* Queues io (io->done false until it completes): 0, or a negative errno (then io is not
 * queued): -EAGAIN when BLK_SCHED_SLOTS are pending, -ENODEV after blk_sched_cancel. The
 * client then calls blk_sched_run_one() until its requests are done. */
int blk_sched_submit(struct blk_sched_client *c, struct blk_io *io);
/* When the disk is idle and its next unit is c's: sends that one unit from this thread (at
 * BLK_SCHED_CEILING; it may sleep until the disk answers) and returns true. Else false: the
 * thread that has the disk, or the dispatcher, sends c's units; wait with blk_sched_wait().
 * Always false for a thread under a CPU budget (its units go to the dispatcher). */
bool blk_sched_run_one(struct blk_sched_client *c);
/* Sleeps until a request of c completes or timeout_us passes. */
void blk_sched_wait(struct blk_sched_client *c, uint32_t timeout_us);
/* Whether io completed; when it did, it is no longer pending (call once per completion). */
bool blk_io_done(struct blk_sched_client *c, struct blk_io *io);
/* Takes back every queued request of c (each completes with -ECANCELED) and refuses new ones
 * until blk_sched_prepare. Requests in flight complete as usual. */
void blk_sched_cancel(struct blk_sched_client *c);
void blk_sched_client_stats(struct blk_sched_client *c, struct blk_sched_stats *out);

#endif
