/* panic: a guest that reports a panic through pvpanic, as Linux's pvpanic-mmio driver does
 * from its panic notifier: it reads the supported events, writes PANICKED, then spins with
 * interrupts masked like a panicked kernel. The host must stop it (state `crashed`) and apply
 * its on-crash policy. */
#include "zt.h"

#define PVPANIC_PANICKED 1u

static void run_panic(void)
{
	if (!zt_plat.pvpanic) {
		zt_printf("ZVMTEST panic FAIL no qemu,pvpanic-mmio in the DT\n");
		return;
	}
	uint8_t events = zt_r8(zt_plat.pvpanic);

	zt_printf("panic: pvpanic at 0x%lx offers events 0x%x\n", (unsigned long)zt_plat.pvpanic,
		  events);
	if (!(events & PVPANIC_PANICKED)) {
		zt_printf("ZVMTEST panic FAIL PANICKED not offered\n");
		return;
	}
	zt_printf("panic: Kernel panic - not syncing: test\n");
	zt_w8(zt_plat.pvpanic, PVPANIC_PANICKED);
	zt_irq_off();
	for (;;)
		zt_wfi();
}
ZT_SET(panic, 1, run_panic, "reports a panic through pvpanic, then spins");
