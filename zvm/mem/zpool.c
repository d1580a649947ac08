/* The compression pool's allocator and handle table (zpool.h). Pure logic plus the pool's own
 * spinlock: the host unit tests run it unchanged. */
#include "zpool.h"

#include <errno.h>
#include <string.h>

/* At the start of every free run of units; the run's length is repeated in the last 4 bytes
 * of its last unit (the footer), so the run just before a freed object is found from its end. */
struct run_hdr {
	uint32_t units;
	uint32_t next; /* next run on the same list: its unit + 1; 0 = end */
	uint32_t prev; /* 0 = first */
	uint32_t reserved;
};

_Static_assert(sizeof(struct run_hdr) + sizeof(uint32_t) <= ZPOOL_UNIT, "run header size");

static unsigned class_of(uint32_t units)
{
	if (units <= ZPOOL_EXACT_CLASSES)
		return units - 1;
	return ZPOOL_EXACT_CLASSES + (31 - __builtin_clz(units)) - 6;
}

static struct run_hdr *hdr_at(struct zpool *p, uint32_t unit)
{
	return (struct run_hdr *)(p->data + (size_t)unit * ZPOOL_UNIT);
}

static uint32_t *footer_at(struct zpool *p, uint32_t last_unit)
{
	return (uint32_t *)(p->data + (size_t)last_unit * ZPOOL_UNIT + ZPOOL_UNIT - 4);
}

static bool unit_allocated(const struct zpool *p, uint32_t u)
{
	return p->allocated[u / 64] >> (u % 64) & 1;
}

static void mark_units(struct zpool *p, uint32_t first, uint32_t n, bool set)
{
	while (n) {
		unsigned bit = first % 64;
		unsigned k = n < 64 - bit ? n : 64 - bit;
		uint64_t m = (k == 64 ? ~0ull : ((1ull << k) - 1)) << bit;

		if (set)
			p->allocated[first / 64] |= m;
		else
			p->allocated[first / 64] &= ~m;
		first += k;
		n -= k;
	}
}

static void run_insert(struct zpool *p, uint32_t unit, uint32_t units)
{
	unsigned c = class_of(units);
	struct run_hdr *h = hdr_at(p, unit);

	h->units = units;
	h->prev = 0;
	h->next = p->class_head[c];
	h->reserved = 0;
	*footer_at(p, unit + units - 1) = units;
	if (h->next)
		hdr_at(p, h->next - 1)->prev = unit + 1;
	p->class_head[c] = unit + 1;
	p->class_mask[c / 64] |= 1ull << (c % 64);
}

static void run_remove(struct zpool *p, uint32_t unit)
{
	struct run_hdr *h = hdr_at(p, unit);
	unsigned c = class_of(h->units);

	if (h->prev)
		hdr_at(p, h->prev - 1)->next = h->next;
	else
		p->class_head[c] = h->next;
	if (h->next)
		hdr_at(p, h->next - 1)->prev = h->prev;
	if (!p->class_head[c])
		p->class_mask[c / 64] &= ~(1ull << (c % 64));
}

/* The first non-empty class at or above c, or -1. */
static int class_at_least(const struct zpool *p, unsigned c)
{
	for (unsigned w = c / 64; w < 2; w++) {
		uint64_t m = p->class_mask[w];

		if (w == c / 64)
			m &= ~0ull << (c % 64);
		if (m)
			return (int)(w * 64 + __builtin_ctzll(m));
	}
	return -1;
}

/* n consecutive units (1 <= n <= ZPOOL_EXACT_CLASSES); returns the first, or -1. Every run of
 * a class at or above class_of(n) is at least n long, so the first one fits. */
static int64_t units_alloc(struct zpool *p, uint32_t n)
{
	int c = class_at_least(p, class_of(n));
	uint32_t unit, units;

	if (c < 0)
		return -1;
	unit = p->class_head[c] - 1;
	units = hdr_at(p, unit)->units;
	run_remove(p, unit);
	if (units > n)
		run_insert(p, unit + n, units - n);
	mark_units(p, unit, n, true);
	p->used_units += n;
	return unit;
}

