/* Guest image layout per the arm64 boot protocol (see include/zvm/loader.h). All placement is
 * done as offsets from ram_base, each checked against ram_size, so no sum can wrap. */
#include <zvm/loader.h>

#include <errno.h>
#include <string.h>

/* The arm64 Image header: little-endian fields at fixed offsets. */
#define IMAGE_HDR_SIZE	  64
#define IMAGE_TEXT_OFFSET 8
#define IMAGE_SIZE	  16
#define IMAGE_MAGIC	  56
#define IMAGE_OLD_TEXT	  0x80000 /* text_offset when image_size is 0 (kernels before 3.17) */
#define IMAGE_TEXT_ALIGN  0x1000  /* no real kernel has a less aligned text_offset */

/* Byte by byte: the header may be unaligned, and is little-endian whatever the host. */
static uint64_t le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

/* Does [off, off + size) lie within [0, limit)? */
static bool fits(uint64_t off, uint64_t size, uint64_t limit)
{
	return size <= limit && off <= limit - size;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Fills *text (offset from ram_base) and *span (bytes the kernel owns there) for an Image. */
static int image_layout(const unsigned char *hdr, size_t ksize, uint64_t *text, uint64_t *span)
{
	uint64_t text_offset = le64(hdr + IMAGE_TEXT_OFFSET);
	uint64_t image_size = le64(hdr + IMAGE_SIZE);

	if (!image_size) {
		*text = IMAGE_OLD_TEXT;
		*span = ksize; /* unknown BSS: the file is all we know */
		return 0;
	}
	if (text_offset % IMAGE_TEXT_ALIGN || image_size < ksize)
		return -EINVAL;
	*text = text_offset;
	*span = image_size;
	return 0;
}

int loader_plan(const void *kernel, size_t ksize, size_t initrd_size, uint64_t ram_base,
		uint64_t ram_size, struct load_plan *out)
{
	const unsigned char *k = kernel;
	uint64_t text = 0, span = ksize, dtb, initrd;
	int err;

	if (!k || !ksize || !out || ram_base % LOADER_ALIGN || ram_base + ram_size < ram_base)
		return -EINVAL;
	memset(out, 0, sizeof(*out));

	out->arm64_image = ksize >= IMAGE_HDR_SIZE && !memcmp(k + IMAGE_MAGIC, "ARM\x64", 4);
	if (out->arm64_image) {
		err = image_layout(k, ksize, &text, &span);
		if (err)
			return err;
	}

	if (ram_size < LOADER_DTB_MAX)
		return -E2BIG;
	dtb = (ram_size - LOADER_DTB_MAX) & ~(LOADER_ALIGN - 1);
	if (!fits(text, span, dtb))
		return -E2BIG;
	initrd = align_up(text + span, LOADER_ALIGN); /* text + span <= dtb: cannot wrap */
	if (initrd_size && !fits(initrd, initrd_size, dtb))
		return -E2BIG;

	out->kernel_ipa = ram_base + text;
	out->entry = out->kernel_ipa;
	out->initrd_ipa = initrd_size ? ram_base + initrd : 0;
	out->dtb_ipa = ram_base + dtb;
	return 0;
}

int loader_plan_firmware(size_t fsize, size_t initrd_size, uint64_t flash_base, uint64_t flash_size,
			 uint64_t ram_base, uint64_t ram_size, struct load_plan *out)
{
	if (!fsize || !out || initrd_size || ram_base % LOADER_ALIGN ||
	    ram_base + ram_size < ram_base || flash_base + flash_size < flash_base)
		return -EINVAL;
	/* The flash must not shadow RAM (nor RAM the flash): both are mapped at once. */
	if (flash_base < ram_base + ram_size && ram_base < flash_base + flash_size)
		return -EINVAL;
	if (fsize > flash_size || ram_size < LOADER_DTB_MAX)
		return -E2BIG;
	memset(out, 0, sizeof(*out));
	out->kernel_ipa = flash_base;
	out->entry = flash_base;
	out->dtb_ipa = ram_base;
	return 0;
}
