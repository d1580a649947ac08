/* Passthrough, the device-tree half (see include/zvm/passthrough_dt.h). */
#include <errno.h>
#include <libfdt.h>
#include <string.h>
#include <zvm/passthrough_dt.h>

#define GIC_SPI_TYPE   0
#define IRQ_EDGE_RISE  1
#define IRQ_LEVEL_HIGH 4
#define MAX_INTID      1019

static int refuse(const char **why, const char *text, int err)
{
	*why = text;
	return err;
}

/* A #address-cells / #size-cells of the root, with the spec's defaults. */
static int root_cells(const void *fdt, const char *name, int dflt)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, 0, name, &len);

	return p && len == 4 ? (int)fdt32_to_cpu(*p) : dflt;
}

static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = v << 32 | fdt32_to_cpu(p[i]);
	return v;
}

/* Whether a string list property holds s. */
static bool list_has(const void *fdt, int node, const char *prop, const char *s)
{
	return fdt_stringlist_search(fdt, node, prop, s) >= 0;
}

static bool can_dma(const void *fdt, int node)
{
	return list_has(fdt, node, "compatible", "virtio,mmio") ||
	       fdt_getprop(fdt, node, "dma-coherent", NULL) ||
	       fdt_getprop(fdt, node, "iommus", NULL) || fdt_getprop(fdt, node, "dmas", NULL);
}

static int parse_reg(const void *fdt, int node, struct pt_node *out, const char **why)
{
	int ac = root_cells(fdt, "#address-cells", 2), sc = root_cells(fdt, "#size-cells", 1);
	int len;
	const fdt32_t *reg = fdt_getprop(fdt, node, "reg", &len);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return refuse(why, "the root's #address-cells/#size-cells are not 1 or 2", -EINVAL);
	if (!reg || len <= 0)
		return refuse(why, "it has no registers (reg)", -EINVAL);
	if (len != (ac + sc) * 4)
		return refuse(why, "it has more than one register region", -EINVAL);
	out->base = read_cells(reg, ac);
	out->size = read_cells(reg + ac, sc);
	if (!out->size || out->base & (PT_PAGE - 1))
		return refuse(why, "its registers do not start on a 4 KiB page of their own",
			      -EINVAL);
	out->size = (out->size + PT_PAGE - 1) & ~(PT_PAGE - 1);
	if (out->base + out->size < out->base || out->base + out->size > (1ULL << 48))
		return refuse(why, "its registers lie beyond the physical address space", -EINVAL);
	return 0;
}

static int parse_irq(const void *fdt, int node, struct pt_node *out, const char **why)
{
	int len;
	const fdt32_t *irq = fdt_getprop(fdt, node, "interrupts", &len);

	out->intid = -1;
	out->irq_type = 0;
	if (fdt_getprop(fdt, node, "interrupts-extended", NULL))
		return refuse(why, "interrupts-extended is not supported", -EINVAL);
	if (!irq)
		return 0;
	if (len != 12)
		return refuse(why, "only one GIC interrupt of 3 cells is supported", -EINVAL);
	uint32_t type = fdt32_to_cpu(irq[0]), num = fdt32_to_cpu(irq[1]);
	uint32_t flags = fdt32_to_cpu(irq[2]) & 0xf;

	if (type != GIC_SPI_TYPE || num > MAX_INTID - 32)
		return refuse(why, "its interrupt is not a shared peripheral interrupt (SPI)",
			      -EINVAL);
	if (flags != IRQ_EDGE_RISE && flags != IRQ_LEVEL_HIGH)
		return refuse(why, "its interrupt is neither edge-rising nor level-high", -EINVAL);
	out->intid = (int)num + 32;
	out->irq_type = flags;
	return 0;
}

int pt_node_check(const void *fdt, const char *path, const struct pt_region *host, unsigned nr_host,
		  struct pt_node *out, const char **why)
{
	int node, len;
	const char *s;