/* Gives [unit, unit + n) back, merged with the free runs on either side. */
static void units_free(struct zpool *p, uint32_t unit, uint32_t n)
{
	uint32_t start = unit, len = n;

	mark_units(p, unit, n, false);
	p->used_units -= n;
	if (start && !unit_allocated(p, start - 1)) {
		uint32_t left = *footer_at(p, start - 1);

		start -= left;
		len += left;
		run_remove(p, start);
	}
	if (unit + n < p->nr_units && !unit_allocated(p, unit + n)) {
		uint32_t right = hdr_at(p, unit + n)->units;

		run_remove(p, unit + n);
		len += right;
	}
	run_insert(p, start, len);
}

static uint32_t units_for(size_t len)
{
	return (uint32_t)((len + ZPOOL_UNIT - 1) / ZPOOL_UNIT);
}

/* Bytes of metadata (handle table, bitmap, padding to a unit) for n data units. */
static size_t meta_for(uint32_t n)
{
	size_t entries = n / ZPOOL_UNITS_PER_HANDLE ? n / ZPOOL_UNITS_PER_HANDLE : 1;
	size_t bytes = entries * sizeof(struct zpool_entry) + (n + 63) / 64 * sizeof(uint64_t);

	return (bytes + ZPOOL_UNIT - 1) / ZPOOL_UNIT * ZPOOL_UNIT;
}

int zpool_init(struct zpool *p, void *mem, size_t size)
{
	uintptr_t start = ((uintptr_t)mem + ZPOOL_UNIT - 1) & ~(uintptr_t)(ZPOOL_UNIT - 1);
	size_t avail = size > start - (uintptr_t)mem ? size - (start - (uintptr_t)mem) : 0;
	/* Each unit costs 64 bytes of data, its share of a table entry and 1/8 of bitmap:
	 * start from that and step down until the rounding fits too. */
	uint64_t n = avail * 8 /
		     (ZPOOL_UNIT * 8 + sizeof(struct zpool_entry) * 8 / ZPOOL_UNITS_PER_HANDLE + 1);

	memset(p, 0, sizeof(*p));
	if (n > 0xfffffff0u)
		n = 0xfffffff0u;
	while (n && meta_for((uint32_t)n) + n * ZPOOL_UNIT > avail)
		n--;
	if (!n)
		return -EINVAL;
	p->nr_units = (uint32_t)n;
	p->nr_entries =
	    p->nr_units / ZPOOL_UNITS_PER_HANDLE ? p->nr_units / ZPOOL_UNITS_PER_HANDLE : 1;
	p->allocated = (uint64_t *)start;
	p->entries = (struct zpool_entry *)(start + (p->nr_units + 63) / 64 * sizeof(uint64_t));
	p->data = (uint8_t *)(start + meta_for(p->nr_units));
	/* Only the bitmap is cleared (by words: the kernel's memset goes by bytes); entries past
	 * fresh_entry are free without being written, so a big pool costs nothing more at boot. */
	for (uint32_t i = 0; i < (p->nr_units + 63) / 64; i++)
		p->allocated[i] = 0;
	run_insert(p, 0, p->nr_units);
	p->st.size = (size_t)p->nr_units * ZPOOL_UNIT;
	p->st.meta = meta_for(p->nr_units);
	p->st.handles = p->nr_entries;
	return 0;
}

/* Word accesses to bytes of any type: may_alias keeps them legal C under -O2 -flto. */
typedef uint64_t __attribute__((may_alias)) word_t;

static uint64_t sum_step(uint64_t h, uint64_t w)
{
	/* A bijection of h for a given w: changing one word changes the result. */
	h = (h ^ w) * 0xff51afd7ed558ccdull;
	return h ^ h >> 32;
}

uint32_t zpool_sum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	/* Word loads where the data is aligned (the pool's units and lzo_page_work.out are);
	 * the kernel is freestanding, so a memcpy here would be a call per word. */
	if ((uintptr_t)b % 8 == 0) {
		for (; len >= 8; b += 8, len -= 8)
			h = sum_step(h, *(const word_t *)b);
	}
	for (; len >= 8; b += 8, len -= 8) {
		uint64_t w = 0;

		for (unsigned i = 0; i < 8; i++)
			w |= (uint64_t)b[i] << (8 * i);
		h = sum_step(h, w);
	}
	for (unsigned i = 0; i < len; i++)
		h = sum_step(h, b[i] | 0x100u);
	/* A full final mix (MurmurHash3's): the last word's high bits reach the low 32. */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

