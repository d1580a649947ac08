/* First-fit heap over an address-ordered free list; see heap.h. No locking here. */
#include <kernel/heap.h>

#include <errno.h>

/* Every block, free or allocated, starts with this header; the payload follows it. The magic
 * is xor-ed with the header's address so a copy of a valid header elsewhere does not pass. */
struct heap_hdr {
	size_t size; /* whole block including the header, a multiple of HEAP_ALIGN */
	uintptr_t magic;
};

struct heap_free_block {
	struct heap_hdr hdr;
	struct heap_free_block *next;
};

_Static_assert(sizeof(struct heap_hdr) == HEAP_ALIGN, "payloads must stay HEAP_ALIGN aligned");

#define HDR	   sizeof(struct heap_hdr)
#define MIN_BLOCK  ((sizeof(struct heap_free_block) + HEAP_ALIGN - 1) & ~(size_t)(HEAP_ALIGN - 1))
#define MAGIC_USED ((uintptr_t)0xa11c0b10c4ed5eedull)
#define MAGIC_FREE ((uintptr_t)0xf4eeb10cf4eeb10cull)

static uintptr_t align_up(uintptr_t v, size_t a)
{
	return (v + a - 1) & ~(uintptr_t)(a - 1);
}

static struct heap_free_block *make_free(uintptr_t at, size_t size, struct heap_free_block *next)
{
	struct heap_free_block *b = (struct heap_free_block *)at;

	b->hdr.size = size;
	b->hdr.magic = MAGIC_FREE ^ at;
	b->next = next;
	return b;
}

int heap_init(struct heap *h, void *mem, size_t size)
{
	uintptr_t start = align_up((uintptr_t)mem, HEAP_ALIGN);
	uintptr_t end = ((uintptr_t)mem + size) & ~(uintptr_t)(HEAP_ALIGN - 1);

	h->used = 0;
	h->free_list = NULL;
	h->start = h->end = 0;
	if (!mem || end <= start || end - start < MIN_BLOCK)
		return -EINVAL;
	h->start = start;
	h->end = end;
	h->free_list = make_free(start, end - start, NULL);
	return 0;
}

void *heap_alloc(struct heap *h, size_t size, size_t align)
{
	size_t room = h->end - h->start;

	if (align == 0)
		align = HEAP_ALIGN;
	if (align & (align - 1))
		return NULL;
	if (align < HEAP_ALIGN)
		align = HEAP_ALIGN;
	/* Larger requests cannot fit anyway; refusing them early also rules out overflow below. */
	if (size > room || align > room)
		return NULL;
	size_t need = align_up(size ? size : 1, HEAP_ALIGN) + HDR;
	if (need < MIN_BLOCK)
		need = MIN_BLOCK;

	struct heap_free_block **link = &h->free_list;
	for (struct heap_free_block *b = *link; b; link = &b->next, b = *link) {
		uintptr_t at = (uintptr_t)b;
		uintptr_t bend = at + b->hdr.size;
		uintptr_t payload = align_up(at + HDR, align);

		/* A gap before the block must be able to stand as a free block of its own. */
		if (payload - HDR != at && payload - HDR - at < MIN_BLOCK)
			payload += align;
		uintptr_t start = payload - HDR;
		if (start >= bend || bend - start < need)
			continue;

		struct heap_free_block *next = b->next;
		if (start > at) {
			b->hdr.size = start - at; /* the gap stays on the list in b's place */
			link = &b->next;
		}
		size_t rest = bend - start - need;
		if (rest >= MIN_BLOCK)
			*link = make_free(start + need, rest, next);
		else {
			*link = next;
			need += rest; /* too small to track: the allocation keeps it */
		}

		struct heap_hdr *hd = (struct heap_hdr *)start;
		hd->size = need;
		hd->magic = MAGIC_USED ^ start;
		h->used += need;
		return (void *)payload;
	}
	return NULL;
}

/* The header of p if p is a live allocation of h as far as its header can tell, else NULL. */
static struct heap_hdr *live_header(const struct heap *h, const void *p)
{
	uintptr_t addr = (uintptr_t)p;

	if (!p || addr & (HEAP_ALIGN - 1) || addr < h->start + HDR || addr >= h->end)
		return NULL;
	struct heap_hdr *hd = (struct heap_hdr *)(addr - HDR);
	uintptr_t at = (uintptr_t)hd;
	size_t size = hd->size;

	if (hd->magic != (MAGIC_USED ^ at) || size < MIN_BLOCK || size & (HEAP_ALIGN - 1) ||
	    size > h->end - at)
		return NULL;
	return hd;
}

size_t heap_usable_size(const struct heap *h, const void *p)
{
	const struct heap_hdr *hd = live_header(h, p);

	return hd ? hd->size - HDR : 0;
}

int heap_free(struct heap *h, void *p)
{
	if (!p)
		return 0;
	struct heap_hdr *hd = live_header(h, p);

	if (!hd)
		return -EINVAL;
	uintptr_t at = (uintptr_t)hd;
	size_t size = hd->size;

	/* Find the free neighbours; a block overlapping either one is a corrupt header. */
	struct heap_free_block *prev = NULL, *next = h->free_list;
	while (next && (uintptr_t)next < at) {
		prev = next;
		next = next->next;
	}
	if (prev && (uintptr_t)prev + prev->hdr.size > at)
		return -EINVAL;
	if (next && at + size > (uintptr_t)next)
		return -EINVAL;

	h->used -= size;
	struct heap_free_block *b;
	if (prev && (uintptr_t)prev + prev->hdr.size == at) {
		prev->hdr.size += size;
		hd->magic = 0; /* absorbed: a second free of p must not find a valid header */
		b = prev;
	} else {
		b = make_free(at, size, next);
		if (prev)
			prev->next = b;
		else
			h->free_list = b;
	}
	if (next && (uintptr_t)b + b->hdr.size == (uintptr_t)next) {
		b->hdr.size += next->hdr.size;
		b->next = next->next;
	}
	return 0;
}

void heap_stats(const struct heap *h, struct mem_stats *s)
{
	s->total = h->end - h->start;
	s->used = h->used;
	s->free = s->total - s->used;
}
