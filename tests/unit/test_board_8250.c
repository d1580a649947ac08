/* board_parse on an RK3568-like tree, whose console is a DesignWare 8250 named by stdout-path,
 * and the 8250 properties (reg-shift, reg-io-width, reg-offset) with their refusals. The tree
 * follows Linux's rk356x.dtsi and rk3568-evb1-v10.dts, with a memory node as U-Boot adds it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <kernel/board.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TREE_SIZE 8192
#define OK(x)	  assert_int_equal((x), 0)
#define UART0	  "/serial@fdd50000"
#define UART2	  "/serial@fe660000"

static const char dw_compat[] = "rockchip,rk3568-uart\0snps,dw-apb-uart";

static void cells(void *fdt, const char *name, const uint32_t *v, int n)
{
	fdt32_t c[12];

	assert_true(n <= 12);
	for (int i = 0; i < n; i++)
		c[i] = cpu_to_fdt32(v[i]);
	OK(fdt_property(fdt, name, c, n * 4));
}

#define CELLS(fdt, name, ...)                                                                      \
	cells(fdt, name, (const uint32_t[]){__VA_ARGS__},                                          \
	      sizeof((const uint32_t[]){__VA_ARGS__}) / 4)

static void dw_uart(void *fdt, const char *name, uint32_t base, uint32_t spi)
{
	OK(fdt_begin_node(fdt, name));
	OK(fdt_property(fdt, "compatible", dw_compat, sizeof(dw_compat)));
	CELLS(fdt, "reg", 0, base, 0, 0x100);
	CELLS(fdt, "interrupts", 0, spi, 4);
	CELLS(fdt, "clocks", 3, 0x11d, 3, 0x11a); /* the CRU: no rate in the tree */
	CELLS(fdt, "reg-shift", 2);
	CELLS(fdt, "reg-io-width", 4);
	OK(fdt_property_string(fdt, "status", "okay"));
	OK(fdt_end_node(fdt));
}

