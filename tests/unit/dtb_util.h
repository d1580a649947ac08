/* DTB helpers shared by the unit tests that read QEMU's dumped device trees. */
#ifndef TESTS_UNIT_DTB_UTIL_H
#define TESTS_UNIT_DTB_UTIL_H

#include <stddef.h>

/* A writable copy of the DTB file dir/name with `extra` bytes of room to grow; fails the
 * test when the file is missing or malformed. */
void *dtb_load(const char *dir, const char *name, size_t extra);
/* The offset of the node at path; fails the test when there is none. */
int dtb_node(const void *fdt, const char *path);

#endif
