/* vm_fdt_build: parse the guest DTB back with libfdt, property by property, and have dtc read it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zvm/vm_fdt.h>

#include <errno.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUF_SIZE (64 * 1024)
#define MIB	 (1024ULL * 1024)

static const uint64_t mpidr1[] = {0};
static const uint64_t mpidr4[] = {0, 1, 2, 3};

static struct vm_fdt_params params(unsigned nr, const uint64_t *mpidrs)
{
	struct vm_fdt_params p = {
	    .ram_base = 0x40000000,
	    .ram_size = 512 * MIB,
	    .nr_vcpus = nr,
	    .mpidrs = mpidrs,
	    .gicd_base = 0x08000000,
	    .gicd_size = 0x10000,
	    .gicr_base = 0x080a0000,
	    .gicr_size_per_cpu = 0x20000,
	    .uart_base = 0x09000000,
	    .uart_spi = 1,
	};
	return p;
}

static void *build(const struct vm_fdt_params *p)
{
	void *fdt = malloc(BUF_SIZE);

	assert_non_null(fdt);
	assert_int_equal(vm_fdt_build(fdt, BUF_SIZE, p), 0);
	assert_int_equal(fdt_check_header(fdt), 0);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int n = fdt_path_offset(fdt, path);

	if (n < 0)
		fail_msg("no node %s", path);
	return n;
}

/* The property's bytes must be exactly want[0..len). */
static void has_bytes(const void *fdt, const char *path, const char *prop, const void *want,
		      int len)
{
	int got_len;
	const void *got = fdt_getprop(fdt, node(fdt, path), prop, &got_len);

	if (!got)
		fail_msg("%s: no %s", path, prop);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, want, len);
}

static void has_string(const void *fdt, const char *path, const char *prop, const char *want)
{
	has_bytes(fdt, path, prop, want, strlen(want) + 1);
}

static void has_cells(const void *fdt, const char *path, const char *prop, const uint32_t *want,
		      int n)
{
	fdt32_t cells[16];

	assert_true(n <= 16);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(want[i]);
	has_bytes(fdt, path, prop, cells, n * 4);
}

static void has_u32(const void *fdt, const char *path, const char *prop, uint32_t want)
{
	has_cells(fdt, path, prop, &want, 1);
}

static void has_u64s(const void *fdt, const char *path, const char *prop, const uint64_t *want,
		     int n)
{
	fdt64_t cells[8];

	assert_true(n <= 8);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt64(want[i]);
	has_bytes(fdt, path, prop, cells, n * 8);
}

static void has_absent(const void *fdt, const char *path, const char *prop)
{
	assert_null(fdt_getprop(fdt, node(fdt, path), prop, NULL));
}

static void has_empty(const void *fdt, const char *path, const char *prop)
{
	has_bytes(fdt, path, prop, "", 0);
}

static int count_subnodes(const void *fdt, const char *path)
{
	int n, count = 0;

	fdt_for_each_subnode(n, fdt, node(fdt, path))
	{
		count++;
	}
	return count;
}

