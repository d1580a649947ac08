/* The page codec (lzo_page.h) over liblzo2's LZO1X-1. */
#include "lzo_page.h"

#include <errno.h>
#include <lzo/lzo1x.h>

_Static_assert(LZO1X_1_MEM_COMPRESS <= LZO_PAGE_WRKMEM_SIZE, "lzo work memory too small");
_Static_assert(LZO_PAGE_KEEP_MAX > 0 && LZO_PAGE_KEEP_MAX <= LZO_PAGE_SIZE,
	       "LZO_PAGE_KEEP_MAX out of range");

/* liblzo2's memset and memcpy. The kernel's C library (picolibc) has byte-at-a-time loops,
 * and lzo1x_1_compress clears a 32 KiB dictionary with memset for every page: 130000
 * instructions of a 200000-instruction compression. The Makefile renames the two calls in
 * ZVM's copy of liblzo2.a (objcopy --redefine-sym) to these word-at-a-time versions; nothing
 * else in the library changes. The loops must not turn back into memset/memcpy calls. */
#ifdef __clang__ /* the host fuzz build */
#define NO_LIBCALLS __attribute__((used))
#else
#define NO_LIBCALLS __attribute__((used, optimize("no-tree-loop-distribute-patterns")))
#endif

/* Word accesses to bytes of any type: may_alias keeps them legal C under -O2 -flto. */
typedef uint64_t __attribute__((may_alias)) word_t;

NO_LIBCALLS void *lzo_page_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c * 0x0101010101010101ull;

	for (; n && (uintptr_t)d % 8; n--)
		*d++ = (uint8_t)c;
	for (; n >= 32; n -= 32, d += 32) {
		((word_t *)d)[0] = w;
		((word_t *)d)[1] = w;
		((word_t *)d)[2] = w;
		((word_t *)d)[3] = w;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	for (; n; n--)
		*d++ = (uint8_t)c;
	return dst;
}

NO_LIBCALLS void *lzo_page_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	/* Words only when both sides share an alignment (the kernel is built -mstrict-align). */
	if ((uintptr_t)d % 8 == (uintptr_t)s % 8) {
		for (; n && (uintptr_t)d % 8; n--)
			*d++ = *s++;
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	for (; n; n--)
		*d++ = *s++;
	return dst;
}

int lzo_page_init(void)
{
	return lzo_init() == LZO_E_OK ? 0 : -EIO;
}

int lzo_page_is_zero(const void *page)
{
	const word_t *w = page;
	uint64_t acc = 0;

	/* Eight words per step and one branch: a zero page is read at full speed, and a page
	 * that is not zero usually stops in the first line. */
	for (size_t i = 0; i < LZO_PAGE_SIZE / 8; i += 8) {
		acc = w[i] | w[i + 1] | w[i + 2] | w[i + 3] | w[i + 4] | w[i + 5] | w[i + 6] |
		      w[i + 7];
		if (acc)
			return 0;
	}
	return 1;
}

int lzo_page_compress(struct lzo_page_work *work, const void *page, size_t *len)
{
	lzo_uint out_len = sizeof(work->out);

	*len = 0;
	if (lzo_page_is_zero(page))
		return LZO_PAGE_ZERO;
	if (lzo1x_1_compress(page, LZO_PAGE_SIZE, work->out, &out_len, work->wrkmem) != LZO_E_OK ||
	    out_len > sizeof(work->out))
		return -EIO;
	if (out_len > LZO_PAGE_KEEP_MAX)
		return LZO_PAGE_RESIDENT;
	*len = out_len;
	return LZO_PAGE_COMPRESSED;
}

int lzo_page_decompress(const void *src, size_t len, void *page)
{
	lzo_uint out_len = LZO_PAGE_SIZE;

	if (!len || len > LZO_PAGE_OUT_MAX)
		return -EIO;
	/* _safe: every read of src and write of page is bounds-checked, so garbage yields an
	 * error (or a wrong page, caught by the length check), never an access outside them. */
	if (lzo1x_decompress_safe(src, len, page, &out_len, NULL) != LZO_E_OK)
		return -EIO;
	return out_len == LZO_PAGE_SIZE ? 0 : -EIO;
}
