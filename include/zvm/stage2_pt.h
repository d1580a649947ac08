/* Stage-2 translation tables as pure data structure logic: 4 KiB granule, walk from level 1
 * (concatenated first-level tables), 2 MiB blocks where aligned. No system register, no lock:
 * the hardware side (zvm/stage2.c) holds the VM's stage-2 lock around every call and supplies
 * the hooks; the host unit test supplies recording ones.
 *
 * Invariant kept by every call (break-before-make, Arm ARM D8.16): a valid entry is never
 * rewritten in place. It is first made invalid, tlbi_ipa() is called with its IPA and level,
 * tlbi_sync() completes the invalidation, and only then is the new entry written. The one
 * exception is setting the access flag (AF 0 -> 1): entries that generate Access flag faults
 * are never cached in a TLB, so there is nothing stale to invalidate. */
#ifndef ZVM_STAGE2_PT_H
#define ZVM_STAGE2_PT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define S2PT_PAGE  (1ULL << 12)
#define S2PT_BLOCK (1ULL << 21)

/* Permissions, combinable. */
#define S2PT_R 1u
#define S2PT_W 2u
#define S2PT_X 4u
/* Memory type Device-nGnRE instead of normal write-back: a passed-through device's registers.
 * Never executable (S2PT_X is ignored with it: speculative fetches must not touch a device).
 * Chosen at map time; s2pt_protect() keeps the type and changes only R/W. */
#define S2PT_DEV 8u

struct s2pt_hooks {
	/* A zeroed, 4 KiB aligned 4 KiB table (its address is its PA), or NULL. */
	void *(*table_alloc)(void *ctx);
	void (*table_free)(void *ctx, void *table);
	/* Entry writes are visible to the table walker (DSB ISHST). */
	void (*publish)(void *ctx);
	/* The entry translating ipa at level was made invalid: invalidate it (DSB ISHST; TLBI
	 * IPAS2E1IS). */
	void (*tlbi_ipa)(void *ctx, uint64_t ipa, int level);
	/* Complete the invalidations since the last call (DSB ISH; TLBI VMALLE1IS; DSB ISH). */
	void (*tlbi_sync)(void *ctx);
};

struct s2pt {
	uint64_t *root;
	unsigned root_entries; /* 512 per concatenated first-level table */
	const struct s2pt_hooks *hooks;
	void *ctx;
	size_t nr_tables; /* tables below the root */
};

/* A leaf as seen by s2pt_lookup(). */
struct s2pt_leaf {
	uint64_t pa;  /* of the looked-up IPA (offset included) */
	uint64_t ipa; /* where the leaf starts */
	uint64_t size;
	unsigned perm;
	bool af;
	int level;
};

/* root must be zeroed, root_entries a multiple of 512. */
void s2pt_init(struct s2pt *pt, uint64_t *root, unsigned root_entries,
	       const struct s2pt_hooks *hooks, void *ctx);
/* Maps [ipa, ipa + size) to [pa, ...) with perm and the access flag af; 2 MiB blocks where
 * both are aligned and no table is in the way. Replaces what was mapped there (splitting
 * blocks that are only partly covered). Page aligned or -EINVAL; -ENOMEM leaves a part mapped
 * (every entry consistent). */
int s2pt_map(struct s2pt *pt, uint64_t ipa, uint64_t pa, uint64_t size, unsigned perm, bool af);
/* Unmaps the range; blocks partly inside are split first (-ENOMEM then). Tables stay. */
int s2pt_unmap(struct s2pt *pt, uint64_t ipa, uint64_t size);
/* New permissions on whatever is mapped in the range. */
int s2pt_protect(struct s2pt *pt, uint64_t ipa, uint64_t size, unsigned perm);
/* Clears the access flag in the range: the next access faults (access tracking). Adds to
 * *accessed (if not NULL) the bytes whose flag was set: test and clear in one pass. */
int s2pt_clear_af(struct s2pt *pt, uint64_t ipa, uint64_t size, uint64_t *accessed);
/* Sets the access flag of the leaf holding ipa: true if a leaf is mapped there. */
bool s2pt_set_af(struct s2pt *pt, uint64_t ipa);
/* Splits the block holding ipa into 512 next-level entries with the same attributes. 0 also
 * when ipa is in a page or unmapped. */
int s2pt_split(struct s2pt *pt, uint64_t ipa);
/* The leaf translating ipa: true and *leaf filled, or false when unmapped. */
bool s2pt_lookup(const struct s2pt *pt, uint64_t ipa, struct s2pt_leaf *leaf);
/* Whether the leaf lets an access through: an instruction fetch, a write or a read (a stage-1
 * walk is a read); the access flag is set. */
bool s2pt_allows(const struct s2pt_leaf *leaf, bool instr, bool write);
/* Frees every table below the root (the caller invalidates the whole VMID). */
void s2pt_free_tables(struct s2pt *pt);

#endif
