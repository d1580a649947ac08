/* memcpy, memset and memmove a word at a time (lib/fast_mem.c). In the kernel images they are
 * memcpy, memset and memmove themselves; the host tests call them by these names. */
#ifndef LIB_FAST_MEM_H
#define LIB_FAST_MEM_H

#include <stddef.h>

void *fast_memcpy(void *dst, const void *src, size_t n);
void *fast_memset(void *dst, int c, size_t n);
void *fast_memmove(void *dst, const void *src, size_t n);

#endif