/* A writable RK3568 EVB-like tree with room for edits. */
static void *rk3568(void)
{
	void *fdt = malloc(TREE_SIZE);

	assert_non_null(fdt);
	OK(fdt_create(fdt, TREE_SIZE));
	OK(fdt_finish_reservemap(fdt));
	OK(fdt_begin_node(fdt, ""));
	OK(fdt_property_string(fdt, "model", "Rockchip RK3568 EVB1 DDR4 V10 Board"));
	CELLS(fdt, "#address-cells", 2);
	CELLS(fdt, "#size-cells", 2);
	CELLS(fdt, "interrupt-parent", 1);

	OK(fdt_begin_node(fdt, "aliases"));
	OK(fdt_property_string(fdt, "serial0", UART0));
	OK(fdt_property_string(fdt, "serial2", UART2));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "chosen"));
	OK(fdt_property_string(fdt, "stdout-path", "serial2:1500000n8"));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "memory@200000"));
	OK(fdt_property_string(fdt, "device_type", "memory"));
	CELLS(fdt, "reg", 0, 0x200000, 0, 0x7fe00000);
	OK(fdt_end_node(fdt));

	OK(fdt_begin_node(fdt, "cpus"));
	CELLS(fdt, "#address-cells", 2);
	CELLS(fdt, "#size-cells", 0);
	for (uint32_t i = 0; i < 4; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", i << 8);
		OK(fdt_begin_node(fdt, name));
		OK(fdt_property_string(fdt, "device_type", "cpu"));
		OK(fdt_property_string(fdt, "compatible", "arm,cortex-a55"));
		CELLS(fdt, "reg", 0, i << 8);
		OK(fdt_property_string(fdt, "enable-method", "psci"));
		OK(fdt_end_node(fdt));
	}
	OK(fdt_end_node(fdt));

	OK(fdt_begin_node(fdt, "psci"));
	OK(fdt_property_string(fdt, "compatible", "arm,psci-1.0"));
	OK(fdt_property_string(fdt, "method", "smc"));
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "timer"));
	OK(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	CELLS(fdt, "interrupts", 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "interrupt-controller@fd400000"));
	OK(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	CELLS(fdt, "#interrupt-cells", 3);
	OK(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CELLS(fdt, "reg", 0, 0xfd400000, 0, 0x10000, 0, 0xfd460000, 0, 0x80000);
	CELLS(fdt, "interrupts", 1, 9, 4);
	CELLS(fdt, "phandle", 1);
	OK(fdt_end_node(fdt));
	OK(fdt_begin_node(fdt, "clock-controller@fdd20000"));
	OK(fdt_property_string(fdt, "compatible", "rockchip,rk3568-pmucru"));
	CELLS(fdt, "#clock-cells", 1);
	CELLS(fdt, "phandle", 3);
	OK(fdt_end_node(fdt));

	dw_uart(fdt, "serial@fdd50000", 0xfdd50000, 116); /* uart0: first, not the console */
	dw_uart(fdt, "serial@fe660000", 0xfe660000, 118); /* uart2: the EVB's console */
	OK(fdt_end_node(fdt));
	OK(fdt_finish(fdt));
	OK(fdt_open_into(fdt, fdt, TREE_SIZE));
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	assert_true(n >= 0);
	return n;
}

static void set_u32(void *fdt, const char *path, const char *name, uint32_t v)
{
	OK(fdt_setprop_u32(fdt, node(fdt, path), name, v));
}

static void test_rk3568(void **state)
{
	void *fdt = rk3568();
	struct board b;

	(void)state;
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_string_equal(b.err, "");
	/* The console: uart2 through the serial2 alias, though uart0 comes first. */
	assert_true(b.uart.present);
	assert_int_equal(b.uart.kind, BOARD_UART_DW_APB);
	assert_int_equal(b.uart.reg.base, 0xfe660000);
	assert_int_equal(b.uart.reg.size, 0x100);
	assert_int_equal(b.uart.reg_shift, 2);
	assert_int_equal(b.uart.io_width, 4);
	assert_int_equal(b.uart.intid, 150);  /* SPI 118 */
	assert_int_equal(b.uart.clock_hz, 0); /* a CRU clock: its rate is not in the tree */
	assert_int_equal(b.uart.node, node(fdt, UART2));
	/* The rest, as docs/porting.md lists it. */
	assert_int_equal(b.nr_cpus, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(b.cpu[i].mpidr, i << 8);
	assert_int_equal(b.gic.version, 3);
	assert_int_equal(b.gic.dist.base, 0xfd400000);
	assert_int_equal(b.gic.nr_redist, 1);
	assert_int_equal(b.gic.redist[0].base, 0xfd460000);
	assert_int_equal(b.gic.maint_intid, 25);
	assert_int_equal(b.timer.intid[BOARD_TIMER_HYP], 26);
	assert_int_equal(b.psci.method, BOARD_PSCI_SMC);
	assert_int_equal(b.psci.version, BOARD_PSCI_V1_0);
	free(fdt);
}

/* Without stdout-path the first usable 8250 in the tree; a path with options works as well. */
static void test_rk3568_without_stdout_path(void **state)
{
	void *fdt = rk3568();
	struct board b;

	(void)state;
	OK(fdt_delprop(fdt, node(fdt, "/chosen"), "stdout-path"));
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0xfdd50000);
	assert_int_equal(b.uart.intid, 148);
	assert_int_equal(b.uart.kind, BOARD_UART_DW_APB);

	OK(fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", UART2 ":1500000n8"));
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0xfe660000);
	free(fdt);
}

/* A generic 16550 with neither property: registers a byte apart, byte accesses. A node that
 * is a DesignWare UART and says it is a 16550 too gets the DesignWare handling. */
static void test_ns16550_defaults(void **state)
{
	static const char both[] = "snps,dw-apb-uart\0ns16550a";
	void *fdt = rk3568();
	struct board b;
	int n = node(fdt, UART2);

	(void)state;
	OK(fdt_setprop_string(fdt, n, "compatible", "ns16550a"));
	OK(fdt_delprop(fdt, n, "reg-shift"));
	OK(fdt_delprop(fdt, n, "reg-io-width"));
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.kind, BOARD_UART_NS16550);
	assert_int_equal(b.uart.reg.base, 0xfe660000);
	assert_int_equal(b.uart.reg_shift, 0);
	assert_int_equal(b.uart.io_width, 1);

	OK(fdt_setprop_string(fdt, node(fdt, UART2), "compatible", "ns16550"));
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.kind, BOARD_UART_NS16550);
	assert_int_equal(b.uart.reg.base, 0xfe660000);

	OK(fdt_setprop(fdt, node(fdt, UART2), "compatible", both, sizeof(both)));
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.kind, BOARD_UART_DW_APB);
	free(fdt);
}

