/* What Debian's libfdt.a and liblzo2.a expect from their C library beyond picolibc's string
 * functions: they are built with the stack protector. */
#include <kernel/panic.h>
#include <stdint.h>

uintptr_t __stack_chk_guard = 0x5a564d2d67756172ULL;

_Noreturn void __stack_chk_fail(void)
{
	panic("stack smashing detected in a library call");
}
