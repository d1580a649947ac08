/* Host I/O scheduler: pure logic between the guest-facing virtio-blk back ends and the host
 * block driver. No hardware, no allocation, no locks: the caller holds one lock around every
 * call (the scheduler core never blocks, so a spinlock is fine).
 *
 * Policy (what a user of ionice inside a guest gets):
 * - VM priority first, strictly: queues carry the VM's scheduling priority with the kernel's
 *   convention (0 most urgent; VMs use VM_PRIO_MIN..VM_PRIO_MAX). A busy more urgent VM starves
 *   less urgent ones, as it does for CPU time: this is a real-time system.
 * - Among queues of the same priority: round robin, one dispatch unit per turn, so none starves.
 * - Within a VM, by the request header's ioprio as Linux encodes it: class in bits 15:13
 *   (RT 1, BE 2, IDLE 3), level in bits 2:0 (0 most urgent). RT before BE before IDLE, then by
 *   level, strictly; FIFO among requests of the same class and level. NONE (0) and the invalid
 *   classes 4..7 count as BE at the queue's default level (4, like Linux for nice 0). As in
 *   Linux, IDLE (and a less urgent level) starves while its VM keeps more urgent I/O queued.
 * - FLUSH is a full barrier for its VM: it is dispatched once every earlier request of the VM
 *   has completed, and no later request of the VM is dispatched before it has completed.
 * - Merging: a new IN or OUT request adjacent (after or before) to the last unit queued with the
 *   same class and level in its VM and with the same op joins that unit, up to max_sectors per
 *   unit; each member still completes on its own. Never across a FLUSH.
 *
 * Cost: submit, next and complete are O(1) per unit plus O(members) to complete them; a FLUSH
 * completion moves the requests held behind it (each request is moved at most once). Queue
 * removal is O(queued). */
#ifndef BLOCK_IOSCHED_H
#define BLOCK_IOSCHED_H

#include <stdbool.h>
#include <stdint.h>

enum iosched_op {
	IOSCHED_IN,
	IOSCHED_OUT,
	IOSCHED_FLUSH,
	IOSCHED_DISCARD,
	IOSCHED_WRITE_ZEROES,
};

#define IOPRIO_CLASS_NONE	0
#define IOPRIO_CLASS_RT		1
#define IOPRIO_CLASS_BE		2
#define IOPRIO_CLASS_IDLE	3
#define IOPRIO_PRIO(cls, level) ((uint16_t)(((cls) << 13) | ((level)&7)))

#define IOSCHED_PRIOS	      32 /* queue priorities 0..31 */
#define IOSCHED_LEVELS	      8
#define IOSCHED_LISTS	      (3 * IOSCHED_LEVELS) /* RT, BE, IDLE x level */
#define IOSCHED_DEFAULT_LEVEL 4

struct iosched_queue;

/* One request; also a dispatch unit when it leads one (it sits in a FIFO). Storage comes from
 * the queue's pool. A unit's members, in sector order: m = u->mfirst; m; m = m->mnext. */
struct iosched_req {
	struct iosched_req *next; /* FIFO or free list */
	struct iosched_req *mnext;
	struct iosched_queue *q;
	void *cookie; /* the caller's: buffers, the guest request */
	uint64_t sector;
	uint32_t nr_sectors;
	uint8_t op;
	uint8_t list; /* class index * IOSCHED_LEVELS + level */
	/* Unit fields, valid in the leader only. */
	struct iosched_req *mfirst, *mlast;
	uint64_t u_sector;
	uint32_t u_nr_sectors;
	uint32_t u_members;
};

struct iosched_fifo {
	struct iosched_req *head, *tail;
};

struct iosched_queue {
	struct iosched_queue *rnext, *rprev; /* ring of ready queues of this priority */
	bool on_ring, dead, flush_inflight;
	uint8_t prio, default_level;
	uint32_t mask; /* bit i: lists[i] not empty */
	struct iosched_fifo lists[IOSCHED_LISTS];
	struct iosched_fifo held; /* behind a FLUSH (at its head unless flush_inflight) */
	struct iosched_req *free;
	unsigned inflight; /* units dispatched, not completed */
	unsigned queued;   /* requests submitted, not dispatched */
};

struct iosched {
	struct iosched_queue *ring[IOSCHED_PRIOS];
	uint32_t ready; /* bit p: ring[p] not empty */
	uint32_t max_sectors;
};

/* Called once per member on completion or cancellation (status -ECANCELED). */
typedef void (*iosched_done_fn)(struct iosched_req *r, int status, void *arg);

/* max_sectors: the largest merged unit (a single larger request is still accepted). */
void iosched_init(struct iosched *s, uint32_t max_sectors);
/* Registers q at priority prio (0..IOSCHED_PRIOS-1) with pool[0..n-1] as its request storage.
 * 0 or -EINVAL. */
int iosched_queue_add(struct iosched *s, struct iosched_queue *q, unsigned prio,
		      struct iosched_req *pool, unsigned n);
/* Cancels every queued request of q (done with -ECANCELED) and refuses new ones. Returns the
 * number of units still in flight: q and its pool must live until they are completed. */
unsigned iosched_queue_remove(struct iosched *s, struct iosched_queue *q, iosched_done_fn done,
			      void *arg);
/* Queues one request. 0, -EINVAL (bad op, empty or overflowing range), -EAGAIN (pool empty:
 * retry after a completion) or -ENODEV (queue removed). */
int iosched_submit(struct iosched *s, struct iosched_queue *q, enum iosched_op op, uint64_t sector,
		   uint32_t nr_sectors, uint16_t ioprio, void *cookie);
/* The next unit to send to the device, or NULL when nothing may go now. */
struct iosched_req *iosched_next(struct iosched *s);
/* The queue iosched_next would take a unit from now (no state changes), or NULL. */
struct iosched_queue *iosched_peek(const struct iosched *s);
/* The unit iosched_next would return now (no state changes), or NULL. */
const struct iosched_req *iosched_peek_unit(const struct iosched *s);
/* The device finished unit u: done for each member, storage back to the pool. */
void iosched_complete(struct iosched *s, struct iosched_req *u, int status, iosched_done_fn done,
		      void *arg);

#endif
