/* A guest's device tree, built from plain numbers (no struct vm): the unit tests run it as is.
 *
 * It describes a QEMU-virt-like machine: RAM, the vCPUs (PSCI over HVC), the arch timer, a GICv3
 * one PL011 console, optionally a PL061 GPIO power key and a pvpanic device, plus /chosen
 * (bootargs, initrd, stdout-path). Guests must read it, not assume the layout. */
#ifndef ZVM_VM_FDT_H
#define ZVM_VM_FDT_H

#include <stddef.h>
#include <stdint.h>

struct vm_fdt_params {
	uint64_t ram_base, ram_size;
	unsigned nr_vcpus;
	const uint64_t *mpidrs; /* nr_vcpus affinity values (Aff3..Aff0 only), all different */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size_per_cpu; /* one redistributor region for all vCPUs */
	uint64_t uart_base;
	unsigned uart_spi;		   /* INTID - 32 */
	const char *bootargs;		   /* NULL = none */
	uint64_t initrd_start, initrd_end; /* both 0 = no initrd */
	uint32_t timer_freq;		   /* 0 = omit clock-frequency (CNTFRQ is right) */
	/* A PL061 GPIO with a gpio-keys power button on one pin, as QEMU virt gives Linux its
	 * shutdown request; gpio_base 0 = none. */
	uint64_t gpio_base;
	unsigned gpio_spi, power_key_pin;
	uint64_t pvpanic_base; /* "qemu,pvpanic-mmio"; 0 = none */
};

/* Writes the DTB into buf. Returns 0, -ENOSPC when size is too small, -EINVAL for parameters
 * that describe no sensible machine. */
int vm_fdt_build(void *buf, size_t size, const struct vm_fdt_params *p);

#endif
