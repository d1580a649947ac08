/* Stage-2 table logic (see include/zvm/stage2_pt.h): runs in the hypervisor and on the host. */
#include <errno.h>
#include <zvm/stage2_pt.h>

#define ENTRIES 512

#define D_VALID	  (1ULL << 0)
#define D_TABLE	  (1ULL << 1) /* next-level table, or a page at level 3 */
#define D_MEM_WB  (0xfULL << 2)
#define D_MEM_DEV (0x1ULL << 2) /* MemAttr 0b0001: Device-nGnRE */
#define D_MEMATTR (0xfULL << 2)
#define D_S2AP_R  (1ULL << 6)
#define D_S2AP_W  (1ULL << 7)
#define D_SH_IS	  (3ULL << 8)
#define D_AF	  (1ULL << 10)
#define D_XN	  (2ULL << 53) /* XN[1:0] = 0b10: no execution at EL1 or EL0 */
#define D_ADDR	  0x0000fffffffff000ULL
#define D_PERM	  (D_S2AP_R | D_S2AP_W | D_XN)
#define D_ATTRS	  (~(D_ADDR | D_VALID | D_TABLE))
#define BBM_BATCH 32

/* Valid entries made invalid and invalidated by IPA, whose new values wait for the sync. */
struct bbm {
	uint64_t *e[BBM_BATCH];
	uint64_t val[BBM_BATCH];
	unsigned n;
	bool pending; /* a tlbi_ipa() not yet completed by tlbi_sync() */
};

static unsigned shift_of(int level)
{
	return 12 + 9 * (3 - level);
}

static uint64_t *table_of(uint64_t e)
{
	return (uint64_t *)(uintptr_t)(e & D_ADDR);
}

static bool is_table(uint64_t e, int level)
{
	return level < 3 && (e & (D_VALID | D_TABLE)) == (D_VALID | D_TABLE);
}

static uint64_t *entry_of(const struct s2pt *pt, uint64_t *table, int level, uint64_t ipa)
{
	uint64_t idx = ipa >> shift_of(level);

	return &table[level == 1 ? idx % pt->root_entries : idx & (ENTRIES - 1)];
}

/* The entry for ipa at level `to`, or the leaf or invalid entry met before it. */
static uint64_t *walk(const struct s2pt *pt, uint64_t ipa, int to, int *level)
{
	uint64_t *table = pt->root;

	for (int l = 1;; l++) {
		uint64_t *e = entry_of(pt, table, l, ipa);

		if (l == to || !is_table(*e, l)) {
			*level = l;
			return e;
		}
		table = table_of(*e);
	}
}

static void bbm_flush(struct s2pt *pt, struct bbm *b)
{
	if (b->pending)
		pt->hooks->tlbi_sync(pt->ctx);
	for (unsigned i = 0; i < b->n; i++)
		*b->e[i] = b->val[i];
	pt->hooks->publish(pt->ctx);
	b->n = 0;
	b->pending = false;
}

/* *e (translating ipa at level) becomes val, with break-before-make if it was valid. */
static void bbm_change(struct s2pt *pt, struct bbm *b, uint64_t *e, uint64_t val, uint64_t ipa,
		       int level)
{
	uint64_t old = *e;

	if (old == val)
		return;
	if (!(old & D_VALID) || (!(old & D_AF) && (old | D_AF) == val)) {
		*e = val; /* nothing of it can be in a TLB (see the header) */
		return;
	}
	*e = 0;
	pt->hooks->tlbi_ipa(pt->ctx, ipa & ~((1ULL << shift_of(level)) - 1), level);
	b->pending = true;
	if (!(val & D_VALID))
		return;
	if (b->n == BBM_BATCH)
		bbm_flush(pt, b); /* its sync also covers the invalidation just made */
	b->e[b->n] = e;
	b->val[b->n++] = val;
}

static uint64_t *new_table(struct s2pt *pt)
{
	uint64_t *t = pt->hooks->table_alloc(pt->ctx);

	if (t)
		pt->nr_tables++;
	return t;
}

/* The block *e at level becomes a table of 512 entries with its attributes. Completes before
 * returning, as a software walk must see the new table. */
