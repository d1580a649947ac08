/* board_parse against the DTBs QEMU itself generates, plus copies edited with libfdt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dtb_util.h"

#include <kernel/board.h>

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXTRA 4096 /* room for the edits */

static char dtb_dir[PATH_MAX];

/* A writable copy of a dumped DTB with room to grow. */
static void *load(const char *name)
{
	return dtb_load(dtb_dir, name, EXTRA);
}

static int node(void *fdt, const char *path)
{
	return dtb_node(fdt, path);
}

/* Sets a two-cell (address or size) value pair list from 64-bit numbers. */
static void set_reg64(void *fdt, int n, const uint64_t *v, int count)
{
	fdt64_t cells[8];

	assert_true(count <= 8);
	for (int i = 0; i < count; i++)
		cells[i] = cpu_to_fdt64(v[i]);
	assert_int_equal(fdt_setprop(fdt, n, "reg", cells, count * sizeof(cells[0])), 0);
}

static void set_irq(void *fdt, int n, uint32_t type, uint32_t num)
{
	fdt32_t spec[3] = {cpu_to_fdt32(type), cpu_to_fdt32(num), cpu_to_fdt32(4)};

	assert_int_equal(fdt_setprop(fdt, n, "interrupts", spec, sizeof(spec)), 0);
}

static void test_qemu_virt(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_string_equal(b.err, "");
	assert_string_equal(b.model, "linux,dummy-virt");

	assert_int_equal(b.nr_mem, 1);
	assert_int_equal(b.mem_ignored, 0);
	assert_int_equal(b.mem[0].base, 0x40000000);
	assert_int_equal(b.mem[0].size, 2ULL << 30);
	assert_int_equal(b.nr_reserved, 0);

	assert_int_equal(b.nr_cpus, 4);
	assert_int_equal(b.cpus_ignored, 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(b.cpu[i].mpidr, i);
		assert_int_equal(b.cpu[i].enable, BOARD_ENABLE_PSCI);
	}

	assert_int_equal(b.gic.version, 3);
	assert_int_equal(b.gic.dist.base, 0x08000000);
	assert_int_equal(b.gic.dist.size, 0x10000);
	assert_int_equal(b.gic.nr_redist, 1);
	assert_int_equal(b.gic.redist[0].base, 0x080A0000);
	assert_true(b.gic.redist[0].size >= 4 * 0x20000); /* one 128 KiB frame per CPU at least */
	assert_int_equal(b.gic.maint_intid, 25);	  /* PPI 9 */

	assert_int_equal(b.timer.intid[BOARD_TIMER_SEC_PHYS], 29);
	assert_int_equal(b.timer.intid[BOARD_TIMER_PHYS], 30);
	assert_int_equal(b.timer.intid[BOARD_TIMER_VIRT], 27);
	assert_int_equal(b.timer.intid[BOARD_TIMER_HYP], 26);
	assert_int_equal(b.timer.intid[BOARD_TIMER_HYP_VIRT], -1);
	assert_true(b.timer.always_on);
	assert_int_equal(b.timer.freq, 0);

	assert_true(b.uart.present);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	assert_int_equal(b.uart.reg.size, 0x1000);
	assert_int_equal(b.uart.intid, 33); /* SPI 1 */
	assert_int_equal(b.uart.clock_hz, 24000000);

	assert_int_equal(b.psci.method, BOARD_PSCI_SMC);
	assert_int_equal(b.psci.version, BOARD_PSCI_V1_0);
	assert_null(b.bootargs);
	free(fdt);
}

static void test_qemu_virt_smp2(void **state)
{
	void *fdt = load("qemu-virt-smp2.dtb");
	struct board b;

	(void)state;
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.nr_mem, 1);
	assert_int_equal(b.mem[0].base, 0x40000000);
	assert_int_equal(b.mem[0].size, 512ULL << 20);
	assert_int_equal(b.nr_cpus, 2);
	assert_int_equal(b.cpu[0].mpidr, 0);
	assert_int_equal(b.cpu[1].mpidr, 1);
	assert_int_equal(b.gic.redist[0].base, 0x080A0000);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	free(fdt);
}

