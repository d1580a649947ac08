/* A guest's device tree, built from plain numbers (no struct vm): the unit tests run it as is.
 *
 * It describes a QEMU-virt-like machine: RAM, the vCPUs (PSCI over HVC), the arch timer, a GICv3
 * and one PL011 console, plus /chosen (bootargs, initrd, stdout-path). Guests must read it, not
 * assume the layout. */
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
};

/* Writes the DTB into buf. Returns 0, -ENOSPC when size is too small, -EINVAL for parameters
 * that describe no sensible machine. */
int vm_fdt_build(void *buf, size_t size, const struct vm_fdt_params *p);

#endif