static int split(struct s2pt *pt, struct bbm *b, uint64_t *e, int level, uint64_t ipa)
{
	uint64_t old = *e, *t = new_table(pt);
	uint64_t step = 1ULL << shift_of(level + 1);
	uint64_t pa = old & D_ADDR & ~((1ULL << shift_of(level)) - 1);
	uint64_t type = level + 1 == 3 ? D_TABLE : 0;

	if (!t)
		return -ENOMEM;
	for (unsigned i = 0; i < ENTRIES; i++)
		t[i] = (pa + i * step) | (old & D_ATTRS) | type | D_VALID;
	pt->hooks->publish(pt->ctx);
	bbm_change(pt, b, e, (uintptr_t)t | D_TABLE | D_VALID, ipa, level);
	bbm_flush(pt, b);
	return 0;
}

/* The entry for ipa at level `target`, creating tables and splitting blocks on the way. */
static int entry_at(struct s2pt *pt, struct bbm *b, uint64_t ipa, int target, uint64_t **out)
{
	for (;;) {
		int level;
		uint64_t *e = walk(pt, ipa, target, &level);

		if (level == target) {
			*out = e;
			return 0;
		}
		if (*e & D_VALID) {
			int err = split(pt, b, e, level, ipa);

			if (err)
				return err;
			continue;
		}
		uint64_t *t = new_table(pt);

		if (!t)
			return -ENOMEM;
		pt->hooks->publish(pt->ctx); /* the zeroed table before the link to it */
		*e = (uintptr_t)t | D_TABLE | D_VALID;
	}
}

static uint64_t perm_bits(unsigned perm)
{
	return (perm & S2PT_R ? D_S2AP_R : 0) | (perm & S2PT_W ? D_S2AP_W : 0) |
	       (perm & S2PT_X && !(perm & S2PT_DEV) ? 0 : D_XN);
}

/* Memory type and shareability: device memory is Outer Shareable whatever SH says, so SH
 * stays 0 there. */
static uint64_t type_bits(unsigned perm)
{
	return perm & S2PT_DEV ? D_MEM_DEV : D_MEM_WB | D_SH_IS;
}

static bool range_ok(const struct s2pt *pt, uint64_t ipa, uint64_t size)
{
	uint64_t limit = (uint64_t)pt->root_entries << shift_of(1);

	return !((ipa | size) & (S2PT_PAGE - 1)) && ipa + size >= ipa && ipa + size <= limit;
}

void s2pt_init(struct s2pt *pt, uint64_t *root, unsigned root_entries,
	       const struct s2pt_hooks *hooks, void *ctx)
{
	pt->root = root;
	pt->root_entries = root_entries;
	pt->hooks = hooks;
	pt->ctx = ctx;
	pt->nr_tables = 0;
}

int s2pt_map(struct s2pt *pt, uint64_t ipa, uint64_t pa, uint64_t size, unsigned perm, bool af)
{
	uint64_t end = ipa + size;
	uint64_t attrs = D_VALID | type_bits(perm) | perm_bits(perm) | (af ? D_AF : 0);
	struct bbm b = {0};
	int err = 0;

	if (!range_ok(pt, ipa, size) || pa & (S2PT_PAGE - 1) || pa + size < pa ||
	    pa + size > (1ULL << 48))
		return -EINVAL;
	while (ipa < end) {
		bool block = !((ipa | pa) & (S2PT_BLOCK - 1)) && end - ipa >= S2PT_BLOCK;
		uint64_t *e;
		int level;

		if (block) {
			e = walk(pt, ipa, 2, &level);
			block = !is_table(*e, level); /* pages stay pages: no table freed */
		}
		level = block ? 2 : 3;
		err = entry_at(pt, &b, ipa, level, &e);
		if (err)
			break;
		bbm_change(pt, &b, e, pa | attrs | (level == 3 ? D_TABLE : 0), ipa, level);
		ipa += block ? S2PT_BLOCK : S2PT_PAGE;
		pa += block ? S2PT_BLOCK : S2PT_PAGE;
	}
	bbm_flush(pt, &b);
	return err;
}

enum leaf_op { OP_UNMAP, OP_PROTECT, OP_CLEAR_AF };

static uint64_t leaf_new(uint64_t old, enum leaf_op op, unsigned perm)
{
	switch (op) {
	case OP_UNMAP:
		return 0;
	case OP_PROTECT: /* the memory type stays, and with it a device's XN */
		return (old & ~D_PERM) |
		       perm_bits(perm | ((old & D_MEMATTR) == D_MEM_DEV ? S2PT_DEV : 0));
	case OP_CLEAR_AF:
		break;
	}
	return old & ~D_AF;
}

