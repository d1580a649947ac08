/* Guest image placement (zvm/loader.c loader_plan) for any kernel header, kernel and initrd
 * size and RAM window: a flags byte picks for each number either a realistic scale (MiB,
 * aligned) or any 64-bit value, and whether the header carries the arm64 Image magic. The
 * kernel buffer is exactly min(ksize, 64) bytes, so ASan catches a read past the header.
 * A success must place the kernel (its header's image_size when it has one, else the file),
 * the initrd and a LOADER_DTB_MAX DTB slot in that order, 2 MiB aligned where the protocol says,
 * without overlap and inside [ram_base, ram_base + ram_size); the return code must match a
 * model of the rules computed in 128 bits, where nothing can wrap. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/loader.h>

#include "fuzz_input.h"

typedef unsigned __int128 u128;

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_loader: %s\n", why);
	abort();
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned flags = fuzz_u8(&in);
	uint64_t ksize = flags & 1 ? fuzz_u64(&in) : fuzz_u32(&in) & 0x7ffffff;
	uint64_t initrd_size = flags & 2 ? fuzz_u64(&in) : fuzz_u32(&in) & 0x7ffffff;
	uint64_t base = flags & 4 ? fuzz_u64(&in) : fuzz_bytes(&in, 2) * LOADER_ALIGN;
	uint64_t ram = flags & 8 ? fuzz_u64(&in) : fuzz_bytes(&in, 2) << 20;
	size_t hlen = ksize < 64 ? ksize : 64;
	uint8_t *k = malloc(hlen ? hlen : 1), hdr[64] = {0};
	uint64_t text = 0, span = ksize, image_size, dtb = 0;
	struct load_plan p;
	int r, want = 0;

	memcpy(hdr, in.p, in.n < 64 ? in.n : 64);
	if (flags & 16) { /* an Image header with realistic fields unless flags say otherwise */
		memcpy(hdr + 56, "ARM\x64", 4);
		if (!(flags & 32))
			put_le64(hdr + 8, le64(hdr + 8) % 1024 * 0x1000);
		if (!(flags & 64))
			put_le64(hdr + 16, le64(hdr + 16) & 0x7ffffff);
	}
	memcpy(k, hdr, hlen);
	r = loader_plan(k, (size_t)ksize, (size_t)initrd_size, base, ram, &p);
	free(k);

	image_size = le64(hdr + 16);
	if (!ksize || base % LOADER_ALIGN || (u128)base + ram > UINT64_MAX)
		want = -EINVAL;
	else if (ksize >= 64 && !memcmp(hdr + 56, "ARM\x64", 4) && !image_size)
		text = 0x80000;
	else if (ksize >= 64 && !memcmp(hdr + 56, "ARM\x64", 4)) {
		text = le64(hdr + 8);
		span = image_size;
		if (text % 0x1000 || image_size < ksize)
			want = -EINVAL;
	}
	if (!want && ram < LOADER_DTB_MAX)
		want = -E2BIG;
	dtb = want ? 0 : (ram - LOADER_DTB_MAX) & ~(LOADER_ALIGN - 1);
	u128 kend = (u128)text + span,
	     initrd = (kend + LOADER_ALIGN - 1) & ~(u128)(LOADER_ALIGN - 1);

	if (!want && (kend > dtb || (initrd_size && initrd + initrd_size > dtb)))
		want = -E2BIG;
	if (r != want)
		fail("loader_plan's result differs from the model");
	if (r)
		return 0;
	if (p.arm64_image != (ksize >= 64 && !memcmp(hdr + 56, "ARM\x64", 4)) ||
	    p.entry != p.kernel_ipa || p.kernel_ipa != base + text)
		fail("the kernel is not where its header says");
	if (p.dtb_ipa % LOADER_ALIGN || (u128)p.dtb_ipa + LOADER_DTB_MAX > (u128)base + ram ||
	    (u128)p.kernel_ipa + span > p.dtb_ipa || p.kernel_ipa < base)
		fail("the kernel or the DTB slot is outside RAM or overlaps");
	if (initrd_size ? p.initrd_ipa % LOADER_ALIGN || p.initrd_ipa < p.kernel_ipa + span ||
			      (u128)p.initrd_ipa + initrd_size > p.dtb_ipa
			: p.initrd_ipa != 0)
		fail("the initrd is misplaced");
	return 0;
}
