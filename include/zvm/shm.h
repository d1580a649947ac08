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

#endif
