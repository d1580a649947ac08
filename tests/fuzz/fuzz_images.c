/* The guest-type table (zvm/images.c guest_types_init) read from a device tree. The first input
 * byte picks the kind of tree and /reserved-memory's cell counts:
 *   - a raw blob, only when it passes fdt_check_header and its totalsize fits the input (as
 *     the kernel's board DTB, checked by board_parse first);
 *   - a skeleton built with libfdt's sequential-write API: /reserved-memory children whose
 *     zvm,guest, zvm,role, reg, zvm,prio and zvm,bootargs are raw bytes, cells or strings
 *     (guest names, roles) from the input, up to more guests than the table holds.
 * Checks: the result is 0 exactly when the error text is empty, else -EINVAL or -ENOSPC; the
 * table holds at most GUEST_TYPES_MAX guests, each with a terminated unique name that
 * guest_type_find finds, a non-empty kernel and initrd that do not wrap, kernels in address
 * order, bootargs a string inside the blob and a priority in range. */
#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/images.h>
#include <zvm/vm_opts.h>

#include "fuzz_dtb.h"
#include "fuzz_input.h"

#define SKEL_SIZE 65536

static const char *const props[] = {"zvm,guest", "zvm,role",	 "reg",
				    "zvm,prio",	 "zvm,bootargs", "no-map"};

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_images: %s\n", why);
	abort();
}

static int build(struct fuzz_in *in, void *fdt, uint8_t cells)
{
	int err = fdt_create(fdt, SKEL_SIZE) || fdt_finish_reservemap(fdt) ||
		  fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "reserved-memory") ||
		  fdt_property_u32(fdt, "#address-cells", 1 + cells % 3) ||
		  fdt_property_u32(fdt, "#size-cells", cells / 3 % 3) ||
		  fdt_begin_node(fdt, "zvm-image@0");
	char s[40];

	while (!err && in->n) {
		uint8_t op = fuzz_u8(in), n = fuzz_u8(in) % 33;
		const char *prop = props[(op >> 2) % (sizeof(props) / sizeof(props[0]))];

		if (op >= 0xf0) { /* the next image node, maybe a kernel already */
			snprintf(s, sizeof(s), "zvm-image@%x", n);
			err = fdt_end_node(fdt) || fdt_begin_node(fdt, s);
			snprintf(s, sizeof(s), "g%u", n % 20);
			if (!err && op & 1)
				err = fdt_property_string(fdt, "zvm,guest", s) ||
				      fdt_property_string(fdt, "zvm,role", "kernel");
		} else if (op & 1) { /* raw bytes: cells of any count, strings without their NUL */
			for (unsigned i = 0; i < n; i++)
				s[i] = (char)fuzz_u8(in);
			err = fdt_property(fdt, prop, s, n);
		} else if (op & 2) { /* a guest name, a role, or an empty string */
			n %= 23;
			snprintf(s, sizeof(s), "g%u", n);
			err = fdt_property_string(fdt, prop,
						  n == 20   ? "kernel"
						  : n == 21 ? "initrd"
						  : n == 22 ? ""
							    : s);
		} else {
			err = fdt_property_u32(fdt, prop, n);
		}
	}
	return err || fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_end_node(fdt) ||
	       fdt_finish(fdt);
}

static void check(const void *fdt, int r)
{
	const char *end = (const char *)fdt + fdt_totalsize(fdt), *msg = guest_types_error();
	unsigned n = guest_type_count();

	if (!msg || (r && r != -EINVAL && r != -ENOSPC) || !r != !msg[0])
		fail("the result and the error text disagree");
	if (n > GUEST_TYPES_MAX || guest_type_nth(n))
		fail("more guest types than the table holds");
	for (unsigned i = 0; i < n; i++) {
		const struct guest_type *t = guest_type_nth(i);

		if (!t || !memchr(t->name, '\0', GUEST_NAME_MAX) || !t->name[0] ||
		    guest_type_find(t->name) != t)
			fail("a guest type without a unique terminated name");
		if (!t->kernel.size || t->kernel.pa + t->kernel.size < t->kernel.pa ||
		    t->initrd.pa + t->initrd.size < t->initrd.pa)
			fail("an empty kernel or an image that wraps");
		if (i && guest_type_nth(i - 1)->kernel.pa > t->kernel.pa)
			fail("kernels out of address order");
		if (t->bootargs && (t->bootargs < (const char *)fdt || t->bootargs >= end ||
				    !memchr(t->bootargs, '\0', (size_t)(end - t->bootargs))))
			fail("bootargs is not a string inside the blob");
		if (t->prio && (t->prio < VM_PRIO_MIN || t->prio > VM_PRIO_MAX))
			fail("a priority out of range");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_u8(&in);
	void *fdt = NULL;

	if (mode & 1) {
		void *skel = malloc(SKEL_SIZE);

		if (!build(&in, skel, mode >> 1))
			fdt = fuzz_dtb_dup(skel, SKEL_SIZE);
		free(skel);
	} else {
		fdt = fuzz_dtb_dup(in.p, in.n);
	}
	if (fdt)
		check(fdt, guest_types_init(fdt));
	free(fdt);
	return 0;
}
