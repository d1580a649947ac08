/* Deterministic sample pages for the pool's tests and `zpool bench`: text, random bytes and a
 * page table, each a function of a seed. Shared by the host unit tests and the target command
 * so both compress the same data. */
#ifndef ZVM_MEM_ZPOOL_PAGES_H
#define ZVM_MEM_ZPOOL_PAGES_H

#include <stdint.h>

#include "lzo_page.h"

static inline uint64_t zpool_pages_rand(uint64_t *s)
{
	/* xorshift64*: any non-zero state. */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* English-like words and punctuation from a small vocabulary: compresses to about half. */
static inline void zpool_page_text(uint8_t *page, uint64_t seed)
{
	static const char *const words[] = {
	    "the ",    "guest ", "memory ", "page ",  "of ",   "a ",	      "hypervisor ",
	    "is ",     "cold ",	 "and ",    "to ",    "in ",   "compressed ", "when ",
	    "faults ", "runs ",	 "thread ", "vCPU ",  "pool ", "LZO ",	      "stage-2 ",
	    "map ",    "every ", "block ",  "table ", "it ",   "with ",	      "on ",
	    "for ",    "time ",	 ". ",	    ",\n"};
	uint64_t s = seed | 1;
	unsigned i = 0;

	while (i < LZO_PAGE_SIZE) {
		const char *w = words[zpool_pages_rand(&s) % (sizeof(words) / sizeof(words[0]))];

		for (; *w && i < LZO_PAGE_SIZE; w++)
			page[i++] = (uint8_t)*w;
	}
}

static inline void zpool_page_random(uint8_t *page, uint64_t seed)
{
	uint64_t s = seed | 1;

	for (unsigned i = 0; i < LZO_PAGE_SIZE; i += 8) {
		uint64_t v = zpool_pages_rand(&s);

		for (unsigned b = 0; b < 8; b++)
			page[i + b] = (uint8_t)(v >> (8 * b));
	}
}

/* A last-level translation table: a run of valid 4 KiB descriptors to consecutive frames (the
 * usual case: a mapped buffer), holes of invalid entries, and the rest empty. */
static inline void zpool_page_ptable(uint8_t *page, uint64_t seed)
{
	uint64_t s = seed | 1, frame = (zpool_pages_rand(&s) & 0xfffff) << 12;
	unsigned used = 128 + zpool_pages_rand(&s) % 384;

	for (unsigned i = 0; i < LZO_PAGE_SIZE / 8; i++) {
		uint64_t d = 0;

		if (i < used && zpool_pages_rand(&s) % 16)
			d = (frame + ((uint64_t)i << 12)) | 0x403 | (uint64_t)(i & 1) << 6;
		for (unsigned b = 0; b < 8; b++)
			page[i * 8 + b] = (uint8_t)(d >> (8 * b));
	}
}

#endif
