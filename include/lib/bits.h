/* Bit counting for host code. Not __builtin_popcountll: libgcc's __popcountdi2 uses SIMD
 * registers, which host code never touches (tests/system/test_image.py). */
#ifndef LIB_BITS_H
#define LIB_BITS_H

#include <stdint.h>

static inline unsigned bits_count(uint64_t m)
{
	unsigned n = 0;

	for (; m; m &= m - 1)
		n++;
	return n;
}

#endif
