/* loader_plan: raw binaries, made-up arm64 Image headers (good and hostile), and the header of
 * the real Debian kernel when scripts/fetch-linux.sh has fetched it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zvm/loader.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB	 (1024ULL * 1024)
#define RAM	 0x40000000ULL
#define RAM_SIZE (512 * MIB)
#define DTB_AT	 (RAM + RAM_SIZE - 2 * MIB)

static char linux_image[PATH_MAX];

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A 64-byte arm64 Image header with the given fields. */
static void image_header(unsigned char *h, uint64_t text_offset, uint64_t image_size)
{
	memset(h, 0, 64);
	h[0] = 0x4d; /* "MZ": a real Image's first instruction doubles as the PE signature */
	h[1] = 0x5a;
	put_le64(h + 8, text_offset);
	put_le64(h + 16, image_size);
	put_le64(h + 24, 0xa); /* LE, 4K pages, anywhere */
	memcpy(h + 56, "ARM\x64", 4);
}

static void test_raw(void **state)
{
	unsigned char bin[4096] = {0};
	struct load_plan p;

	(void)state;
	assert_int_equal(loader_plan(bin, sizeof(bin), 5 * MIB + 1, RAM, RAM_SIZE, &p), 0);
	assert_false(p.arm64_image);
	assert_int_equal(p.kernel_ipa, RAM);
	assert_int_equal(p.entry, RAM);
	assert_int_equal(p.initrd_ipa, RAM + 2 * MIB);
	assert_int_equal(p.dtb_ipa, DTB_AT);
}

/* Shorter than a header: raw, even if the bytes happen to start like one. */
static void test_raw_tiny(void **state)
{
	unsigned char bin[16] = {0x4d, 0x5a};
	struct load_plan p;

	(void)state;
	assert_int_equal(loader_plan(bin, sizeof(bin), 0, RAM, RAM_SIZE, &p), 0);
	assert_false(p.arm64_image);
	assert_int_equal(p.entry, RAM);
	assert_int_equal(p.initrd_ipa, 0);
}

static void test_image_text_offset_0(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 40 * MIB + 123);
	assert_int_equal(loader_plan(h, sizeof(h), MIB, RAM, RAM_SIZE, &p), 0);
	assert_true(p.arm64_image);
	assert_int_equal(p.kernel_ipa, RAM);
	assert_int_equal(p.entry, RAM);
	assert_int_equal(p.initrd_ipa, RAM + 42 * MIB); /* past image_size, not the file */
	assert_int_equal(p.dtb_ipa, DTB_AT);
}

static void test_image_text_offset_80000(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0x80000, 4 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), MIB, RAM, RAM_SIZE, &p), 0);
	assert_int_equal(p.kernel_ipa, RAM + 0x80000);
	assert_int_equal(p.entry, RAM + 0x80000);
	assert_int_equal(p.initrd_ipa, RAM + 6 * MIB);
}

/* image_size 0: an old kernel; text_offset is 0x80000 whatever the field says. */
static void test_image_size_0(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0x12345678, 0);
	assert_int_equal(loader_plan(h, sizeof(h), MIB, RAM, RAM_SIZE, &p), 0);
	assert_true(p.arm64_image);
	assert_int_equal(p.kernel_ipa, RAM + 0x80000);
	assert_int_equal(p.initrd_ipa, RAM + 2 * MIB);
}

static void test_no_initrd(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 8 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), 0);
	assert_int_equal(p.initrd_ipa, 0);
	assert_int_equal(p.dtb_ipa, DTB_AT);
}

/* RAM whose end is not 2 MiB aligned: the DTB slot still is. */
static void test_unaligned_ram_end(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 8 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, 64 * MIB + 4096, &p), 0);
	assert_int_equal(p.dtb_ipa, RAM + 62 * MIB);
	assert_int_equal(p.dtb_ipa % (2 * MIB), 0);
}

/* Everything exactly fills RAM: kernel up to the initrd, initrd up to the DTB. */
static void test_exact_fit(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 6 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 8 * MIB, RAM, 16 * MIB, &p), 0);
	assert_int_equal(p.initrd_ipa, RAM + 6 * MIB);
	assert_int_equal(p.dtb_ipa, RAM + 14 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 8 * MIB + 1, RAM, 16 * MIB, &p), -E2BIG);
	image_header(h, 0, 14 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, 16 * MIB, &p), 0);
	image_header(h, 0, 14 * MIB + 1);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, 16 * MIB, &p), -E2BIG);
}

static void test_too_big(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 600 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), -E2BIG);
	image_header(h, 0, 8 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 600 * MIB, RAM, RAM_SIZE, &p), -E2BIG);
	assert_int_equal(loader_plan(h, sizeof(h), SIZE_MAX, RAM, RAM_SIZE, &p), -E2BIG);
	/* No room for the DTB at all. */
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, MIB, &p), -E2BIG);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, 0, &p), -E2BIG);
}

/* Header fields chosen to wrap 64-bit sums if anything added them unchecked. */
static void test_hostile_header(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, ~0ULL & ~0xfffULL, 8 * MIB);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), -E2BIG);
	image_header(h, 0x80000, ~0ULL);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), -E2BIG);
	image_header(h, ~0ULL & ~0xfffULL, ~0ULL & ~0xfffULL);
	assert_int_equal(loader_plan(h, sizeof(h), MIB, RAM, RAM_SIZE, &p), -E2BIG);
	image_header(h, 0x80001, 8 * MIB); /* not page aligned */
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), -EINVAL);
	image_header(h, 0, 32); /* image_size smaller than the file */
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, &p), -EINVAL);
}