/* A GICv2 host: the four regions, the maintenance PPI, and the devices' interrupts (their
 * parent is the v2 GIC now). */
static void test_qemu_virt_gicv2(void **state)
{
	void *fdt = load("qemu-virt-gicv2.dtb");
	struct board b;

	(void)state;
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_string_equal(b.err, "");
	assert_int_equal(b.gic.version, 2);
	assert_int_equal(b.gic.dist.base, 0x08000000);
	assert_int_equal(b.gic.dist.size, 0x10000);
	assert_int_equal(b.gic.nr_redist, 0);
	assert_int_equal(b.gic.cpu_if.base, 0x08010000);
	assert_int_equal(b.gic.cpu_if.size, 0x10000);
	assert_int_equal(b.gic.hyp.base, 0x08030000);
	assert_int_equal(b.gic.hyp.size, 0x10000);
	assert_int_equal(b.gic.vcpu.base, 0x08040000);
	assert_int_equal(b.gic.vcpu.size, 0x10000);
	assert_int_equal(b.gic.maint_intid, 25); /* PPI 9 */
	assert_int_equal(b.timer.intid[BOARD_TIMER_HYP], 26);
	assert_int_equal(b.uart.intid, 33);
	assert_int_equal(b.nr_cpus, 4);
	free(fdt);
}

/* A GICv2 without the virtualization extensions (GICD and GICC only): the host runs, and the
 * missing GICH/GICV read as size 0. One entry alone is not a GICv2. */
static void test_gicv2_without_virt(void **state)
{
	void *fdt = load("qemu-virt-gicv2.dtb");
	int n = node(fdt, "/intc@8000000");
	const uint64_t two[] = {0x08000000, 0x1000, 0x08010000, 0x2000};
	struct board b;

	(void)state;
	set_reg64(fdt, n, two, 4);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.gic.version, 2);
	assert_int_equal(b.gic.cpu_if.base, 0x08010000);
	assert_int_equal(b.gic.cpu_if.size, 0x2000);
	assert_int_equal(b.gic.hyp.size, 0);
	assert_int_equal(b.gic.vcpu.size, 0);

	set_reg64(fdt, n, two, 2);
	assert_int_equal(board_parse(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "reg has 1 entries"));
	free(fdt);
}

