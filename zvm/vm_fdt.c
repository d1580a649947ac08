/* Guest device-tree builder: libfdt's sequential-write API, one function per node (like Xen's
 * make_*_node). The conventions (interrupt flags, PSCI ids, clock) copy QEMU virt's own DT, which
 * Linux is known to accept. */
#include <zvm/vm_fdt.h>

#include <errno.h>
#include <lib/format.h>
#include <libfdt.h>
#include <limits.h>
#include <stdbool.h>

#define PHANDLE_GIC  1
#define PHANDLE_CLK  2
#define PHANDLE_GPIO 3
_Static_assert(PHANDLE_CLK == VM_FDT_PHANDLE_CLK, "one clock phandle");

#define GIC_SPI		   0
#define GIC_PPI		   1
#define IRQ_EDGE_RISING	   1
#define IRQ_LEVEL_HIGH	   4
#define PPI_MAINT	   9
#define PPI_TIMER_SEC_PHYS 13
#define PPI_TIMER_PHYS	   14
#define PPI_TIMER_VIRT	   11
#define PPI_TIMER_HYP	   10
#define MAX_SPI		   987 /* INTID 1019 */

#define MPIDR_AFF_MASK 0xff00ffffffULL
#define UART_SIZE      0x1000
#define GPIO_SIZE      0x1000
#define PVPANIC_SIZE   2
#define KEY_POWER      116 /* linux,code: include/uapi/linux/input-event-codes.h */
#define APB_CLK_HZ     24000000

#define NAME_LEN 32

/* libfdt calls return 0 or -FDT_ERR_*: stop at the first failure and pass it on. */
#define FDT_DO(call)                                                                               \
	do {                                                                                       \
		int err_ = (call);                                                                 \
		if (err_)                                                                          \
			return err_;                                                               \
	} while (0)

/* A node name with a unit address: "memory@40000000". */
static const char *unit_name(char *buf, const char *name, uint64_t addr)
{
	fmt_snprintf(buf, NAME_LEN, "%s@%llx", name, (unsigned long long)addr);
	return buf;
}

/* reg or any list of 64-bit numbers, each as two cells. */
static int prop_u64s(void *fdt, const char *name, const uint64_t *v, int n)
{
	fdt64_t cells[4];

	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt64(v[i]);
	return fdt_property(fdt, name, cells, n * sizeof(cells[0]));
}

/* Interrupt specifiers of #interrupt-cells = 3: type, number, flags. */
static int prop_irqs(void *fdt, const uint32_t *spec, int n)
{
	fdt32_t cells[12];

	for (int i = 0; i < 3 * n; i++)
		cells[i] = cpu_to_fdt32(spec[i]);
	return fdt_property(fdt, "interrupts", cells, 3 * n * sizeof(cells[0]));
}

