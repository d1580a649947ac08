/* memcpy, memset and memmove for the kernel images (include/lib/fast_mem.h). picolibc's, as
 * linked here, go a byte at a time: 5 instructions per byte, 330000 for a page copy, in the
 * disk driver's bounce buffer, frames between VMs, dynamic VMs' pages and liblzo2. These move
 * 8 bytes per access where both sides share an alignment (the kernel is built -mstrict-align,
 * so never a misaligned word), else bytes. The loops must not turn back into calls of the
 * functions they implement. */
#include <lib/fast_mem.h>
#include <stdint.h>

#ifdef __clang__ /* the host fuzz build */
#define NO_LIBCALLS
#else
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif

/* Word accesses to bytes of any type: may_alias keeps them legal C under -O2 -flto. */
typedef uint64_t __attribute__((may_alias)) word_t;

NO_LIBCALLS void *fast_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	uint64_t w = (uint8_t)c * 0x0101010101010101ull;

	for (; n && (uintptr_t)d % 8; n--)
		*d++ = (uint8_t)c;
	for (; n >= 32; n -= 32, d += 32) {
		((word_t *)d)[0] = w;
		((word_t *)d)[1] = w;
		((word_t *)d)[2] = w;
		((word_t *)d)[3] = w;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(word_t *)d = w;
	for (; n; n--)
		*d++ = (uint8_t)c;
	return dst;
}

/* Forward; also right for overlapping buffers with dst below src (each word is read before
 * the bytes it covers are written). */
NO_LIBCALLS void *fast_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if ((uintptr_t)d % 8 == (uintptr_t)s % 8) {
		for (; n && (uintptr_t)d % 8; n--)
			*d++ = *s++;
		for (; n >= 32; n -= 32, d += 32, s += 32) {
			word_t a = ((const word_t *)s)[0], b = ((const word_t *)s)[1];
			word_t e = ((const word_t *)s)[2], f = ((const word_t *)s)[3];

			((word_t *)d)[0] = a;
			((word_t *)d)[1] = b;
			((word_t *)d)[2] = e;
			((word_t *)d)[3] = f;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(word_t *)d = *(const word_t *)s;
	}
	for (; n; n--)
		*d++ = *s++;
	return dst;
}

NO_LIBCALLS void *fast_memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d <= s || d >= s + n)
		return fast_memcpy(dst, src, n);
	/* dst above src, overlapping: backwards, each word read before it is overwritten. */
	d += n;
	s += n;
	if ((uintptr_t)d % 8 == (uintptr_t)s % 8) {
		for (; n && (uintptr_t)d % 8; n--)
			*--d = *--s;
		for (; n >= 8; n -= 8) {
			d -= 8;
			s -= 8;
			*(word_t *)d = *(const word_t *)s;
		}
	}
	for (; n; n--)
		*--d = *--s;
	return dst;
}

#ifndef UNIT_TEST /* the kernel images (not the host tests): the C library's functions */
void *memcpy(void *dst, const void *src, size_t n) __attribute__((alias("fast_memcpy")));
void *memset(void *dst, int c, size_t n) __attribute__((alias("fast_memset")));
void *memmove(void *dst, const void *src, size_t n) __attribute__((alias("fast_memmove")));
#endif