/* Copies an object into its units (64-byte aligned), by words when the source is aligned. */
static void copy_in(uint8_t *dst, const uint8_t *src, size_t len)
{
	if ((uintptr_t)src % 8 == 0) {
		word_t *d = (word_t *)dst;
		const word_t *s = (const word_t *)src;

		for (; len >= 8; len -= 8)
			*d++ = *s++;
		dst = (uint8_t *)d;
		src = (const uint8_t *)s;
	}
	memcpy(dst, src, len);
}

int zpool_store_compressed(struct zpool *p, const void *src, size_t len, zpool_handle_t *h)
{
	struct zpool_entry *e;
	k_spinlock_key_t key;
	int64_t unit;
	uint32_t idx, sum;

	if (!len || len > LZO_PAGE_KEEP_MAX)
		return -EINVAL;
	sum = zpool_sum(src, len);
	key = k_spin_lock(&p->lock);
	idx = p->free_entry		       ? p->free_entry
	      : p->fresh_entry < p->nr_entries ? p->fresh_entry + 1
					       : 0;
	unit = idx ? units_alloc(p, units_for(len)) : -1;
	if (unit < 0) {
		p->st.full++;
		k_spin_unlock(&p->lock, key);
		return -ENOSPC;
	}
	e = &p->entries[idx - 1];
	if (idx == p->free_entry)
		p->free_entry = e->unit;
	else
		p->fresh_entry++;
	e->unit = (uint32_t)unit;
	e->len = (uint16_t)len;
	e->sum = sum;
	p->st.objects++;
	p->st.orig_bytes += LZO_PAGE_SIZE;
	p->st.comp_bytes += len;
	p->st.stored++;
	k_spin_unlock(&p->lock, key);
	/* Outside the lock: nobody else knows this handle yet. */
	copy_in(p->data + (size_t)unit * ZPOOL_UNIT, src, len);
	*h = idx;
	return 0;
}

int zpool_store(struct zpool *p, struct lzo_page_work *work, const void *page, zpool_handle_t *h)
{
	size_t len;
	int kind = lzo_page_compress(work, page, &len);
	k_spinlock_key_t key;

	if (kind == LZO_PAGE_COMPRESSED)
		return zpool_store_compressed(p, work->out, len, h);
	if (kind < 0)
		return kind;
	key = k_spin_lock(&p->lock);
	if (kind == LZO_PAGE_ZERO)
		p->st.zero++;
	else
		p->st.rejected++;
	k_spin_unlock(&p->lock, key);
	if (kind != LZO_PAGE_ZERO)
		return -E2BIG;
	*h = ZPOOL_HANDLE_ZERO;
	return 0;
}

/* The live entry of h, or NULL. Under the lock. */
static struct zpool_entry *entry_of(struct zpool *p, zpool_handle_t h)
{
	if (h == ZPOOL_HANDLE_NONE || h > p->fresh_entry || !p->entries[h - 1].len)
		return NULL;
	return &p->entries[h - 1];
}

int zpool_load(struct zpool *p, zpool_handle_t h, void *page)
{
	k_spinlock_key_t key;
	struct zpool_entry *e;
	const uint8_t *src = NULL;
	size_t len = 0;
	uint32_t sum = 0;
	int err;

	if (zpool_handle_is_zero(h)) {
		word_t *w = page;

		for (unsigned i = 0; i < LZO_PAGE_SIZE / 8; i++)
			w[i] = 0;
		return 0;
	}
	key = k_spin_lock(&p->lock);
	e = entry_of(p, h);
	if (e) {
		src = p->data + (size_t)e->unit * ZPOOL_UNIT;
		len = e->len;
		sum = e->sum;
	}
	k_spin_unlock(&p->lock, key);
	if (!e)
		return -EINVAL;
	/* Outside the lock: the object stays put while its owner (us) does not free it. */
	err = zpool_sum(src, len) == sum ? lzo_page_decompress(src, len, page) : -EIO;
	key = k_spin_lock(&p->lock);
	if (err)
		p->st.corrupt++;
	else
		p->st.loaded++;
	k_spin_unlock(&p->lock, key);
	return err;
}

int zpool_debug_corrupt(struct zpool *p, zpool_handle_t h)
{
	k_spinlock_key_t key = k_spin_lock(&p->lock);
	struct zpool_entry *e = zpool_handle_is_zero(h) ? NULL : entry_of(p, h);

	if (e)
		p->data[(size_t)e->unit * ZPOOL_UNIT + e->len / 2] ^= 0x5a;
	k_spin_unlock(&p->lock, key);
	return e ? 0 : -EINVAL;
}

