/* Where a guest's kernel, initrd and DTB go in its RAM: the arm64 Linux boot protocol
 * (Documentation/arch/arm64/booting.rst). Pure arithmetic on the image header, no guest access:
 * the unit tests run it as is.
 *
 * Layout, from the bottom of RAM:
 *   kernel  an arm64 Image ("ARM\x64" at offset 56) at ram_base + text_offset, reserving its
 *           header's image_size (which covers the BSS); anything else is a raw binary entered
 *           at ram_base
 *   initrd  the next 2 MiB boundary after the kernel
 *   DTB     the last 2 MiB aligned slot of LOADER_DTB_MAX bytes below the top of RAM */
#ifndef ZVM_LOADER_H
#define ZVM_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOADER_ALIGN   (2ULL << 20) /* the protocol's base alignment, used for every piece */
#define LOADER_DTB_MAX (2ULL << 20) /* the protocol's limit on a DTB */

struct load_plan {
	uint64_t kernel_ipa; /* where the kernel file's bytes go */
	uint64_t entry;	     /* first vCPU's PC */
	uint64_t initrd_ipa; /* 0 when there is no initrd */
	uint64_t dtb_ipa;    /* first vCPU's x0; LOADER_DTB_MAX bytes are free there */
	bool arm64_image;    /* the kernel has an arm64 Image header */
};

/* Plans the load of a ksize-byte kernel (only its 64-byte header is read) and an initrd of
 * initrd_size bytes (0 = none) into [ram_base, ram_base + ram_size). ram_base must be 2 MiB
 * aligned. Returns 0; -EINVAL for bad arguments or a malformed Image header; -E2BIG when the
 * pieces do not fit. The header is guest-supplied: every size in it is checked. */
int loader_plan(const void *kernel, size_t ksize, size_t initrd_size, uint64_t ram_base,
		uint64_t ram_size, struct load_plan *out);

/* Firmware boot, as QEMU virt starts `-bios` firmware: the image is flash at flash_base
 * (not copied into RAM; kernel_ipa = flash_base), the vCPU starts at its first byte, and the
 * DTB is at the start of RAM (x0 points there too). Firmware takes no initrd. 0; -EINVAL for
 * bad arguments or an initrd; -E2BIG when the image is larger than flash_size or RAM cannot
 * hold a DTB. */
int loader_plan_firmware(size_t fsize, size_t initrd_size, uint64_t flash_base, uint64_t flash_size,
			 uint64_t ram_base, uint64_t ram_size, struct load_plan *out);

#endif