/* /memreserve/, /reserved-memory, stdout-path options, bootargs, a second bank. */
static void test_edited(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	const uint64_t fw[] = {0x7f000000, 0x100000, 0x7f200000, 0x2000};
	const uint64_t bank[] = {0x100000000ULL, 0x40000000, 0x200000000ULL,
				 0}; /* empty one skipped */
	int rm, n, chosen;
	struct board b;

	(void)state;
	assert_int_equal(fdt_add_mem_rsv(fdt, 0x48000000, 0x10000), 0);

	rm = fdt_add_subnode(fdt, 0, "reserved-memory");
	assert_true(rm >= 0);
	assert_int_equal(fdt_setprop_u32(fdt, rm, "#address-cells", 2), 0);
	assert_int_equal(fdt_setprop_u32(fdt, rm, "#size-cells", 2), 0);
	assert_int_equal(fdt_setprop(fdt, rm, "ranges", NULL, 0), 0);
	n = fdt_add_subnode(fdt, rm, "fw@7f000000");
	assert_true(n >= 0);
	set_reg64(fdt, n, fw, 4);
	assert_int_equal(fdt_setprop(fdt, n, "no-map", NULL, 0), 0);
	/* A size-only child is placed by Linux: not a fixed region. */
	n = fdt_add_subnode(fdt, node(fdt, "/reserved-memory"), "linux,cma");
	assert_true(n >= 0);
	assert_int_equal(fdt_setprop_u64(fdt, n, "size", 0x1000000), 0);

	n = fdt_add_subnode(fdt, 0, "memory@100000000");
	assert_true(n >= 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "device_type", "memory"), 0);
	set_reg64(fdt, n, bank, 4);

	/* A pl011 that comes first in the tree, so only stdout-path can pick the other one. */
	n = fdt_add_subnode(fdt, 0, "pl011@9040000");
	assert_true(n >= 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "compatible", "arm,pl011"), 0);
	set_reg64(fdt, n, (const uint64_t[]){0x09040000, 0x1000}, 2);
	assert_int_equal(fdt_first_subnode(fdt, 0), n); /* libfdt adds it as the first child */

	chosen = node(fdt, "/chosen");
	assert_int_equal(fdt_setprop_string(fdt, chosen, "stdout-path", "/pl011@9000000:115200n8"),
			 0);
	assert_int_equal(fdt_setprop_string(fdt, chosen, "bootargs", "console=hvc0 quiet"), 0);

	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.nr_reserved, 3);
	assert_int_equal(b.reserved[0].base, 0x48000000);
	assert_int_equal(b.reserved[0].size, 0x10000);
	assert_int_equal(b.reserved[1].base, 0x7f000000);
	assert_int_equal(b.reserved[1].size, 0x100000);
	assert_int_equal(b.reserved[2].base, 0x7f200000);
	assert_int_equal(b.reserved[2].size, 0x2000);

	assert_int_equal(b.nr_mem, 2);
	assert_true(b.mem[0].base == 0x100000000ULL || b.mem[1].base == 0x100000000ULL);
	assert_int_equal(b.mem[0].size + b.mem[1].size, 3ULL << 30);

	assert_int_equal(b.uart.reg.base, 0x09000000);
	assert_int_equal(b.uart.intid, 33);
	assert_non_null(b.bootargs);
	assert_string_equal(b.bootargs, "console=hvc0 quiet");

	/* Without stdout-path the first pl011 in the tree is the console; it has no interrupt. */
	assert_int_equal(fdt_delprop(fdt, node(fdt, "/chosen"), "stdout-path"), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0x09040000);
	assert_int_equal(b.uart.intid, -1);
	assert_int_equal(b.uart.clock_hz, 0);
	free(fdt);
}

static void test_stdout_alias(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	int aliases = fdt_add_subnode(fdt, 0, "aliases");
	int n = fdt_add_subnode(fdt, 0, "pl011@9040000");
	struct board b;

	(void)state;
	assert_true(aliases >= 0 && n >= 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "compatible", "arm,pl011"), 0);
	set_reg64(fdt, n, (const uint64_t[]){0x09040000, 0x1000}, 2);
	set_irq(fdt, n, 0, 8);
	/* Adding nodes moved the others: look them up again. */
	aliases = node(fdt, "/aliases");
	assert_int_equal(fdt_setprop_string(fdt, aliases, "serial1", "/pl011@9040000"), 0);
	assert_int_equal(
	    fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "serial1:115200n8"), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0x09040000);
	assert_int_equal(b.uart.intid, 40);
	free(fdt);
}

