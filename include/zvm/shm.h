/*
 * Named shared-memory regions between VMs: pure bookkeeping (parsing the
 * `--shm` option and the refcounted region table). No hardware access here;
 * host pages come from the caller's alloc/free callbacks, so it runs in unit
 * tests on the host.
 *
 * Option syntax (one per region, repeatable):  NAME:SIZE_KB@IPA[:ro]
 *   NAME    1..SHM_NAME_MAX-1 chars of [A-Za-z0-9_-]
 *   SIZE_KB decimal KiB, a multiple of 4, 4..SHM_MAX_KB
 *   IPA     hex (0x...) or decimal, page aligned
 *   :ro     this VM maps the region read-only (stage 2 S2_RAM_RO)
 *
 * Invariants: a region in the table has refs >= 1 and exactly refs member
 * ids; its size never changes; its pages are freed only when refs drops to 0.
 */
#ifndef ZVM_SHM_H
#define ZVM_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SHM_NAME_MAX	16
#define SHM_MAX_KB	(64u * 1024u)
#define SHM_MAX_REGIONS 8 /* in the whole host */
#define SHM_MAX_MEMBERS 8 /* VMs per region */

struct shm_spec {
	char name[SHM_NAME_MAX];
	uint64_t size; /* bytes */
	uint64_t ipa;
	bool ro;
};

struct shm_region {
	char name[SHM_NAME_MAX];
	uint64_t size;
	uintptr_t host; /* base of the host pages; 0 = slot free */
	unsigned refs;
	int members[SHM_MAX_MEMBERS];
};

struct shm_table {
	struct shm_region r[SHM_MAX_REGIONS];
};

/* Allocates size bytes of zeroed, page-aligned host memory; 0 on failure. */
typedef uintptr_t (*shm_alloc_fn)(uint64_t size);
typedef void (*shm_free_fn)(uintptr_t host, uint64_t size);

/* Parses one option value. Returns 0, or -1 with *err set to a message. */
int shm_parse_spec(const char *arg, struct shm_spec *out, const char **err);

/*
 * Checks that [ipa, ipa+size) overlaps none of the n busy ranges (guest RAM,
 * devices, other regions), given as base/size pairs. 0, or -1 with *err.
 */
int shm_check_ipa(const struct shm_spec *s, const uint64_t (*busy)[2], size_t n, const char **err);

/*
 * Adds vm_id as a member of the region named s->name, creating it (pages from
 * alloc) if nobody has it yet. Returns the region, or NULL with *err set
 * (size differs from the existing region, too many members, table full,
 * allocation failed, already a member).
 */
struct shm_region *shm_attach(struct shm_table *t, const struct shm_spec *s, int vm_id,
			      shm_alloc_fn alloc, const char **err);

/* Drops vm_id from r; frees the pages when it was the last member. Returns
 * true when the region was freed. A non-member is ignored (false). */
bool shm_detach(struct shm_table *t, struct shm_region *r, int vm_id, shm_free_fn free_fn);

/* Index of vm_id in r's member list, or -1. */
int shm_member_index(const struct shm_region *r, int vm_id);

/* ---- Per VM: a list of regions, peers, the doorbell ---- */
#define SHM_VM_MAX 4 /* regions one VM maps */

/*
 * Parses "SPEC[,SPEC...]" (the `--shm` value; ',' cannot be in a name) into
 * out[0..*n). Refused with *err: a bad SPEC, more than max, a name given
 * twice, two of the VM's regions overlapping. 0 or -1.
 */
int shm_parse_list(const char *arg, struct shm_spec *out, unsigned max, unsigned *n,
		   const char **err);

/* Bit i set: VM i (i < 64) shares at least one region of t with vm_id; never
 * vm_id itself. The doorbell rings only these. */
uint64_t shm_peer_mask(const struct shm_table *t, int vm_id);

/*
 * Doorbell: one 4 KiB MMIO page per VM that maps a region; 32-bit accesses
 * only (others read as zero, writes ignored). PENDING/PEERS are 64-bit masks
 * of VM ids split in two words. The SPI is level: high while PENDING != 0.
 */
#define SHM_DB_BASE	  0x09100000ULL /* free in QEMU virt's layout */
#define SHM_DB_SIZE	  0x1000ULL
#define SHM_DB_ID	  0x00 /* RO: this VM's id */
#define SHM_DB_RING	  0x04 /* WO: a peer's id: raises the peer's doorbell SPI */
#define SHM_DB_PENDING_LO 0x08 /* RO: VMs that rang us and were not acknowledged */
#define SHM_DB_PENDING_HI 0x0c
#define SHM_DB_ACK_LO	  0x10 /* W1C: clears PENDING bits; the SPI drops at zero */
#define SHM_DB_ACK_HI	  0x14
#define SHM_DB_PEERS_LO	  0x18 /* RO: VMs sharing a region with us now */
#define SHM_DB_PEERS_HI	  0x1c
#define SHM_DB_RUNG	  0x20 /* RO: our rings that were delivered */
#define SHM_DB_REFUSED	  0x24 /* RO: our rings that were refused (not a peer) */
#define SHM_DB_RECEIVED	  0x28 /* RO: rings we received */

/* Whether VM self writing val to RING rings a peer: val must be the id of a
 * VM in peers (never self, never past 63). */
bool shm_db_ring_ok(uint64_t peers, unsigned self, uint64_t val);

#endif
