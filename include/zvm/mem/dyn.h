/* Dynamic guest RAM (`zvm new --mem dynamic`): nothing is allocated at creation; stage 2 starts
 * empty over RAM and each 4 KiB page gets a zeroed host page on its first access, on the
 * faulting vCPU's thread (s2_fault_thread), or when a loader writes it (vm_write).
 *
 * The seed's blocks: one `mem_dblock` per 2 MiB of IPA, created when a page in it is first
 * needed, holding a state per page. Always 4 KiB pages, never a 2 MiB block on a fault: a block
 * would zero 512 pages for one access and make resident memory grow in 2 MiB steps whatever
 * the guest touches; the state array is what the compressor (a later state) works on. */
#ifndef ZVM_MEM_DYN_H
#define ZVM_MEM_DYN_H

#include <kernel/mutex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MEM_DBLOCK_SIZE	 (2u << 20)
#define MEM_DBLOCK_PAGES 512

/* What backs one guest page. NEVER is 0, so a new block is all never-touched. */
enum mem_page_state {
	MEM_PAGE_NEVER = 0,  /* never touched: reads as zero, no host page */
	MEM_PAGE_RESIDENT,   /* host page pa[i], mapped at stage 2 (or being compressed) */
	MEM_PAGE_COMPRESSED, /* in zpool_host() under handle pa[i]; unmapped, no host page */
	MEM_PAGE_ZERO,	     /* was all zero when compressed: unmapped, no host page */
	/* A fault on COMPRESSED or ZERO comes to s2_fault_thread like NEVER (page_in). */
};

struct mem_dblock {
	uintptr_t pa[MEM_DBLOCK_PAGES];
	uint8_t state[MEM_DBLOCK_PAGES]; /* enum mem_page_state */
	/* Pins of a RESIDENT page (mem_dyn_pin): never compressed while non-zero, so its pa may
	 * be read without the lock. Gone with the page at a release (reset, delete). */
	uint8_t pins[MEM_DBLOCK_PAGES];
	unsigned resident;
};

/* The dynamic part of a vm_mem_partition. */
struct mem_dyn {
	struct k_mutex lock;	    /* page states and population; a sleeping lock (threads only) */
	struct mem_dblock **blocks; /* one per 2 MiB of RAM, NULL until first needed */
	unsigned nr_blocks;
	size_t resident;   /* bytes backed by host pages */
	size_t compressed; /* pages in state COMPRESSED */
	size_t zero;	   /* pages in state ZERO */
	size_t pool_bytes; /* pool bytes this VM's pages use (sum of the pool's used deltas) */
	/* zpool_load alone on this VM's page-ins, in counter ticks (k_uptime_ticks): the
	 * decompression cost the fault-in latency is measured against (make bench). */
	uint64_t loads, load_ticks_min, load_ticks_sum;
	uint64_t fault_ticks_min; /* mem_dyn_fault on a compressed page, lock to unlock, fewest */
	bool mem_wait; /* paused for want of host memory: the scanner resumes it (atomic) */
};

/* What one `zvm compress` pass did. */
struct mem_compress_result {
	unsigned compressed, zero, kept, warm; /* pages */
	size_t saved;			       /* host bytes freed minus pool bytes taken */
	uint64_t ticks;			       /* the pass, in counter ticks */
};

struct vm;

int mem_dyn_init(struct vm *vm, size_t size);
/* Gives every page back and unmaps them (the VM's vCPUs are stopped): all never-touched. */
void mem_dyn_release(struct vm *vm);
/* release, and the block table too. */
void mem_dyn_free(struct vm *vm);
/* The fault path's cure, on the vCPU thread: the page holding ipa (inside RAM) is resident and
 * mapped. 0, or -ENOMEM. */
int mem_dyn_fault(struct vm *vm, uint64_t ipa);
/* vm_read/vm_write for a dynamic VM: writes make pages resident, reads of never-touched pages
 * give zeros without allocating. Written data is cleaned to memory (the guest may start with
 * its caches off). */
int mem_dyn_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest);

/* Whether a compress pass takes a resident page: cold ones (access flag clear since the last
 * scan) always, warm ones only with `all`. Pure: unit-tested. */
static inline bool mem_compress_pick(bool accessed, bool all)
{
	return all || !accessed;
}

/* `zvm compress` (zvm/mem/compress.c): moves up to max_pages resident pages of a dynamic VM
 * into zpool_host(), one page per d->lock section; thread context, IRQs on. Cold pages only
 * unless all; warm pages get their access flag cleared for the next pass. 0, -EINVAL (static
 * VM), -ENODEV (no pool), -ENOMEM (no work memory). */
int mem_dyn_compress(struct vm *vm, size_t max_pages, bool all, struct mem_compress_result *r);
/* The same with the caller's LZO work memory (the scanner keeps one from boot: no allocation
 * when memory is short); never -ENOMEM. A pass stops early when the VM is being deleted. */
struct lzo_page_work;
int mem_dyn_compress_work(struct vm *vm, struct lzo_page_work *work, size_t max_pages, bool all,
			  struct mem_compress_result *r);

/* Set/way flushes (zvm/setway.c): fn(pa, arg) on each resident page from page index *cursor on,
 * in IPA order, at most MEM_DYN_EACH_MAX pages (or never-touched 2 MiB blocks) looked at with
 * d->lock held (a bounded hold: a vCPU faulting meanwhile waits for one stretch); *cursor
 * moves past them.
 * Returns true once *cursor has reached the end of RAM. Thread context. */
#define MEM_DYN_EACH_MAX 64
bool mem_dyn_each_resident(struct vm *vm, uint64_t *cursor, void (*fn)(uintptr_t pa, void *arg),
			   void *arg);

/* Pinning, for virtqueue rings (zvm/virtio/virtq_vm.c), which the transport reads and writes
 * under its spinlock with IRQs masked, where d->lock (a sleeping lock) may not be taken.
 * mem_dyn_pin, thread context: every page of [ipa, ipa + len) (inside RAM) resident, mapped
 * and pinned: 0, -EFAULT (outside RAM), -ENOMEM, -EBUSY (a page has 255 pins) or -EIO (its
 * pool copy is corrupt: the VM is stopped); on an error nothing stays pinned.
 * mem_dyn_unpin undoes one pin of each page (pages a release took meanwhile are skipped).
 * mem_dyn_pinned_copy, any context, no lock: copies when every page of the range is pinned
 * (0), else -EAGAIN and nothing is copied. */
#define MEM_PIN_MAX 255
int mem_dyn_pin(struct vm *vm, uint64_t ipa, uint64_t len);
void mem_dyn_unpin(struct vm *vm, uint64_t ipa, uint64_t len);
int mem_dyn_pinned_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest);
/* The host address of a pinned 2-aligned halfword (one page), else NULL. No lock. */
volatile uint16_t *mem_dyn_pinned16(struct vm *vm, uint64_t ipa);

/* Debug, for the checksum path's test: corrupts the pool copy of the compressed page at ipa
 * (zpool_debug_corrupt); the guest's next access to it stops the VM. 0, -ENOENT (that page is
 * not compressed), -EFAULT (not in a dynamic VM's RAM), -ENODEV (no pool). */
int mem_dyn_corrupt(struct vm *vm, uint64_t ipa);

/* The low-watermark scanner (zvm/mem/reclaim.c). A vCPU thread whose fault found no host page
 * pauses its VM and calls this: the scanner runs the VM again once memory is free
 * (reclaim_policy.h), whether its own compression or a deleted VM freed it. */
void mem_reclaim_wait(struct vm *vm);

#endif
