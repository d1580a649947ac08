/* A guest's device tree, built from plain numbers (no struct vm): the unit tests run it as is.
 *
 * It describes a QEMU-virt-like machine: RAM, the vCPUs (PSCI over HVC), the arch timer, a GICv3
 * one PL011 console, plus /chosen (bootargs, initrd, stdout-path); the VM's other devices
 * write their own nodes through the devices callback, with the helpers below. Guests must read
 * it, not assume the layout. */
#ifndef ZVM_VM_FDT_H
#define ZVM_VM_FDT_H

#include <stddef.h>
#include <stdint.h>

/* The guest's fixed 24 MHz APB clock: passed-through nodes' clocks point to it. */
#define VM_FDT_PHANDLE_CLK 2

struct vm_fdt_params {
	uint64_t ram_base, ram_size;
	unsigned nr_vcpus;
	const uint64_t *mpidrs; /* nr_vcpus affinity values (Aff3..Aff0 only), all different */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size_per_cpu; /* one redistributor region for all vCPUs */
	/* A GICv2 instead ("arm,cortex-a15-gic") when gicc_size is set: GICD + GICC, no
	 * redistributors (gicr_* ignored), PPI specifiers carry the CPU mask. At most 8 vCPUs. */
	uint64_t gicc_base, gicc_size;
	uint64_t uart_base;
	unsigned uart_spi;		   /* INTID - 32 */
	const char *bootargs;		   /* NULL = none */
	uint64_t initrd_start, initrd_end; /* both 0 = no initrd */
	uint32_t timer_freq;		   /* 0 = omit clock-frequency (CNTFRQ is right) */
	/* Called once inside the root node, after the fixed nodes: writes the devices' nodes
	 * (vdev_fdt_nodes). Returns 0 or -FDT_ERR_*. NULL = no other devices. */
	int (*devices)(void *fdt, void *arg);
	void *devices_arg;
};

/* Writes the DTB into buf. Returns 0, -ENOSPC when size is too small, -EINVAL for parameters
 * that describe no sensible machine. */
int vm_fdt_build(void *buf, size_t size, const struct vm_fdt_params *p);

/* Helpers for the devices callback (libfdt sequential write): 0 or -FDT_ERR_*. */
/* Begins node "name@addr" (addr in hex); end it with fdt_end_node(). */
int vm_fdt_begin_unit(void *fdt, const char *name, uint64_t addr);
/* reg = <base size> in two cells each (#address-cells = #size-cells = 2). */
int vm_fdt_prop_reg(void *fdt, uint64_t base, uint64_t size);
/* interrupts = one level-high SPI (number = INTID - 32); -FDT_ERR_BADVALUE past INTID 1019. */
int vm_fdt_prop_spi(void *fdt, unsigned spi);
int vm_fdt_prop_spi_edge(void *fdt, unsigned spi); /* the same, rising edge */
/* A PL061 GPIO with a gpio-keys power button on one pin (0-7), as QEMU virt gives Linux its
 * shutdown request. */
int vm_fdt_pl061_nodes(void *fdt, uint64_t base, unsigned spi, unsigned power_key_pin);
/* "qemu,pvpanic-mmio". */
int vm_fdt_pvpanic_node(void *fdt, uint64_t base);

#endif