static void test_bad_args(void **state)
{
	unsigned char h[64];
	struct load_plan p;

	(void)state;
	image_header(h, 0, 8 * MIB);
	assert_int_equal(loader_plan(NULL, 64, 0, RAM, RAM_SIZE, &p), -EINVAL);
	assert_int_equal(loader_plan(h, 0, 0, RAM, RAM_SIZE, &p), -EINVAL);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM, RAM_SIZE, NULL), -EINVAL);
	assert_int_equal(loader_plan(h, sizeof(h), 0, RAM + 4096, RAM_SIZE, &p), -EINVAL);
	assert_int_equal(loader_plan(h, sizeof(h), 0, ~0ULL - 2 * MIB + 1, 4 * MIB, &p), -EINVAL);
}

/* Debian's kernel: text_offset 0 and an image_size past the file (its BSS). */
/* Firmware boot: the image stays flash at flash_base, the vCPU starts there, the DTB is at the
 * start of RAM; no initrd; the flash bank and RAM bound the sizes. */
static void test_firmware(void **state)
{
	struct load_plan p;

	(void)state;
	memset(&p, 0xa5, sizeof(p));
	assert_int_equal(loader_plan_firmware(971304, 0, 0, 64 * MIB, RAM, RAM_SIZE, &p), 0);
	assert_int_equal(p.kernel_ipa, 0);
	assert_int_equal(p.entry, 0);
	assert_int_equal(p.dtb_ipa, RAM);
	assert_int_equal(p.initrd_ipa, 0);
	assert_false(p.arm64_image);
	assert_int_equal(loader_plan_firmware(64 * MIB, 0, 0, 64 * MIB, RAM, RAM_SIZE, &p), 0);
	assert_int_equal(loader_plan_firmware(64 * MIB + 1, 0, 0, 64 * MIB, RAM, RAM_SIZE, &p),
			 -E2BIG);
	assert_int_equal(loader_plan_firmware(4096, 0, 0, 64 * MIB, RAM, 1 * MIB, &p), -E2BIG);
	assert_int_equal(loader_plan_firmware(4096, 4096, 0, 64 * MIB, RAM, RAM_SIZE, &p), -EINVAL);
	assert_int_equal(loader_plan_firmware(0, 0, 0, 64 * MIB, RAM, RAM_SIZE, &p), -EINVAL);
	assert_int_equal(loader_plan_firmware(4096, 0, 0, 64 * MIB, RAM + 4096, RAM_SIZE, &p),
			 -EINVAL);
	assert_int_equal(loader_plan_firmware(4096, 0, 0, 64 * MIB, RAM, RAM_SIZE, NULL), -EINVAL);
	/* Flash overlapping RAM, either way round. */
	assert_int_equal(loader_plan_firmware(4096, 0, RAM - 4096, 64 * MIB, RAM, RAM_SIZE, &p),
			 -EINVAL);
	assert_int_equal(loader_plan_firmware(4096, 0, RAM + MIB, 64 * MIB, RAM, RAM_SIZE, &p),
			 -EINVAL);
	assert_int_equal(loader_plan_firmware(4096, 0, RAM + RAM_SIZE, 64 * MIB, RAM, RAM_SIZE, &p),
			 0);
}

static void test_debian_image(void **state)
{
	FILE *f = fopen(linux_image, "rb");
	unsigned char *img;
	long size;
	uint64_t image_size = 0;
	struct load_plan p;

	(void)state;
	if (!f) {
		printf("(no %s: `make linux` fetches it)\n", linux_image);
		skip();
	}
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	img = malloc(size);
	assert_non_null(img);
	assert_int_equal(fread(img, 1, size, f), (size_t)size);
	fclose(f);
	for (int i = 7; i >= 0; i--)
		image_size = image_size << 8 | img[16 + i];

	assert_int_equal(loader_plan(img, size, 4 * MIB, RAM, RAM_SIZE, &p), 0);
	assert_true(p.arm64_image);
	assert_int_equal(p.kernel_ipa, RAM);
	assert_int_equal(p.entry, RAM);
	assert_true(image_size >= (uint64_t)size);
	assert_true(p.initrd_ipa >= RAM + image_size);
	assert_int_equal(p.initrd_ipa % (2 * MIB), 0);
	assert_true(p.initrd_ipa + 4 * MIB <= p.dtb_ipa);
	assert_int_equal(p.dtb_ipa, DTB_AT);
	/* 32 MiB of RAM cannot hold it and a DTB. */
	assert_int_equal(loader_plan(img, size, 0, RAM, 32 * MIB, &p), -E2BIG);
	free(img);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_raw),
	    cmocka_unit_test(test_raw_tiny),
	    cmocka_unit_test(test_image_text_offset_0),
	    cmocka_unit_test(test_image_text_offset_80000),
	    cmocka_unit_test(test_image_size_0),
	    cmocka_unit_test(test_no_initrd),
	    cmocka_unit_test(test_unaligned_ram_end),
	    cmocka_unit_test(test_exact_fit),
	    cmocka_unit_test(test_too_big),
	    cmocka_unit_test(test_hostile_header),
	    cmocka_unit_test(test_bad_args),
	    cmocka_unit_test(test_firmware),
	    cmocka_unit_test(test_debian_image),
	};
	char self[PATH_MAX];

	/* build/unit/loader -> build/linux/Image, unless a path is given. */
	snprintf(self, sizeof(self), "%s", argv[0]);
	if (argc > 1)
		snprintf(linux_image, sizeof(linux_image), "%s", argv[1]);
	else
		snprintf(linux_image, sizeof(linux_image), "%s/../linux/Image", dirname(self));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