	if (!path || path[0] != '/' || strlen(path) >= PT_PATH_MAX)
		return refuse(why, "a node path starts with / and is short", -EINVAL);
	node = fdt_path_offset(fdt, path);
	if (node < 0)
		return refuse(why, "no such node in the board device tree", -ENOENT);
	if (fdt_parent_offset(fdt, node) != 0)
		return refuse(why, "only nodes right under / can be passed through", -EINVAL);
	s = fdt_getprop(fdt, node, "status", &len);
	if (s && strcmp(s, "okay") && strcmp(s, "ok"))
		return refuse(why, "the node is disabled (status)", -ENODEV);
	if (fdt_getprop(fdt, node, "interrupt-controller", NULL) ||
	    fdt_getprop(fdt, node, "msi-controller", NULL))
		return refuse(why, "it is an interrupt controller, which the host needs", -EBUSY);
	s = fdt_getprop(fdt, node, "device_type", NULL);
	if (s && (!strcmp(s, "memory") || !strcmp(s, "cpu") || !strcmp(s, "pci")))
		return refuse(why, "it is memory, a CPU or a bus, not a device", -EINVAL);
	if (can_dma(fdt, node))
		return refuse(why,
			      "it can do DMA, and without an SMMU its VM could reach all memory "
			      "through it",
			      -EPERM);
	int err = parse_reg(fdt, node, out, why);

	if (err)
		return err;
	for (unsigned i = 0; i < nr_host; i++)
		if (out->base < host[i].base + host[i].size && host[i].base < out->base + out->size)
			return refuse(why, "the host uses it (console or interrupt controller)",
				      -EBUSY);
	err = parse_irq(fdt, node, out, why);
	if (err)
		return err;
	out->offset = node;
	return 0;
}

/* Properties the copy writes itself, or leaves out. */
static bool rewritten(const char *name)
{
	static const char *const names[] = {
	    "reg", "interrupts", "interrupt-parent", "phandle", "linux,phandle", "clocks", "status",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

/* How many clocks the node consumes: its clock-names entries, else one if it has clocks. */
static int nr_clocks(const void *fdt, int node)
{
	int n = fdt_stringlist_count(fdt, node, "clock-names");

	if (n > 0)
		return n;
	return fdt_getprop(fdt, node, "clocks", NULL) ? 1 : 0;
}

int pt_node_write(void *fdt, const void *host_fdt, const struct pt_node *n, unsigned vspi,
		  uint32_t clk_phandle)
{
	const char *name = fdt_get_name(host_fdt, n->offset, NULL);
	int prop, err;

	if (!name)
		return -FDT_ERR_BADOFFSET;
	err = fdt_begin_node(fdt, name);
	if (err)
		return err;
	fdt_for_each_property_offset(prop, host_fdt, n->offset)
	{
		const char *pname;
		int len;
		const void *val = fdt_getprop_by_offset(host_fdt, prop, &pname, &len);

		if (!val || rewritten(pname))
			continue;
		err = fdt_property(fdt, pname, val, len);
		if (err)
			return err;
	}
	const fdt32_t reg[] = {cpu_to_fdt32(n->base >> 32), cpu_to_fdt32(n->base),
			       cpu_to_fdt32(n->size >> 32), cpu_to_fdt32(n->size)};

	err = fdt_property(fdt, "reg", reg, sizeof(reg));
	if (!err && n->intid >= 0) {
		const fdt32_t irq[] = {cpu_to_fdt32(GIC_SPI_TYPE), cpu_to_fdt32(vspi),
				       cpu_to_fdt32(n->irq_type)};

		err = fdt_property(fdt, "interrupts", irq, sizeof(irq));
	}
	int clocks = nr_clocks(host_fdt, n->offset);

	if (!err && clocks > 0) {
		fdt32_t cells[8];

		if (clocks > 8)
			return -FDT_ERR_BADVALUE;
		for (int i = 0; i < clocks; i++)
			cells[i] = cpu_to_fdt32(clk_phandle);
		err = fdt_property(fdt, "clocks", cells, (int)(clocks * sizeof(cells[0])));
	}
	return err ? err : fdt_end_node(fdt);
}
