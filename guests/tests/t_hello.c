/* hello: a guest that never ends, for interactive use of ZVM (look, pause, resume). Prints a
 * greeting, then `hello tick N` once a second (virtual time), sleeping in WFI in between. */
#include "zt.h"

static void run_hello(void)
{
	zt_printf("ZVM guest hello from vCPU %u\n", zt_cpu_id());
	uint64_t start = zt_now();
	for (uint64_t n = 1;; n++) {
		zt_sleep_until(start + n * zt_freq());
		zt_printf("hello tick %lu\n", (unsigned long)n);
	}
}
ZT_SET(hello, 1, run_hello, "greeting, then `hello tick N` every second, forever");
