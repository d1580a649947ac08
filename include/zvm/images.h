/* Guest types: the kernel/initrd images QEMU loaded beside ZVM, as the board DT describes them.
 *
 * scripts/board-dtb.py writes one /reserved-memory child per image:
 *   zvm-image@ADDR { reg = <ADDR SIZE>; no-map; zvm,guest = "NAME"; zvm,role = "kernel";
 *                    zvm,bootargs = "..."; zvm,prio = <N>; zvm,boot = "firmware"; };
 * (role "initrd" takes neither bootargs, prio nor boot; prio is VM_PRIO_MIN..VM_PRIO_MAX;
 * boot is "kernel" (the default: the arm64 Linux boot protocol, zvm/loader.c) or "firmware"
 * (started as QEMU starts -bios firmware: include/zvm/vdev/fw_flash.h))
 * Those regions are reserved (board_parse), so the images stay intact for every VM created
 * from them. Pure libfdt code: the host unit tests run it unchanged. */
#ifndef ZVM_IMAGES_H
#define ZVM_IMAGES_H

#include <kernel/board.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_NAME_MAX 24 /* with the NUL; scripts/board-dtb.py reads it from here */
/* Each type has a kernel image, a reserved region: the board's limit is the one that binds. */
#define GUEST_TYPES_MAX BOARD_MAX_RESERVED

struct guest_image {
	uint64_t pa; /* host physical address of the image */
	size_t size; /* exact size in bytes; 0 = no such image */
};

struct guest_type {
	char name[GUEST_NAME_MAX];
	struct guest_image kernel; /* always present */
	struct guest_image initrd;
	const char *bootargs; /* points into the DTB (which stays reserved); NULL when none */
	unsigned prio;	      /* zvm,prio: default vCPU priority; 0 when none */
	bool firmware;	      /* zvm,boot = "firmware": the kernel image is flash at IPA 0 */
};

/* Rebuilds the table from fdt's /reserved-memory. A guest with a malformed node, or with no
 * kernel, is left out and the others kept. Returns 0, or the negative errno of the first
 * problem with its reason in guest_types_error(); -ENOSPC past GUEST_TYPES_MAX guests. */
int guest_types_init(const void *fdt);
const char *guest_types_error(void); /* "" after a clean guest_types_init */

/* NULL when there is no guest type of that name. */
const struct guest_type *guest_type_find(const char *name);
unsigned guest_type_count(void);
/* Ordered by kernel address (config order); NULL when i >= guest_type_count(). */
const struct guest_type *guest_type_nth(unsigned i);

#endif