/* Applies op to every leaf in the range, splitting blocks that stick out of it. */
static int for_leaves(struct s2pt *pt, uint64_t ipa, uint64_t size, enum leaf_op op, unsigned perm,
		      uint64_t *accessed)
{
	uint64_t end = ipa + size;
	struct bbm b = {0};
	int err = 0;

	if (!range_ok(pt, ipa, size))
		return -EINVAL;
	while (ipa < end) {
		int level;
		uint64_t *e = walk(pt, ipa, 3, &level);
		uint64_t lsize = 1ULL << shift_of(level), base = ipa & ~(lsize - 1);

		if (*e & D_VALID) {
			if (base < ipa || end - base < lsize) {
				err = split(pt, &b, e, level, base);
				if (err)
					break;
				continue;
			}
			if (accessed && (*e & D_AF))
				*accessed += lsize;
			bbm_change(pt, &b, e, leaf_new(*e, op, perm), base, level);
		}
		ipa = base + lsize;
	}
	bbm_flush(pt, &b);
	return err;
}

int s2pt_unmap(struct s2pt *pt, uint64_t ipa, uint64_t size)
{
	return for_leaves(pt, ipa, size, OP_UNMAP, 0, NULL);
}

int s2pt_protect(struct s2pt *pt, uint64_t ipa, uint64_t size, unsigned perm)
{
	return for_leaves(pt, ipa, size, OP_PROTECT, perm, NULL);
}

int s2pt_clear_af(struct s2pt *pt, uint64_t ipa, uint64_t size, uint64_t *accessed)
{
	return for_leaves(pt, ipa, size, OP_CLEAR_AF, 0, accessed);
}

bool s2pt_set_af(struct s2pt *pt, uint64_t ipa)
{
	int level;
	uint64_t *e;

	if (!range_ok(pt, ipa & ~(S2PT_PAGE - 1), S2PT_PAGE))
		return false;
	e = walk(pt, ipa, 3, &level);
	if (!(*e & D_VALID))
		return false;
	if (!(*e & D_AF)) {
		*e |= D_AF;
		pt->hooks->publish(pt->ctx);
	}
	return true;
}

int s2pt_split(struct s2pt *pt, uint64_t ipa)
{
	struct bbm b = {0};
	int level;
	uint64_t *e;

	if (!range_ok(pt, ipa & ~(S2PT_PAGE - 1), S2PT_PAGE))
		return -EINVAL;
	e = walk(pt, ipa, 3, &level);
	if (level == 3 || !(*e & D_VALID))
		return 0;
	return split(pt, &b, e, level, ipa & ~((1ULL << shift_of(level)) - 1));
}

bool s2pt_lookup(const struct s2pt *pt, uint64_t ipa, struct s2pt_leaf *leaf)
{
	int level;
	uint64_t e, mask;

	if (!range_ok(pt, ipa & ~(S2PT_PAGE - 1), S2PT_PAGE))
		return false;
	e = *walk(pt, ipa, 3, &level);
	if (!(e & D_VALID))
		return false;
	mask = (1ULL << shift_of(level)) - 1;
	leaf->pa = (e & D_ADDR & ~mask) | (ipa & mask);
	leaf->ipa = ipa & ~mask;
	leaf->size = mask + 1;
	leaf->perm = (e & D_S2AP_R ? S2PT_R : 0) | (e & D_S2AP_W ? S2PT_W : 0) |
		     (e & D_XN ? 0 : S2PT_X) | ((e & D_MEMATTR) == D_MEM_DEV ? S2PT_DEV : 0);
	leaf->af = e & D_AF;
	leaf->level = level;
	return true;
}

bool s2pt_allows(const struct s2pt_leaf *leaf, bool instr, bool write)
{
	unsigned need = instr ? S2PT_X : write ? S2PT_W : S2PT_R;

	return leaf->af && (leaf->perm & need);
}

static void free_level(struct s2pt *pt, uint64_t *table, int level, unsigned entries)
{
	for (unsigned i = 0; i < entries; i++)
		if (is_table(table[i], level)) {
			uint64_t *next = table_of(table[i]);

			free_level(pt, next, level + 1, ENTRIES);
			table[i] = 0;
			pt->hooks->table_free(pt->ctx, next);
			pt->nr_tables--;
		}
}

void s2pt_free_tables(struct s2pt *pt)
{
	free_level(pt, pt->root, 1, pt->root_entries);
}
