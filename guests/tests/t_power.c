/* power: the guest side of `zvm shutdown`. Like Linux's gpio-keys on QEMU virt, it finds the
 * PL061 and the power key's pin in the DT, asks for an interrupt on the pin's rising edge, and
 * powers off (PSCI SYSTEM_OFF) when the key is pressed. With "zvmpower=ignore" it sees the key
 * and carries on, for the shutdown timeout test. Checks the PL061's ID registers on the way. */
#include "zt.h"

#define GPIO_DIR  0x400
#define GPIO_IS	  0x404
#define GPIO_IBE  0x408
#define GPIO_IEV  0x40c
#define GPIO_IE	  0x410
#define GPIO_RIS  0x414
#define GPIO_MIS  0x418
#define GPIO_IC	  0x41c
#define GPIO_PID0 0xfe0
#define GPIO_CID0 0xff0

static volatile unsigned presses;

static void on_gpio(unsigned intid, unsigned cpu)
{
	uint32_t mis = zt_r32(zt_plat.gpio + GPIO_MIS);

	ZT_UNUSED(intid);
	ZT_UNUSED(cpu);
	zt_w32(zt_plat.gpio + GPIO_IC, mis);
	if (mis & (1u << zt_plat.power_pin))
		presses = presses + 1;
}

static int c_pl061(void)
{
	CHECK(zt_plat.gpio && zt_plat.gpio_intid, "no arm,pl061 with an interrupt in the DT");
	CHECK(zt_r32(zt_plat.gpio + GPIO_PID0) == 0x61 && zt_r32(zt_plat.gpio + GPIO_CID0) == 0x0d,
	      "PL061 ID registers read 0x%x/0x%x", zt_r32(zt_plat.gpio + GPIO_PID0),
	      zt_r32(zt_plat.gpio + GPIO_CID0));
	CHECK(zt_plat.power_pin < 8, "power key pin %u", zt_plat.power_pin);
	uint32_t pin = 1u << zt_plat.power_pin;
	uint32_t data = zt_r32(zt_plat.gpio + (pin << 2));
	CHECK(!data, "the power key reads pressed (0x%x) before anyone pressed it", data);
	return 0;
}

static void run_power(void)
{
	char mode[16];
	bool ignore = zt_bootarg("zvmpower", mode, sizeof(mode)) && !strcmp(mode, "ignore");

	zt_case("pl061_power_key_present", c_pl061);
	if (!zt_plat.gpio || !zt_plat.gpio_intid || zt_plat.power_pin >= 8)
		return;
	uint32_t pin = 1u << zt_plat.power_pin;

	zt_w32(zt_plat.gpio + GPIO_DIR, 0);   /* all inputs */
	zt_w32(zt_plat.gpio + GPIO_IS, 0);    /* edge */
	zt_w32(zt_plat.gpio + GPIO_IBE, 0);   /* one edge: */
	zt_w32(zt_plat.gpio + GPIO_IEV, pin); /* rising */
	zt_w32(zt_plat.gpio + GPIO_IC, 0xff);
	zt_w32(zt_plat.gpio + GPIO_IE, pin);
	zt_irq_set_handler(zt_plat.gpio_intid, on_gpio);
	zt_gic_enable(0, zt_plat.gpio_intid);
	zt_irq_on();
	zt_printf("power: waiting for the power key (%s)\n",
		  ignore ? "ignoring it" : "powering off");
	for (unsigned seen = 0;;) {
		zt_wfi();
		if (presses == seen)
			continue;
		seen = presses;
		uint32_t data = zt_r32(zt_plat.gpio + (pin << 2));
		zt_printf("power: key pressed (pin reads 0x%x)\n", data);
		if (!ignore) {
			zt_printf("power: powering off\n");
			zt_system_off();
		}
	}
}
ZT_SET(power, 1, run_power, "waits for the PL061 power key, then SYSTEM_OFF (zvmpower=ignore)");