/* A UART on a simple-bus: reg goes through ranges, the interrupt parent is inherited. */
static void test_bus_translation(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	const fdt32_t ranges[] = {cpu_to_fdt32(0), cpu_to_fdt32(0), cpu_to_fdt32(0x10000000),
				  cpu_to_fdt32(0x1000000)};
	const fdt32_t reg[] = {cpu_to_fdt32(0x2000), cpu_to_fdt32(0x1000)};
	int soc = fdt_add_subnode(fdt, 0, "soc"), n;
	struct board b;

	(void)state;
	assert_true(soc >= 0);
	assert_int_equal(fdt_setprop_u32(fdt, soc, "#address-cells", 1), 0);
	assert_int_equal(fdt_setprop_u32(fdt, soc, "#size-cells", 1), 0);
	assert_int_equal(fdt_setprop(fdt, soc, "ranges", ranges, sizeof(ranges)), 0);
	n = fdt_add_subnode(fdt, soc, "serial@2000");
	assert_true(n >= 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "compatible", "arm,pl011"), 0);
	assert_int_equal(fdt_setprop(fdt, n, "reg", reg, sizeof(reg)), 0);
	set_irq(fdt, n, 0, 5);
	assert_int_equal(
	    fdt_setprop_string(fdt, node(fdt, "/chosen"), "stdout-path", "/soc/serial@2000"), 0);

	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.uart.reg.base, 0x10002000);
	assert_int_equal(b.uart.reg.size, 0x1000);
	assert_int_equal(b.uart.intid, 37);

	/* An address outside the bus ranges cannot be reached: the console falls back to the
	 * board's other PL011, so the boot can still say what is wrong. */
	n = node(fdt, "/soc/serial@2000");
	const fdt32_t far[] = {cpu_to_fdt32(0x2000000), cpu_to_fdt32(0x1000)};
	assert_int_equal(fdt_setprop(fdt, n, "reg", far, sizeof(far)), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_true(b.uart.present);
	assert_int_equal(b.uart.reg.base, 0x09000000);

	/* With no other UART there is no console: the reason is kept, though nothing can print. */
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/pl011@9000000"), "status", "disabled"),
			 0);
	assert_int_equal(board_parse(fdt, &b), -EINVAL);
	assert_false(b.uart.present);
	assert_non_null(strstr(b.err, "ranges"));
	free(fdt);
}

static void test_cpu_limit(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	for (uint32_t i = 4; i < CONFIG_MAX_CPUS + 2; i++) {
		char name[16];
		int n;

		snprintf(name, sizeof(name), "cpu@%u", i);
		n = fdt_add_subnode(fdt, node(fdt, "/cpus"), name);
		assert_true(n >= 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "device_type", "cpu"), 0);
		assert_int_equal(fdt_setprop_u32(fdt, n, "reg", 0x100 + i), 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "enable-method", "spin-table"), 0);
		assert_int_equal(fdt_setprop_u64(fdt, n, "cpu-release-addr", 0x8000fff8), 0);
	}
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.nr_cpus, CONFIG_MAX_CPUS);
	assert_int_equal(b.cpus_ignored, 2);
	/* Every MPIDR is one we put in: original 0..3 and the added 0x104.. in some order. */
	for (unsigned i = 0; i < b.nr_cpus; i++) {
		if (b.cpu[i].mpidr >= 0x100) {
			assert_int_equal(b.cpu[i].enable, BOARD_ENABLE_SPIN_TABLE);
			assert_int_equal(b.cpu[i].release_addr, 0x8000fff8);
		} else {
			assert_true(b.cpu[i].mpidr < 4);
			assert_int_equal(b.cpu[i].enable, BOARD_ENABLE_PSCI);
		}
	}
	free(fdt);
}

static void test_no_memory(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	assert_int_equal(fdt_del_node(fdt, node(fdt, "/memory@40000000")), 0);
	assert_int_equal(board_parse(fdt, &b), -ENOENT);
	assert_non_null(strstr(b.err, "memory"));
	free(fdt);
}

static void test_no_gic(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	assert_int_equal(fdt_del_node(fdt, node(fdt, "/intc@8000000")), 0);
	assert_int_equal(board_parse(fdt, &b), -ENOENT);
	assert_non_null(strstr(b.err, "gic-v3"));
	free(fdt);
}

