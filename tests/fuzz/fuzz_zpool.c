/* The page codec and the compression pool (zvm/mem): garbage decompressed as if it came from
 * the pool must be refused or stay inside one page; and any sequence of stores (raw bytes and
 * real pages), loads, frees and corruptions of stored bytes keeps the pool consistent
 * (zpool_check) and every intact object exact. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../zvm/mem/zpool.h"
#include "../../zvm/mem/zpool_pages.h"
#include "fuzz_input.h"

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	if (l->locked)
		abort();
	l->locked = 1;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	l->locked = 0;
}

#define SLOTS 16

struct slot {
	zpool_handle_t h;
	uint8_t kind; /* 0: raw bytes (compare the stored bytes), 1: text, 2: page table */
	uint64_t seed;
	size_t len;
	uint8_t bytes[LZO_PAGE_KEEP_MAX];
	int corrupt;
};

static uint64_t area[(16 << 10) / 8];
static uint64_t page[LZO_PAGE_SIZE / 8], back[LZO_PAGE_SIZE / 8];
static struct slot slots[SLOTS];
static struct lzo_page_work work;
static struct zpool pool;

static void decode_garbage(struct fuzz_in *in)
{
	size_t len = fuzz_u32(in) % (LZO_PAGE_OUT_MAX + 8);
	uint8_t *g;

	if (len > in->n)
		len = in->n;
	g = malloc(len ? len : 1); /* exact size: ASan sees a read past it */
	memcpy(g, in->p, len);
	in->p += len;
	in->n -= len;
	int err = lzo_page_decompress(g, len, back);
	if (err && err != -EIO)
		abort();
	free(g);
}

static void store(struct fuzz_in *in, struct slot *s)
{
	uint8_t kind = fuzz_u8(in) % 3;
	int err;

	s->corrupt = 0;
	s->kind = kind;
	if (kind == 0) {
		s->len = fuzz_u32(in) % (LZO_PAGE_KEEP_MAX + 2);
		for (size_t i = 0; i < s->len && i < sizeof(s->bytes); i++)
			s->bytes[i] = fuzz_u8(in);
		err = zpool_store_compressed(&pool, s->bytes, s->len, &s->h);
		if (!s->len || s->len > LZO_PAGE_KEEP_MAX) {
			if (err != -EINVAL)
				abort();
			s->h = 0;
			return;
		}
	} else {
		s->seed = fuzz_u64(in);
		if (kind == 1)
			zpool_page_text((uint8_t *)page, s->seed);
		else
			zpool_page_ptable((uint8_t *)page, s->seed);
		err = zpool_store(&pool, &work, page, &s->h);
	}
	if (err == -ENOSPC)
		s->h = 0;
	else if (err)
		abort();
}

static void check_slot(struct slot *s)
{
	if (s->kind == 0) {
		struct zpool_entry *e = &pool.entries[s->h - 1];

		if (e->len != s->len ||
		    memcmp(pool.data + (size_t)e->unit * ZPOOL_UNIT, s->bytes, s->len))
			abort();
		int err = zpool_load(&pool, s->h, back);
		if (err && err != -EIO)
			abort();
		return;
	}
	int err = zpool_load(&pool, s->h, back);
	if (s->corrupt) {
		if (err != -EIO)
			abort(); /* the checksum catches every corruption the fuzzer made */
		return;
	}
	if (s->kind == 1)
		zpool_page_text((uint8_t *)page, s->seed);
	else
		zpool_page_ptable((uint8_t *)page, s->seed);
	if (err || memcmp(page, back, LZO_PAGE_SIZE))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};

	if (lzo_page_init() || zpool_init(&pool, area, sizeof(area) - fuzz_u8(&in) % 128 * 64))
		abort();
	memset(slots, 0, sizeof(slots));
	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		struct slot *s = &slots[(op >> 3) % SLOTS];

		switch (op & 7) {
		case 0:
			decode_garbage(&in);
			break;
		case 1:
		case 2:
			if (!s->h)
				store(&in, s);
			else
				check_slot(s);
			break;
		case 3:
			if (s->h && zpool_free(&pool, s->h))
				abort();
			if (s->h && zpool_free(&pool, s->h) != -EINVAL)
				abort();
			s->h = 0;
			break;
		case 4: { /* any handle value at all */
			int err = zpool_load(&pool, fuzz_u32(&in), back);

			if (err && err != -EINVAL && err != -EIO)
				abort();
			break;
		}
		case 5: /* flip one bit of a stored page's bytes, once */
			if (s->h && s->kind && !s->corrupt) {
				struct zpool_entry *e = &pool.entries[s->h - 1];
				uint32_t bit = fuzz_u32(&in) % (e->len * 8u);

				pool.data[(size_t)e->unit * ZPOOL_UNIT + bit / 8] ^= 1 << bit % 8;
				s->corrupt = 1;
			}
			break;
		default:
			break;
		}
		if (zpool_check(&pool))
			abort();
	}
	for (unsigned i = 0; i < SLOTS; i++)
		if (slots[i].h && zpool_free(&pool, slots[i].h))
			abort();
	if (pool.used_units || zpool_check(&pool))
		abort();
	return 0;
}
