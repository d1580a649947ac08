/* For the targets that parse a device tree: a heap copy of a blob when it is one libfdt accepts
 * and it fits in avail bytes (a parser is only ever given a tree whose header was checked). */
#ifndef TESTS_FUZZ_FUZZ_DTB_H
#define TESTS_FUZZ_FUZZ_DTB_H

#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

static inline void *fuzz_dtb_dup(const void *blob, size_t avail)
{
	void *copy;

	if (avail < sizeof(struct fdt_header) || fdt_check_header(blob) ||
	    fdt_totalsize(blob) > avail)
		return NULL;
	copy = malloc(fdt_totalsize(blob));
	if (copy)
		memcpy(copy, blob, fdt_totalsize(blob));
	return copy;
}

#endif
