/* The page codec of the compression pool: one 4 KiB guest page in, LZO1X-1 (Debian's liblzo2)
 * out, and back.
 *
 * lzo_page_compress() sorts a page into one of three kinds:
 *   LZO_PAGE_ZERO       every byte is 0: no data at all, the caller keeps a flag;
 *   LZO_PAGE_RESIDENT   its LZO1X-1 form is longer than LZO_PAGE_KEEP_MAX bytes: compressing
 *                       it would save too little, the page stays where it is;
 *   LZO_PAGE_COMPRESSED the compressed bytes are in work->out, *len of them.
 * lzo_page_decompress() never trusts its input: the data may be corrupt (a bug, a stray write
 * into the pool), so it runs lzo1x_decompress_safe, which never reads or writes outside the
 * buffers it is given, and accepts only output of exactly one page.
 *
 * Both run long (tens of thousands of instructions): call them with no spinlock held and IRQs
 * enabled, on a low-priority host thread (the compressor) or on the vCPU thread (a fault on a
 * compressed page). Pure code apart from liblzo2: the host unit tests run it unchanged. */
#ifndef ZVM_MEM_LZO_PAGE_H
#define ZVM_MEM_LZO_PAGE_H

#include <stddef.h>
#include <stdint.h>

#define LZO_PAGE_SIZE 4096

/* Compressed pages longer than this stay resident (a build option: -DLZO_PAGE_KEEP_MAX=N, at
 * most LZO_PAGE_SIZE). Three quarters of a page: the pool keeps a saving of at least a
 * quarter, which also pays for its 64-byte rounding and the handle (zpool.h). */
#ifndef LZO_PAGE_KEEP_MAX
#define LZO_PAGE_KEEP_MAX (LZO_PAGE_SIZE * 3 / 4)
#endif

/* liblzo2's worst case for one page (lzo1x.h: n + n / 16 + 64 + 3). */
#define LZO_PAGE_OUT_MAX (LZO_PAGE_SIZE + LZO_PAGE_SIZE / 16 + 64 + 3)
/* LZO1X_1_MEM_COMPRESS on a 64-bit host (16384 dictionary pointers); lzo_page.c checks it. */
#define LZO_PAGE_WRKMEM_SIZE (16384 * 8)

/* One compressor's private memory, about 132 KiB: one per thread that compresses (never on a
 * thread's stack; k_malloc it). Decompression needs none. */
struct lzo_page_work {
	uint64_t wrkmem[LZO_PAGE_WRKMEM_SIZE / 8];
	uint8_t out[LZO_PAGE_OUT_MAX];
};

enum lzo_page_kind {
	LZO_PAGE_ZERO,
	LZO_PAGE_RESIDENT,
	LZO_PAGE_COMPRESSED,
};

/* Once before any other call: liblzo2's own self-check (lzo_init). 0, or -EIO if the library
 * does not match its headers. */
int lzo_page_init(void);

/* True when every byte of the page is zero. */
int lzo_page_is_zero(const void *page);

/* Sorts and compresses one page (8-byte aligned). Returns its kind; for LZO_PAGE_COMPRESSED
 * the data is work->out[0 .. *len), 1 <= *len <= LZO_PAGE_KEEP_MAX; otherwise *len is 0.
 * Returns -EIO if liblzo2 fails (it does not on valid arguments). */
int lzo_page_compress(struct lzo_page_work *work, const void *page, size_t *len);

/* Decompresses src[0 .. len) into page (LZO_PAGE_SIZE bytes). 0 when the data decodes to
 * exactly one page; -EIO when it is corrupt, decodes to more or fewer bytes, or len is 0 or
 * above LZO_PAGE_OUT_MAX. On error the page's contents are undefined: never map it. */
int lzo_page_decompress(const void *src, size_t len, void *page);

#endif