static void test_bad_trees(void **state)
{
	char junk[256] = "not a device tree";
	void *fdt = load("qemu-virt.dtb");
	struct board b;
	int n;

	(void)state;
	assert_int_equal(board_parse(junk, &b), -EINVAL);
	assert_non_null(strstr(b.err, "bad DTB"));

	n = node(fdt, "/psci");
	assert_int_equal(fdt_setprop_string(fdt, n, "method", "magic"), 0);
	assert_int_equal(board_parse(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "psci"));
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, "/psci"), "method", "hvc"), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.psci.method, BOARD_PSCI_HVC);

	assert_int_equal(fdt_setprop_u32(fdt, node(fdt, "/intc@8000000"), "#redistributor-regions",
					 BOARD_MAX_GICR + 1),
			 0);
	assert_int_equal(board_parse(fdt, &b), -E2BIG);
	assert_non_null(strstr(b.err, "redistributor"));
	assert_int_equal(
	    fdt_setprop_u32(fdt, node(fdt, "/intc@8000000"), "#redistributor-regions", 2), 0);
	assert_int_equal(board_parse(fdt, &b), -EINVAL); /* reg has only one redistributor */

	free(fdt);
	fdt = load("qemu-virt.dtb");
	assert_int_equal(fdt_del_node(fdt, node(fdt, "/timer")), 0);
	assert_int_equal(board_parse(fdt, &b), -ENOENT);
	assert_non_null(strstr(b.err, "timer"));
	/* The console is parsed first, so the error can be reported on it. */
	assert_true(b.uart.present);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	free(fdt);
}

/* What Xen 4.17 gives a dom0less guest: three timer interrupts (no hypervisor timer) and its
 * console as an SBSA UART. */
static void test_xen_guest_tree(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	const fdt32_t three[9] = {cpu_to_fdt32(1), cpu_to_fdt32(13), cpu_to_fdt32(0xf08),
				  cpu_to_fdt32(1), cpu_to_fdt32(14), cpu_to_fdt32(0xf08),
				  cpu_to_fdt32(1), cpu_to_fdt32(11), cpu_to_fdt32(0xf08)};
	struct board b;

	(void)state;
	assert_int_equal(fdt_setprop(fdt, node(fdt, "/timer"), "interrupts", three, sizeof(three)),
			 0);
	assert_int_equal(
	    fdt_setprop_string(fdt, node(fdt, "/pl011@9000000"), "compatible", "arm,sbsa-uart"), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.timer.intid[BOARD_TIMER_VIRT], 27);
	assert_int_equal(b.timer.intid[BOARD_TIMER_HYP], -1);
	assert_true(b.uart.present);
	assert_int_equal(b.uart.kind, BOARD_UART_SBSA);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	assert_int_equal(b.uart.intid, 33);
	/* Two interrupts are not enough: the virtual timer's is the third. */
	assert_int_equal(fdt_setprop(fdt, node(fdt, "/timer"), "interrupts", three, 6 * 4), 0);
	assert_int_equal(board_parse(fdt, &b), -EINVAL);
	assert_non_null(strstr(b.err, "need 3"));
	free(fdt);
}

static void test_too_many_reserved(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	for (int i = 0; i <= BOARD_MAX_RESERVED; i++)
		assert_int_equal(fdt_add_mem_rsv(fdt, 0x50000000 + i * 0x1000, 0x1000), 0);
	assert_int_equal(board_parse(fdt, &b), -E2BIG);
	assert_non_null(strstr(b.err, "reserved"));
	free(fdt);
}

/* Dozens of guest images: 64 reserved regions, from both sources, are all kept. */
static void test_many_reserved(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	int parent = fdt_add_subnode(fdt, 0, "reserved-memory");
	struct board b;

	(void)state;
	assert_true(BOARD_MAX_RESERVED >= 64);
	assert_true(parent >= 0);
	assert_int_equal(fdt_setprop_u32(fdt, parent, "#address-cells", 2), 0);
	assert_int_equal(fdt_setprop_u32(fdt, parent, "#size-cells", 2), 0);
	for (int i = 0; i < 24; i++) {
		char nn[32];
		int n;

		snprintf(nn, sizeof(nn), "img@%x", 0x60000000 + i * 0x200000);
		parent = node(fdt, "/reserved-memory");
		n = fdt_add_subnode(fdt, parent, nn);
		assert_true(n >= 0);
		set_reg64(fdt, n, (const uint64_t[]){0x60000000 + i * 0x200000, 0x1000}, 2);
	}
	for (int i = 0; i < 40; i++)
		assert_int_equal(fdt_add_mem_rsv(fdt, 0x50000000 + i * 0x1000, 0x1000), 0);
	assert_int_equal(board_parse(fdt, &b), 0);
	assert_int_equal(b.nr_reserved, 64);
	assert_int_equal(b.reserved[0].base, 0x50000000); /* memreserve entries first */
	for (int i = 40; i < 64; i++) /* libfdt adds each node first: any order */
		assert_true(b.reserved[i].base >= 0x60000000 &&
			    b.reserved[i].base <= 0x60000000 + 23 * 0x200000);
	free(fdt);
}