/* Everything that does not depend on the vCPUs, bootargs, initrd or timer frequency. */
static void check_common(const void *fdt, unsigned nr_vcpus)
{
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	static const char pl011[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	static const uint32_t timer_irqs[] = {1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4};
	static const uint32_t maint[] = {1, 9, 4}, uart_irq[] = {0, 1, 4}, clocks[] = {2, 2};
	const uint64_t mem[] = {0x40000000, 512 * MIB};
	const uint64_t gic[] = {0x08000000, 0x10000, 0x080a0000, 0x20000ULL * nr_vcpus};
	const uint64_t uart[] = {0x09000000, 0x1000};

	assert_int_equal(fdt_num_mem_rsv(fdt), 0);
	has_string(fdt, "/", "compatible", "linux,dummy-virt");
	has_string(fdt, "/", "model", "ZVM guest");
	has_u32(fdt, "/", "#address-cells", 2);
	has_u32(fdt, "/", "#size-cells", 2);
	has_u32(fdt, "/", "interrupt-parent", 1);
	assert_int_equal(count_subnodes(fdt, "/"), 9);

	has_string(fdt, "/chosen", "stdout-path", "/pl011@9000000");
	has_string(fdt, "/aliases", "serial0", "/pl011@9000000");

	has_string(fdt, "/memory@40000000", "device_type", "memory");
	has_u64s(fdt, "/memory@40000000", "reg", mem, 2);

	has_u32(fdt, "/cpus", "#size-cells", 0);
	assert_int_equal(count_subnodes(fdt, "/cpus"), (int)nr_vcpus);

	has_bytes(fdt, "/psci", "compatible", psci, sizeof(psci));
	has_string(fdt, "/psci", "method", "hvc");
	has_u32(fdt, "/psci", "cpu_suspend", 0xc4000001);
	has_u32(fdt, "/psci", "cpu_off", 0x84000002);
	has_u32(fdt, "/psci", "cpu_on", 0xc4000003);
	has_u32(fdt, "/psci", "migrate", 0xc4000005);

	has_string(fdt, "/timer", "compatible", "arm,armv8-timer");
	has_cells(fdt, "/timer", "interrupts", timer_irqs, 12);
	has_empty(fdt, "/timer", "always-on");

	has_string(fdt, "/intc@8000000", "compatible", "arm,gic-v3");
	has_u32(fdt, "/intc@8000000", "#interrupt-cells", 3);
	has_empty(fdt, "/intc@8000000", "interrupt-controller");
	has_u32(fdt, "/intc@8000000", "#redistributor-regions", 1);
	has_u32(fdt, "/intc@8000000", "#address-cells", 2);
	has_u32(fdt, "/intc@8000000", "#size-cells", 2);
	has_empty(fdt, "/intc@8000000", "ranges");
	has_u64s(fdt, "/intc@8000000", "reg", gic, 4);
	has_cells(fdt, "/intc@8000000", "interrupts", maint, 3);
	has_u32(fdt, "/intc@8000000", "phandle", 1);
	assert_int_equal(fdt_node_offset_by_phandle(fdt, 1), node(fdt, "/intc@8000000"));

	has_string(fdt, "/apb-pclk", "compatible", "fixed-clock");
	has_u32(fdt, "/apb-pclk", "#clock-cells", 0);
	has_u32(fdt, "/apb-pclk", "clock-frequency", 24000000);
	has_string(fdt, "/apb-pclk", "clock-output-names", "clk24mhz");
	has_u32(fdt, "/apb-pclk", "phandle", 2);

	has_bytes(fdt, "/pl011@9000000", "compatible", pl011, sizeof(pl011));
	has_u64s(fdt, "/pl011@9000000", "reg", uart, 2);
	has_cells(fdt, "/pl011@9000000", "interrupts", uart_irq, 3);
	has_cells(fdt, "/pl011@9000000", "clocks", clocks, 2);
	has_bytes(fdt, "/pl011@9000000", "clock-names", clock_names, sizeof(clock_names));
}

static void check_cpu(const void *fdt, const char *path, uint32_t reg)
{
	has_string(fdt, path, "device_type", "cpu");
	has_string(fdt, path, "compatible", "arm,armv8");
	has_u32(fdt, path, "reg", reg);
	has_string(fdt, path, "enable-method", "psci");
}

/* dtc must read the blob back without complaint (warnings included). */
static void check_dtc(const void *fdt)
{
	char dtb[] = "/tmp/test_vm_fdt.XXXXXX";
	char cmd[256], out[4096] = "";
	int fd = mkstemp(dtb);
	FILE *f;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, fdt, fdt_totalsize(fdt)), (ssize_t)fdt_totalsize(fdt));
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>&1", dtb);
	f = popen(cmd, "r");
	assert_non_null(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	assert_int_equal(pclose(f), 0);
	unlink(dtb);
	if (n)
		fail_msg("dtc said: %s", out);
}