/* reg-offset moves the registers inside the node's reg. */
static void test_reg_offset(void **state)
{
	void *fdt = rk3568();
	struct board b;

	(void)state;
	set_u32(fdt, UART2, "reg-offset", 0x20);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0xfe660020);
	assert_int_equal(b.uart.reg.size, 0xe0);
	/* Pushed past the window: DesignWare's USR (0x1f << 2) would be outside. */
	set_u32(fdt, UART2, "reg-offset", 0x90);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0xfdd50000);
	free(fdt);
}

/* What the driver cannot reach is refused: the stdout-path UART is passed over for the next
 * usable one, and with none left the reason stays. */
static void test_8250_refusals(void **state)
{
	static const struct {
		const char *prop;
		uint32_t v;
		const char *why;
	} bad[] = {
	    {"reg-io-width", 2, "reg-io-width 2 with reg-shift 2"},
	    {"reg-io-width", 8, "reg-io-width 8"},
	    {"reg-shift", 0, "reg-io-width 4 with reg-shift 0"}, /* an unaligned 32-bit access */
	    {"reg-shift", 5, "reg-shift 5"},
	};
	struct board b;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		void *fdt = rk3568();

		set_u32(fdt, UART2, bad[i].prop, bad[i].v);
		assert_int_equal(board_parse(fdt, &b), 0);
		assert_string_equal(b.err, "");
		assert_int_equal(b.uart.reg.base, 0xfdd50000);
		assert_int_equal(b.uart.reg_shift, 2);

		OK(fdt_setprop_string(fdt, node(fdt, UART0), "status", "disabled"));
		assert_int_equal(board_parse_console(fdt, &b), -EINVAL);
		assert_false(b.uart.present);
		assert_non_null(strstr(b.err, bad[i].why));
		free(fdt);
	}

	void *fdt = rk3568();

	OK(fdt_setprop_string(fdt, node(fdt, UART0), "status", "disabled"));
	/* Too small for the DesignWare USR at 0x7c, enough for a 16550's eight registers. */
	OK(fdt_setprop(fdt, node(fdt, UART2), "reg",
		       (const fdt32_t[]){0, cpu_to_fdt32(0xfe660000), 0, cpu_to_fdt32(0x40)}, 16));
	assert_int_equal(board_parse_console(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "its registers need 0x80"));
	OK(fdt_setprop_string(fdt, node(fdt, UART2), "compatible", "ns16550a"));
	assert_int_equal(board_parse_console(fdt, &b), 0);
	assert_int_equal(b.uart.kind, BOARD_UART_NS16550);

	OK(fdt_setprop(fdt, node(fdt, UART2), "big-endian", NULL, 0));
	assert_int_equal(board_parse_console(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "big-endian"));
	OK(fdt_delprop(fdt, node(fdt, UART2), "big-endian"));
	OK(fdt_setprop(fdt, node(fdt, UART2), "reg-shift", "x", 1));
	assert_int_equal(board_parse_console(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "reg-shift is not one cell"));
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rk3568),
	    cmocka_unit_test(test_rk3568_without_stdout_path),
	    cmocka_unit_test(test_ns16550_defaults),
	    cmocka_unit_test(test_reg_offset),
	    cmocka_unit_test(test_8250_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
