/* DTB helpers shared by the unit tests that read QEMU's dumped device trees. */
#include <libfdt.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "dtb_util.h"

void *dtb_load(const char *dir, const char *name, size_t extra)
{
	char path[PATH_MAX + 64];
	FILE *f;
	long size;
	void *raw, *fdt;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (make builds it)", path);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	raw = malloc(size);
	assert_non_null(raw);
	assert_int_equal(fread(raw, 1, size, f), (size_t)size);
	fclose(f);
	fdt = malloc(size + extra);
	assert_non_null(fdt);
	assert_int_equal(fdt_open_into(raw, fdt, size + extra), 0);
	free(raw);
	return fdt;
}

int dtb_node(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	assert_true(n >= 0);
	return n;
}
