/* printf-style formatting into a buffer, integers and strings only.
 *
 * Hand-written because picolibc's vfprintf moves va_list through SIMD registers, and host code
 * must never touch the FP/SIMD file: during a trap it still holds the guest's state.
 *
 * Conversions: %d %i %u %x %X %o %p %s %c %%. Length modifiers: hh h l ll z j t.
 * Flags: - 0 + space #. Width and precision, both also as '*'. %s of NULL prints "(null)",
 * %p prints "0x" and lowercase hex digits. An unknown conversion is copied out literally. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* C99 snprintf semantics: writes at most size bytes including the terminating NUL (always
 * written when size > 0) and returns the length the full output would have, or -1 if that
 * does not fit in an int. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
