/* Passthrough, the device-tree half: whether a node of the board (host) DT may be given to a
 * VM, what it holds (registers, its one interrupt), and its copy in the guest DT. Pure libfdt,
 * no kernel calls, so tests/unit/test_passthrough_dt.c runs it on the host. */
#ifndef ZVM_PASSTHROUGH_DT_H
#define ZVM_PASSTHROUGH_DT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PT_PATH_MAX 64 /* a node path, NUL included */
#define PT_PAGE	    4096ULL

/* A host region the node must not touch (the console UART, the GIC). */
struct pt_region {
	uint64_t base, size;
};

struct pt_node {
	int offset;	   /* in the host DT */
	uint64_t base;	   /* its registers: page aligned... */
	uint64_t size;	   /* ...and rounded up to whole pages */
	int intid;	   /* its interrupt (an SPI, INTID >= 32), or -1 when it has none */
	uint32_t irq_type; /* the specifier's flags: 1 edge rising, 4 level high */
};

/* Checks the node at path of host DT fdt for passthrough: a direct child of the root, status
 * okay, one page-aligned register region that overlaps none of host[0..nr_host), at most one
 * interrupt, a GIC SPI (3 cells) edge-rising or level-high; no interrupt controller, no memory,
 * nothing that can do DMA (virtio-mmio, dma-coherent, iommus, dmas: there is no SMMU to keep it
 * inside its VM). 0 and *out filled, or a negative errno with the reason in *why (static text). */
int pt_node_check(const void *fdt, const char *path, const struct pt_region *host, unsigned nr_host,
		  struct pt_node *out, const char **why);

/* Whether irq_type is edge-triggered. */
static inline bool pt_irq_edge(uint32_t irq_type)
{
	return (irq_type & 0xf) == 1;
}

/* Writes the guest's copy of the node (sequential-write fdt, inside the root): the same name
 * and properties, except that reg becomes <base size> in 2+2 cells, the interrupt <0 vspi
 * type> for the guest's vGIC (vspi = INTID - 32; none when the node has none), and each clock
 * the guest's fixed clock (clk_phandle; clock-names kept). phandle, interrupt-parent and status
 * are left out. 0 or -FDT_ERR_*. */
int pt_node_write(void *fdt, const void *host_fdt, const struct pt_node *n, unsigned vspi,
		  uint32_t clk_phandle);

#endif
