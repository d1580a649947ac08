/* The guest device-tree builder (zvm/vm_fdt.c vm_fdt_build) on configurations from the input:
 * a flags byte picks for each group (RAM, GIC, MPIDRs, bootargs, initrd, the GPIO key and
 * pvpanic nodes the devices callback writes, buffer size) either QEMU-virt-like values or any
 * 64-bit ones, or leaves it out; the rest of the input is the
 * bootargs string. Each configuration is built into a buffer large enough for any tree, and
 * into one of the input's size. Checks: the small build succeeds with the same bytes, or says
 * -ENOSPC, or -EINVAL as the large one does; a success passes fdt_check_full and reads back
 * through ZVM's own board parser (kernel/board.c, as ZVM booted as a guest of itself would) with
 * the RAM, vCPUs, GIC, timer, console and bootargs it was given. Buffers are sized exactly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/board.h>
#include <zvm/vm_fdt.h>

#include "fuzz_input.h"

#define MAX_VCPUS 40

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vm_fdt: %s\n", why);
	abort();
}

/* The devices callback, as a VM with a PL061 power key and pvpanic writes its nodes. */
struct devs {
	uint64_t gpio_base, pvpanic_base;
	unsigned gpio_spi, power_key_pin;
	int gpio, pvpanic;
};

static int write_devices(void *fdt, void *arg)
{
	const struct devs *d = arg;
	int err =
	    d->gpio ? vm_fdt_pl061_nodes(fdt, d->gpio_base, d->gpio_spi, d->power_key_pin) : 0;

	return err || !d->pvpanic ? err : vm_fdt_pvpanic_node(fdt, d->pvpanic_base);
}

static void read_back(const void *fdt, const struct vm_fdt_params *p)
{
	static struct board b;
	unsigned n = p->nr_vcpus < CONFIG_MAX_CPUS ? p->nr_vcpus : CONFIG_MAX_CPUS;

	if (board_parse(fdt, &b))
		fail(b.err);
	if (b.nr_mem != 1 || b.mem[0].base != p->ram_base || b.mem[0].size != p->ram_size ||
	    b.nr_cpus != n || b.cpus_ignored != p->nr_vcpus - n)
		fail("RAM or vCPUs read back wrong");
	for (unsigned i = 0; i < n; i++)
		if (b.cpu[i].mpidr != p->mpidrs[i] || b.cpu[i].enable != BOARD_ENABLE_PSCI)
			fail("a vCPU's MPIDR or enable method read back wrong");
	if (b.gic.dist.base != p->gicd_base || b.gic.dist.size != p->gicd_size ||
	    b.gic.nr_redist != 1 || b.gic.redist[0].base != p->gicr_base ||
	    b.gic.redist[0].size != p->gicr_size_per_cpu * p->nr_vcpus || b.gic.maint_intid != 25)
		fail("the GIC read back wrong");
	if (b.timer.intid[BOARD_TIMER_VIRT] != 27 || b.timer.freq != p->timer_freq ||
	    b.psci.method != BOARD_PSCI_HVC || b.psci.version != BOARD_PSCI_V1_0)
		fail("the timer or PSCI read back wrong");
	if (!b.uart.present || b.uart.kind != BOARD_UART_PL011 || b.uart.reg.base != p->uart_base ||
	    b.uart.intid != 32 + (int)p->uart_spi || b.uart.clock_hz != 24000000)
		fail("the console read back wrong");
	if (p->bootargs ? !b.bootargs || strcmp(b.bootargs, p->bootargs) : b.bootargs != NULL)
		fail("bootargs read back wrong");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	unsigned f = fuzz_u8(&in);
	uint64_t mpidrs[MAX_VCPUS];
	struct devs d = {0};
	struct vm_fdt_params p = {.nr_vcpus = fuzz_u8(&in) % MAX_VCPUS,
				  .mpidrs = mpidrs,
				  .devices = write_devices,
				  .devices_arg = &d};
	size_t big = 65536 + size, small;
	void *a, *b;
	int ra, rb;

	for (unsigned i = 0; i < p.nr_vcpus; i++) /* Aff0 and Aff1 (may repeat), or anything */
		mpidrs[i] = f & 4 ? fuzz_u64(&in) : fuzz_bytes(&in, 2);
	p.ram_base = f & 1 ? fuzz_u64(&in) : fuzz_bytes(&in, 2) << 21;
	p.ram_size = f & 1 ? fuzz_u64(&in) : (fuzz_bytes(&in, 2) + 1) << 20;
	p.gicd_base = f & 2 ? fuzz_u64(&in) : 0x08000000;
	p.gicd_size = f & 2 ? fuzz_u64(&in) : 0x10000;
	p.gicr_base = f & 2 ? fuzz_u64(&in) : 0x080a0000;
	p.gicr_size_per_cpu = f & 2 ? fuzz_u64(&in) : 0x20000;
	p.uart_base = f & 2 ? fuzz_u64(&in) : 0x09000000;
	p.uart_spi = fuzz_bytes(&in, 2) % 1024;
	p.timer_freq = fuzz_u8(&in) & 1 ? fuzz_u32(&in) : 0;
	if (f & 16) {
		p.initrd_start = fuzz_u64(&in);
		p.initrd_end = fuzz_u64(&in);
	}
	if (f & 32) {
		d.gpio = 1;
		d.gpio_base = fuzz_u64(&in);
		d.gpio_spi = fuzz_bytes(&in, 2) % 1024;
		d.power_key_pin = fuzz_u8(&in) % 10;
	}
	if (f & 64) {
		d.pvpanic = 1;
		d.pvpanic_base = fuzz_u64(&in);
	}
	small = f & 128 ? fuzz_bytes(&in, 2) % 8192 : big;
	char *args = strndup((const char *)in.p, in.n);

	p.bootargs = f & 8 ? NULL : args;
	a = malloc(big);
	b = malloc(small ? small : 1);
	ra = vm_fdt_build(a, big, &p);
	rb = vm_fdt_build(b, small, &p);
	/* A device's bad value (a pin, an SPI) is found while its node is written: a small buffer
	 * may run out first, so -ENOSPC stands for -EINVAL too. */
	if ((ra && ra != -EINVAL) || (rb != ra && rb != -ENOSPC))
		fail("an unexpected result, or the small buffer's differs from the large one's");
	if (!ra && fdt_check_full(a, big))
		fail("a success that fails fdt_check_full");
	if (!rb && memcmp(a, b, fdt_totalsize(a)))
		fail("the small buffer's tree differs from the large one's");
	if (!ra)
		read_back(a, &p);
	free(a);
	free(b);
	free(args);
	return 0;
}
