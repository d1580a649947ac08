/* The page codec (lzo_page.h) over liblzo2's LZO1X-1. */
#include "lzo_page.h"

#include <errno.h>
#include <lzo/lzo1x.h>

_Static_assert(LZO1X_1_MEM_COMPRESS <= LZO_PAGE_WRKMEM_SIZE, "lzo work memory too small");
_Static_assert(LZO_PAGE_KEEP_MAX > 0 && LZO_PAGE_KEEP_MAX <= LZO_PAGE_SIZE,
	       "LZO_PAGE_KEEP_MAX out of range");

/* liblzo2's memset and memcpy: lzo1x_1_compress clears a 32 KiB dictionary with memset for
 * every page, so they must be the word-at-a-time ones of lib/fast_mem.c (the kernel images'
 * memset and memcpy; the Makefile points ZVM's copy of liblzo2.a at them by name). */

/* Word accesses to bytes of any type: may_alias keeps them legal C under -O2 -flto. */
typedef uint64_t __attribute__((may_alias)) word_t;

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