static void test_one_vcpu(void **state)
{
	struct vm_fdt_params p = params(1, mpidr1);
	const uint64_t initrd[] = {0x48000000};
	const uint64_t initrd_end[] = {0x48123457};
	void *fdt;

	(void)state;
	p.bootargs = "console=ttyAMA0 earlycon rdinit=/init";
	p.initrd_start = 0x48000000;
	p.initrd_end = 0x48123457;
	fdt = build(&p);
	check_common(fdt, 1);
	has_u32(fdt, "/cpus", "#address-cells", 1);
	check_cpu(fdt, "/cpus/cpu@0", 0);
	has_string(fdt, "/chosen", "bootargs", "console=ttyAMA0 earlycon rdinit=/init");
	has_u64s(fdt, "/chosen", "linux,initrd-start", initrd, 1);
	has_u64s(fdt, "/chosen", "linux,initrd-end", initrd_end, 1);
	has_absent(fdt, "/timer", "clock-frequency");
	check_dtc(fdt);
	free(fdt);
}

static void test_four_vcpus(void **state)
{
	struct vm_fdt_params p = params(4, mpidr4);
	void *fdt;

	(void)state;
	p.timer_freq = 62500000;
	fdt = build(&p);
	check_common(fdt, 4);
	has_u32(fdt, "/cpus", "#address-cells", 1);
	check_cpu(fdt, "/cpus/cpu@0", 0);
	check_cpu(fdt, "/cpus/cpu@1", 1);
	check_cpu(fdt, "/cpus/cpu@2", 2);
	check_cpu(fdt, "/cpus/cpu@3", 3);
	has_absent(fdt, "/chosen", "bootargs");
	has_absent(fdt, "/chosen", "linux,initrd-start");
	has_absent(fdt, "/chosen", "linux,initrd-end");
	has_u32(fdt, "/timer", "clock-frequency", 62500000);
	check_dtc(fdt);
	free(fdt);
}

/* A GICv2 host's guest: "arm,cortex-a15-gic" with GICD + GICC, no redistributors, no
 * maintenance interrupt, and PPI specifiers that name the vCPUs' CPU interfaces. */