int zpool_free(struct zpool *p, zpool_handle_t h)
{
	k_spinlock_key_t key;
	struct zpool_entry *e;

	if (zpool_handle_is_zero(h))
		return 0;
	key = k_spin_lock(&p->lock);
	e = entry_of(p, h);
	if (!e) {
		k_spin_unlock(&p->lock, key);
		return -EINVAL;
	}
	units_free(p, e->unit, units_for(e->len));
	p->st.objects--;
	p->st.orig_bytes -= LZO_PAGE_SIZE;
	p->st.comp_bytes -= e->len;
	e->len = 0;
	e->unit = p->free_entry;
	p->free_entry = h;
	k_spin_unlock(&p->lock, key);
	return 0;
}

void zpool_get_stats(struct zpool *p, struct zpool_stats *s)
{
	k_spinlock_key_t key = k_spin_lock(&p->lock);

	*s = p->st;
	s->used = (size_t)p->used_units * ZPOOL_UNIT;
	k_spin_unlock(&p->lock, key);
}

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return -__LINE__;                                                          \
	} while (0)

/* Free runs on the lists: each where its class says, linked both ways, its units free and its
 * footer right; returns how many there are, or a negative code. */
static int64_t check_lists(struct zpool *p)
{
	uint64_t runs = 0;

	for (unsigned c = 0; c < ZPOOL_CLASSES; c++) {
		uint32_t prev = 0, steps = 0;

		CHECK(!!p->class_head[c] == !!(p->class_mask[c / 64] >> (c % 64) & 1));
		for (uint32_t r = p->class_head[c]; r; r = hdr_at(p, r - 1)->next) {
			struct run_hdr *h;

			CHECK(r <= p->nr_units && ++steps <= p->nr_units);
			h = hdr_at(p, r - 1);
			CHECK(h->units && h->units <= p->nr_units - (r - 1));
			CHECK(class_of(h->units) == c && h->prev == prev);
			CHECK(*footer_at(p, r - 1 + h->units - 1) == h->units);
			CHECK(!unit_allocated(p, r - 1) &&
			      !unit_allocated(p, r - 1 + h->units - 1));
			prev = r;
			runs++;
		}
	}
	return (int64_t)runs;
}

static int check_locked(struct zpool *p)
{
	uint64_t live = 0, bytes = 0, units = 0, runs = 0, free_entries = 0;
	int64_t listed = check_lists(p);

	CHECK(listed >= 0);
	/* Every stretch of free units is exactly one listed run: none adjacent to another. */
	for (uint32_t u = 0; u < p->nr_units;) {
		uint32_t end = u;

		if (unit_allocated(p, u)) {
			units++;
			u++;
			continue;
		}
		while (end < p->nr_units && !unit_allocated(p, end))
			end++;
		CHECK(hdr_at(p, u)->units == end - u);
		runs++;
		u = end;
	}
	CHECK(runs == (uint64_t)listed && units == p->used_units);
	CHECK(p->fresh_entry <= p->nr_entries);
	for (uint32_t i = 0; i < p->fresh_entry; i++) {
		struct zpool_entry *e = &p->entries[i];

		if (!e->len)
			continue;
		CHECK(e->len <= LZO_PAGE_KEEP_MAX && e->unit < p->nr_units);
		CHECK(units_for(e->len) <= p->nr_units - e->unit);
		for (uint32_t u = e->unit; u < e->unit + units_for(e->len); u++)
			CHECK(unit_allocated(p, u));
		live++;
		bytes += e->len;
		units -= units_for(e->len);
	}
	/* The objects' units add up to the allocated ones. */
	CHECK(units == 0);
	CHECK(live == p->st.objects && bytes == p->st.comp_bytes);
	CHECK(p->st.orig_bytes == live * LZO_PAGE_SIZE);
	for (uint32_t f = p->free_entry; f; f = p->entries[f - 1].unit) {
		CHECK(f <= p->fresh_entry && !p->entries[f - 1].len);
		CHECK(++free_entries <= p->fresh_entry);
	}
	CHECK(free_entries + live == p->fresh_entry);
	return 0;
}

int zpool_check(struct zpool *p)
{
	k_spinlock_key_t key = k_spin_lock(&p->lock);
	int err = p->nr_units ? check_locked(p) : 0;

	k_spin_unlock(&p->lock, key);
	return err;
}