/* The console is found before anything that can fail: a tree ZVM refuses still names it. */
static void test_console_before_errors(void **state)
{
	void *fdt = load("qemu-virt.dtb");
	struct board b;

	(void)state;
	for (int i = 0; i <= BOARD_MAX_RESERVED; i++)
		assert_int_equal(fdt_add_mem_rsv(fdt, 0x50000000 + i * 0x1000, 0x1000), 0);
	assert_int_equal(board_parse_console(fdt, &b), 0);
	assert_true(b.uart.present);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	assert_int_equal(board_parse_rest(fdt, &b), -E2BIG);
	assert_true(b.uart.present);
	assert_non_null(strstr(b.err, "more than 64 reserved memory regions"));

	/* Neither does a broken /cpus or GIC hide it. */
	free(fdt);
	fdt = load("qemu-virt.dtb");
	assert_int_equal(fdt_del_node(fdt, node(fdt, "/cpus")), 0);
	assert_int_equal(board_parse(fdt, &b), -ENOENT);
	assert_true(b.uart.present);
	assert_int_equal(b.uart.reg.base, 0x09000000);
	free(fdt);
}

static void test_intid_from_spec(void **state)
{
#define SPEC(t, n) ((const fdt32_t[]){cpu_to_fdt32(t), cpu_to_fdt32(n), cpu_to_fdt32(4)})
	(void)state;
	assert_int_equal(board_intid_from_spec(SPEC(0, 0), 3), 32);
	assert_int_equal(board_intid_from_spec(SPEC(0, 1), 3), 33);
	assert_int_equal(board_intid_from_spec(SPEC(0, 987), 3), 1019);
	assert_int_equal(board_intid_from_spec(SPEC(0, 988), 3), -EINVAL);
	assert_int_equal(board_intid_from_spec(SPEC(1, 9), 3), 25);
	assert_int_equal(board_intid_from_spec(SPEC(1, 15), 2), 31);
	assert_int_equal(board_intid_from_spec(SPEC(1, 16), 3), -EINVAL);
	assert_int_equal(board_intid_from_spec(SPEC(2, 0), 3), 4096);
	assert_int_equal(board_intid_from_spec(SPEC(3, 0), 3), 1056);
	assert_int_equal(board_intid_from_spec(SPEC(4, 0), 3), -EINVAL);
	assert_int_equal(board_intid_from_spec(SPEC(0, 1), 1), -EINVAL);
	assert_int_equal(board_intid_from_spec(NULL, 3), -EINVAL);
#undef SPEC
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_qemu_virt),
	    cmocka_unit_test(test_qemu_virt_smp2),
	    cmocka_unit_test(test_edited),
	    cmocka_unit_test(test_stdout_alias),
	    cmocka_unit_test(test_bus_translation),
	    cmocka_unit_test(test_cpu_limit),
	    cmocka_unit_test(test_no_memory),
	    cmocka_unit_test(test_no_gic),
	    cmocka_unit_test(test_qemu_virt_gicv2),
	    cmocka_unit_test(test_gicv2_without_virt),
	    cmocka_unit_test(test_bad_trees),
	    cmocka_unit_test(test_too_many_reserved),
	    cmocka_unit_test(test_intid_from_spec),
	    cmocka_unit_test(test_many_reserved),
	    cmocka_unit_test(test_console_before_errors),
	    cmocka_unit_test(test_xen_guest_tree),
	};
	char self[PATH_MAX];

	/* The DTBs sit beside the binary (make dumps them there); argv[1] may name another dir. */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dtb_dir, sizeof(dtb_dir), "%s", argc > 1 ? argv[1] : dirname(self));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