static void test_gic_v2(void **state)
{
	static const uint64_t mpidr2[] = {0, 1};
	struct vm_fdt_params p = params(2, mpidr2);
	const uint64_t gic[] = {0x08000000, 0x1000, 0x08010000, 0x2000};
	static const uint32_t timer_irqs[] = {1, 13, 0x304, 1, 14, 0x304,
					      1, 11, 0x304, 1, 10, 0x304};
	void *fdt;

	(void)state;
	p.gicd_size = 0x1000;
	p.gicc_base = 0x08010000;
	p.gicc_size = 0x2000;
	p.gicr_size_per_cpu = 0; /* ignored with a GICv2 */
	fdt = build(&p);
	has_string(fdt, "/intc@8000000", "compatible", "arm,cortex-a15-gic");
	has_u32(fdt, "/intc@8000000", "#interrupt-cells", 3);
	has_empty(fdt, "/intc@8000000", "interrupt-controller");
	has_u64s(fdt, "/intc@8000000", "reg", gic, 4);
	assert_null(fdt_getprop(fdt, node(fdt, "/intc@8000000"), "interrupts", NULL));
	assert_null(fdt_getprop(fdt, node(fdt, "/intc@8000000"), "#redistributor-regions", NULL));
	has_u32(fdt, "/intc@8000000", "phandle", 1);
	has_cells(fdt, "/timer", "interrupts", timer_irqs, 12);
	check_dtc(fdt);
	free(fdt);
	/* A GICv2 has 8 CPU interfaces. */
	static const uint64_t mpidr9[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
	char buf[BUF_SIZE];

	p = params(9, mpidr9);
	p.gicc_base = 0x08010000;
	p.gicc_size = 0x2000;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
}

/* Other devices' addresses move the node names and every reference to them. */
static void test_other_layout(void **state)
{
	static const uint64_t mpidrs[] = {0x100, 0x10203};
	struct vm_fdt_params p = params(2, mpidrs);
	const uint64_t mem[] = {0x80000000, 2048 * MIB};
	const uint64_t gic[] = {0x2f000000, 0x10000, 0x2f100000, 2 * 0x40000};
	static const uint32_t irq[] = {0, 37, 4};
	void *fdt;

	(void)state;
	p.ram_base = 0x80000000;
	p.ram_size = 2048 * MIB;
	p.gicd_base = 0x2f000000;
	p.gicr_base = 0x2f100000;
	p.gicr_size_per_cpu = 0x40000;
	p.uart_base = 0x1c090000;
	p.uart_spi = 37;
	fdt = build(&p);
	has_u64s(fdt, "/memory@80000000", "reg", mem, 2);
	has_u64s(fdt, "/intc@2f000000", "reg", gic, 4);
	has_cells(fdt, "/pl011@1c090000", "interrupts", irq, 3);
	has_string(fdt, "/chosen", "stdout-path", "/pl011@1c090000");
	has_string(fdt, "/aliases", "serial0", "/pl011@1c090000");
	check_cpu(fdt, "/cpus/cpu@100", 0x100);
	check_cpu(fdt, "/cpus/cpu@10203", 0x10203);
	check_dtc(fdt);
	free(fdt);
}

/* An Aff3 field needs two address cells in /cpus. */
static void test_aff3(void **state)
{
	static const uint64_t mpidrs[] = {0, 0x100000000ULL};
	struct vm_fdt_params p = params(2, mpidrs);
	void *fdt;

	(void)state;
	fdt = build(&p);
	has_u32(fdt, "/cpus", "#address-cells", 2);
	has_u64s(fdt, "/cpus/cpu@0", "reg", &mpidrs[0], 1);
	has_u64s(fdt, "/cpus/cpu@100000000", "reg", &mpidrs[1], 1);
	check_dtc(fdt);
	free(fdt);
}

static void test_small_buffer(void **state)
{
	struct vm_fdt_params p = params(4, mpidr4);
	char *full = build(&p);
	size_t need = fdt_totalsize(full);
	char *buf = malloc(need);

	(void)state;
	assert_non_null(buf);
	assert_int_equal(vm_fdt_build(buf, 0, &p), -ENOSPC);
	assert_int_equal(vm_fdt_build(buf, 16, &p), -ENOSPC);
	assert_int_equal(vm_fdt_build(buf, need / 2, &p), -ENOSPC);
	assert_int_equal(vm_fdt_build(buf, need - 1, &p), -ENOSPC);
	assert_int_equal(vm_fdt_build(buf, need, &p), 0);
	assert_memory_equal(buf, full, need);
	free(buf);
	free(full);
}

static void test_bad_params(void **state)
{
	static const uint64_t dup[] = {0, 1, 1};
	static const uint64_t not_aff[] = {0x80000000}; /* MPIDR bit 31 (RES1), not affinity */
	char buf[BUF_SIZE];
	struct vm_fdt_params p;

	(void)state;
	p = params(0, mpidr4);
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, NULL);
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(3, dup);
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, not_aff);
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.ram_size = 0;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.ram_base = ~0ULL - MIB;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.uart_spi = 988;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.gicr_size_per_cpu = 0;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.initrd_start = 0x48000000;
	p.initrd_end = 0x48000000;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	p = params(1, mpidr1);
	p.initrd_end = 0x48000000; /* start 0 but end set: not "no initrd" */
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), 0);
	p.initrd_start = 0x49000000;
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
}

/* What a VM's vdevs write through the devices callback: a PL061 power key and pvpanic. */
struct dev_nodes {
	uint64_t gpio_base, pvpanic_base;
	unsigned gpio_spi, power_key_pin;
	int calls;
};

static int write_devices(void *fdt, void *arg)
{
	struct dev_nodes *d = arg;
	int err;

	d->calls++;
	err = vm_fdt_pl061_nodes(fdt, d->gpio_base, d->gpio_spi, d->power_key_pin);
	return err ? err : vm_fdt_pvpanic_node(fdt, d->pvpanic_base);
}

/* The power key and pvpanic nodes, as QEMU virt writes them (Linux's gpio-keys, pl061 and
 * pvpanic-mmio drivers bind to them); only what the devices callback writes. */