static int make_root_props(void *fdt)
{
	FDT_DO(fdt_property_string(fdt, "compatible", "linux,dummy-virt"));
	FDT_DO(fdt_property_string(fdt, "model", "ZVM guest"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	return fdt_property_u32(fdt, "interrupt-parent", PHANDLE_GIC);
}

static int make_chosen_node(void *fdt, const struct vm_fdt_params *p, const char *uart)
{
	FDT_DO(fdt_begin_node(fdt, "chosen"));
	if (p->bootargs)
		FDT_DO(fdt_property_string(fdt, "bootargs", p->bootargs));
	FDT_DO(fdt_property_string(fdt, "stdout-path", uart));
	if (p->initrd_end) {
		FDT_DO(fdt_property_u64(fdt, "linux,initrd-start", p->initrd_start));
		FDT_DO(fdt_property_u64(fdt, "linux,initrd-end", p->initrd_end));
	}
	return fdt_end_node(fdt);
}

static int make_aliases_node(void *fdt, const char *uart)
{
	FDT_DO(fdt_begin_node(fdt, "aliases"));
	FDT_DO(fdt_property_string(fdt, "serial0", uart));
	return fdt_end_node(fdt);
}

static int make_memory_node(void *fdt, const struct vm_fdt_params *p)
{
	const uint64_t reg[] = {p->ram_base, p->ram_size};
	char name[NAME_LEN];

	FDT_DO(fdt_begin_node(fdt, unit_name(name, "memory", p->ram_base)));
	FDT_DO(fdt_property_string(fdt, "device_type", "memory"));
	FDT_DO(prop_u64s(fdt, "reg", reg, 2));
	return fdt_end_node(fdt);
}

static int make_cpu_node(void *fdt, uint64_t mpidr, int cells)
{
	char name[NAME_LEN];

	FDT_DO(fdt_begin_node(fdt, unit_name(name, "cpu", mpidr)));
	FDT_DO(fdt_property_string(fdt, "device_type", "cpu"));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,armv8"));
	if (cells == 1)
		FDT_DO(fdt_property_u32(fdt, "reg", (uint32_t)mpidr));
	else
		FDT_DO(fdt_property_u64(fdt, "reg", mpidr));
	FDT_DO(fdt_property_string(fdt, "enable-method", "psci"));
	return fdt_end_node(fdt);
}

static int make_cpus_node(void *fdt, const struct vm_fdt_params *p)
{
	int cells = 1;

	/* Aff3 lives in bits 32-39: only then does reg need two cells. */
	for (unsigned i = 0; i < p->nr_vcpus; i++)
		if (p->mpidrs[i] >> 32)
			cells = 2;
	FDT_DO(fdt_begin_node(fdt, "cpus"));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", cells));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned i = 0; i < p->nr_vcpus; i++)
		FDT_DO(make_cpu_node(fdt, p->mpidrs[i], cells));
	return fdt_end_node(fdt);
}

static int make_psci_node(void *fdt)
{
	static const char compat[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";

	FDT_DO(fdt_begin_node(fdt, "psci"));
	FDT_DO(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	FDT_DO(fdt_property_string(fdt, "method", "hvc"));
	/* Function ids for the original "arm,psci" binding, as QEMU gives them. */
	FDT_DO(fdt_property_u32(fdt, "cpu_suspend", 0xc4000001));
	FDT_DO(fdt_property_u32(fdt, "cpu_off", 0x84000002));
	FDT_DO(fdt_property_u32(fdt, "cpu_on", 0xc4000003));
	FDT_DO(fdt_property_u32(fdt, "migrate", 0xc4000005));
	return fdt_end_node(fdt);
}

/* The flags cell of a PPI specifier: a GICv2 binding also names the CPUs it is wired to
 * (bits [15:8], one per CPU interface), as QEMU's virt DT does. */
static uint32_t ppi_flags(const struct vm_fdt_params *p)
{
	if (!p->gicc_size)
		return IRQ_LEVEL_HIGH;
	return ((1u << p->nr_vcpus) - 1) << 8 | IRQ_LEVEL_HIGH;
}

static int make_timer_node(void *fdt, const struct vm_fdt_params *p)
{
	/* The binding's order: secure physical, non-secure physical, virtual, hypervisor. */
	const uint32_t f = ppi_flags(p);
	const uint32_t irqs[] = {
	    GIC_PPI, PPI_TIMER_SEC_PHYS, f, GIC_PPI, PPI_TIMER_PHYS, f,
	    GIC_PPI, PPI_TIMER_VIRT,	 f, GIC_PPI, PPI_TIMER_HYP,  f,
	};

	FDT_DO(fdt_begin_node(fdt, "timer"));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	FDT_DO(prop_irqs(fdt, irqs, 4));
	FDT_DO(fdt_property(fdt, "always-on", NULL, 0));
	if (p->timer_freq)
		FDT_DO(fdt_property_u32(fdt, "clock-frequency", p->timer_freq));
	return fdt_end_node(fdt);
}

/* A GICv2: distributor and CPU interface, and no maintenance interrupt named (the guest has no
 * virtualization extensions to use it with). */
static int make_gic_v2_node(void *fdt, const struct vm_fdt_params *p)
{
	const uint64_t reg[] = {p->gicd_base, p->gicd_size, p->gicc_base, p->gicc_size};
	char name[NAME_LEN];

	FDT_DO(fdt_begin_node(fdt, unit_name(name, "intc", p->gicd_base)));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,cortex-a15-gic"));
	FDT_DO(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_DO(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_DO(fdt_property(fdt, "ranges", NULL, 0));
	FDT_DO(prop_u64s(fdt, "reg", reg, 4));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int make_gic_node(void *fdt, const struct vm_fdt_params *p)
{
	static const uint32_t maint[] = {GIC_PPI, PPI_MAINT, IRQ_LEVEL_HIGH};

	if (p->gicc_size)
		return make_gic_v2_node(fdt, p);
	const uint64_t reg[] = {p->gicd_base, p->gicd_size, p->gicr_base,
				p->gicr_size_per_cpu * p->nr_vcpus};
	char name[NAME_LEN];

	FDT_DO(fdt_begin_node(fdt, unit_name(name, "intc", p->gicd_base)));
	FDT_DO(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	FDT_DO(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_DO(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_DO(fdt_property_u32(fdt, "#redistributor-regions", 1));
	/* As QEMU's: room for ITS children, and what dtc wants of an interrupt provider. */
	FDT_DO(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_DO(fdt_property(fdt, "ranges", NULL, 0));
	FDT_DO(prop_u64s(fdt, "reg", reg, 4));
	FDT_DO(prop_irqs(fdt, maint, 1));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_GIC));
	return fdt_end_node(fdt);
}

static int make_clock_node(void *fdt)
{
	FDT_DO(fdt_begin_node(fdt, "apb-pclk"));
	FDT_DO(fdt_property_string(fdt, "compatible", "fixed-clock"));
	FDT_DO(fdt_property_u32(fdt, "#clock-cells", 0));
	FDT_DO(fdt_property_u32(fdt, "clock-frequency", APB_CLK_HZ));
	FDT_DO(fdt_property_string(fdt, "clock-output-names", "clk24mhz"));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_CLK));
	return fdt_end_node(fdt);
}

static int make_uart_node(void *fdt, const struct vm_fdt_params *p)
{
	static const char compat[] = "arm,pl011\0arm,primecell";
	static const char clock_names[] = "uartclk\0apb_pclk";
	const uint32_t irq[] = {GIC_SPI, p->uart_spi, IRQ_LEVEL_HIGH};
	const uint64_t reg[] = {p->uart_base, UART_SIZE};
	const fdt32_t clocks[] = {cpu_to_fdt32(PHANDLE_CLK), cpu_to_fdt32(PHANDLE_CLK)};
	char name[NAME_LEN];

	FDT_DO(fdt_begin_node(fdt, unit_name(name, "pl011", p->uart_base)));
	FDT_DO(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	FDT_DO(prop_u64s(fdt, "reg", reg, 2));
	FDT_DO(prop_irqs(fdt, irq, 1));
	FDT_DO(fdt_property(fdt, "clocks", clocks, sizeof(clocks)));
	FDT_DO(fdt_property(fdt, "clock-names", clock_names, sizeof(clock_names)));
	return fdt_end_node(fdt);
}

int vm_fdt_begin_unit(void *fdt, const char *name, uint64_t addr)
{
	char buf[NAME_LEN];

	return fdt_begin_node(fdt, unit_name(buf, name, addr));
}

int vm_fdt_prop_reg(void *fdt, uint64_t base, uint64_t size)
{
	const uint64_t reg[] = {base, size};

	return prop_u64s(fdt, "reg", reg, 2);
}

static int prop_spi(void *fdt, unsigned spi, uint32_t type)
{
	const uint32_t irq[] = {GIC_SPI, spi, type};

	if (spi > MAX_SPI)
		return -FDT_ERR_BADVALUE;
	return prop_irqs(fdt, irq, 1);
}

int vm_fdt_prop_spi(void *fdt, unsigned spi)
{
	return prop_spi(fdt, spi, IRQ_LEVEL_HIGH);
}

int vm_fdt_prop_spi_edge(void *fdt, unsigned spi)
{
	return prop_spi(fdt, spi, IRQ_EDGE_RISING);
}

/* QEMU virt's shutdown path: a PL061 and a gpio-keys node whose key is KEY_POWER. */
int vm_fdt_pl061_nodes(void *fdt, uint64_t base, unsigned spi, unsigned power_key_pin)
{
	static const char compat[] = "arm,pl061\0arm,primecell";
	const fdt32_t gpios[] = {cpu_to_fdt32(PHANDLE_GPIO), cpu_to_fdt32(power_key_pin), 0};

	if (power_key_pin > 7)
		return -FDT_ERR_BADVALUE;
	FDT_DO(vm_fdt_begin_unit(fdt, "pl061", base));
	FDT_DO(fdt_property(fdt, "compatible", compat, sizeof(compat)));
	FDT_DO(vm_fdt_prop_reg(fdt, base, GPIO_SIZE));
	FDT_DO(vm_fdt_prop_spi(fdt, spi));
	FDT_DO(fdt_property(fdt, "gpio-controller", NULL, 0));
	FDT_DO(fdt_property_u32(fdt, "#gpio-cells", 2));
	FDT_DO(fdt_property_u32(fdt, "clocks", PHANDLE_CLK));
	FDT_DO(fdt_property_string(fdt, "clock-names", "apb_pclk"));
	FDT_DO(fdt_property_u32(fdt, "phandle", PHANDLE_GPIO));
	FDT_DO(fdt_end_node(fdt));

	FDT_DO(fdt_begin_node(fdt, "gpio-keys"));
	FDT_DO(fdt_property_string(fdt, "compatible", "gpio-keys"));
	FDT_DO(fdt_begin_node(fdt, "poweroff"));
	FDT_DO(fdt_property_string(fdt, "label", "GPIO Key Poweroff"));
	FDT_DO(fdt_property_u32(fdt, "linux,code", KEY_POWER));
	FDT_DO(fdt_property(fdt, "gpios", gpios, sizeof(gpios)));
	FDT_DO(fdt_end_node(fdt));
	return fdt_end_node(fdt);
}

int vm_fdt_pvpanic_node(void *fdt, uint64_t base)
{
	FDT_DO(vm_fdt_begin_unit(fdt, "pvpanic", base));
	FDT_DO(fdt_property_string(fdt, "compatible", "qemu,pvpanic-mmio"));
	FDT_DO(vm_fdt_prop_reg(fdt, base, PVPANIC_SIZE));
	return fdt_end_node(fdt);
}

/* The whole tree; returns 0 or -FDT_ERR_*. Sequential write: a node's properties come before
 * its subnodes. */
static int make_tree(void *fdt, const struct vm_fdt_params *p, const char *uart)
{
	FDT_DO(fdt_finish_reservemap(fdt));
	FDT_DO(fdt_begin_node(fdt, ""));
	FDT_DO(make_root_props(fdt));
	FDT_DO(make_chosen_node(fdt, p, uart));
	FDT_DO(make_aliases_node(fdt, uart));
	FDT_DO(make_memory_node(fdt, p));
	FDT_DO(make_cpus_node(fdt, p));
	FDT_DO(make_psci_node(fdt));
	FDT_DO(make_timer_node(fdt, p));
	FDT_DO(make_gic_node(fdt, p));
	FDT_DO(make_clock_node(fdt));
	FDT_DO(make_uart_node(fdt, p));
	if (p->devices)
		FDT_DO(p->devices(fdt, p->devices_arg));
	FDT_DO(fdt_end_node(fdt));
	return fdt_finish(fdt);
}

static bool params_ok(const struct vm_fdt_params *p)
{
	if (!p->nr_vcpus || !p->mpidrs || !p->ram_size || p->ram_base + p->ram_size < p->ram_base)
		return false;
	if (!p->gicd_size || p->uart_spi > MAX_SPI)
		return false;
	if (p->gicc_size ? p->nr_vcpus > 8 : !p->gicr_size_per_cpu)
		return false; /* a GICv2 has 8 CPU interfaces; a GICv3 needs its redistributors */
	if (p->gicr_size_per_cpu > UINT64_MAX / p->nr_vcpus)
		return false;
	if ((p->initrd_start || p->initrd_end) && p->initrd_start >= p->initrd_end)
		return false;
	for (unsigned i = 0; i < p->nr_vcpus; i++) {
		if (p->mpidrs[i] & ~MPIDR_AFF_MASK)
			return false;
		for (unsigned j = 0; j < i; j++)
			if (p->mpidrs[i] == p->mpidrs[j])
				return false;
	}
	return true;
}

int vm_fdt_build(void *buf, size_t size, const struct vm_fdt_params *p)
{
	char uart[NAME_LEN + 1];
	int err;

	if (!params_ok(p))
		return -EINVAL;
	uart[0] = '/';
	unit_name(uart + 1, "pl011", p->uart_base);

	err = fdt_create(buf, size > INT_MAX ? INT_MAX : (int)size);
	if (!err)
		err = make_tree(buf, p, uart);
	if (err == -FDT_ERR_NOSPACE)
		return -ENOSPC;
	return err ? -EINVAL : 0;
}