static void test_power_key_and_pvpanic(void **state)
{
	static const char pl061[] = "arm,pl061\0arm,primecell";
	const uint64_t gpio_reg[] = {0x09030000, 0x1000};
	const uint64_t pvpanic_reg[] = {0x090c0000, 2};
	const uint32_t irq[] = {0, 7, 4};
	const uint32_t gpios[] = {3, 3, 0};
	struct vm_fdt_params p = params(1, mpidr1);
	struct dev_nodes d = {0x09030000, 0x090c0000, 7, 3, 0};
	char buf[BUF_SIZE];
	void *fdt;

	(void)state;
	fdt = build(&p);
	assert_true(fdt_path_offset(fdt, "/gpio-keys") < 0);
	assert_true(fdt_path_offset(fdt, "/pvpanic@90c0000") < 0);
	free(fdt);

	p.devices = write_devices;
	p.devices_arg = &d;
	fdt = build(&p);
	assert_int_equal(d.calls, 1);
	assert_int_equal(count_subnodes(fdt, "/"), 12);
	has_bytes(fdt, "/pl061@9030000", "compatible", pl061, sizeof(pl061));
	has_u64s(fdt, "/pl061@9030000", "reg", gpio_reg, 2);
	has_cells(fdt, "/pl061@9030000", "interrupts", irq, 3);
	has_empty(fdt, "/pl061@9030000", "gpio-controller");
	has_u32(fdt, "/pl061@9030000", "#gpio-cells", 2);
	has_u32(fdt, "/pl061@9030000", "phandle", 3);
	has_string(fdt, "/pl061@9030000", "clock-names", "apb_pclk");
	has_string(fdt, "/gpio-keys", "compatible", "gpio-keys");
	has_u32(fdt, "/gpio-keys/poweroff", "linux,code", 116);
	has_cells(fdt, "/gpio-keys/poweroff", "gpios", gpios, 3);
	has_string(fdt, "/pvpanic@90c0000", "compatible", "qemu,pvpanic-mmio");
	has_u64s(fdt, "/pvpanic@90c0000", "reg", pvpanic_reg, 2);
	check_dtc(fdt);
	free(fdt);

	d.power_key_pin = 8; /* a PL061 has pins 0-7 */
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	d.power_key_pin = 3;
	d.gpio_spi = 988; /* INTID 1020: not an SPI */
	assert_int_equal(vm_fdt_build(buf, sizeof(buf), &p), -EINVAL);
	d.gpio_spi = 7;
	assert_int_equal(vm_fdt_build(buf, 64, &p), -ENOSPC);
}

/* The helpers a device uses for its own node. */
static int write_custom(void *fdt, void *arg)
{
	int err = vm_fdt_begin_unit(fdt, "virtio_mmio", 0x0a000000);

	(void)arg;
	if (!err)
		err = fdt_property_string(fdt, "compatible", "virtio,mmio");
	if (!err)
		err = vm_fdt_prop_reg(fdt, 0x0a000000, 0x200);
	if (!err)
		err = vm_fdt_prop_spi(fdt, 16);
	return err ? err : fdt_end_node(fdt);
}

static void test_device_helpers(void **state)
{
	const uint64_t reg[] = {0x0a000000, 0x200};
	const uint32_t irq[] = {0, 16, 4};
	struct vm_fdt_params p = params(1, mpidr1);
	void *fdt;

	(void)state;
	p.devices = write_custom;
	fdt = build(&p);
	has_string(fdt, "/virtio_mmio@a000000", "compatible", "virtio,mmio");
	has_u64s(fdt, "/virtio_mmio@a000000", "reg", reg, 2);
	has_cells(fdt, "/virtio_mmio@a000000", "interrupts", irq, 3);
	check_dtc(fdt);
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_vcpu),
	    cmocka_unit_test(test_four_vcpus),
	    cmocka_unit_test(test_other_layout),
	    cmocka_unit_test(test_aff3),
	    cmocka_unit_test(test_small_buffer),
	    cmocka_unit_test(test_bad_params),
	    cmocka_unit_test(test_power_key_and_pvpanic),
	    cmocka_unit_test(test_device_helpers),
	    cmocka_unit_test(test_gic_v2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
