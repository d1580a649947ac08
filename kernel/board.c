/* Device-tree parsing into struct board. Only libfdt and libc: it runs on the host in unit tests.
 */
#include <kernel/board.h>

#include <errno.h>
#include <stdarg.h>
#include <lib/format.h>
#include <string.h>

/* Deep enough for any real tree; stops a loop of interrupt-parent phandles. */
#define MAX_DEPTH 32

static int fail(struct board *b, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct board *b, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(b->err, sizeof(b->err), fmt, ap);
	va_end(ap);
	return err;
}

static const char *node_name(const void *fdt, int node)
{
	const char *name = fdt_get_name(fdt, node, NULL);

	return name && name[0] ? name : "/";
}

/* Absent status means enabled. */
static bool node_ok(const void *fdt, int node)
{
	const char *s = fdt_getprop(fdt, node, "status", NULL);

	return !s || !strcmp(s, "okay") || !strcmp(s, "ok");
}

/* Length of a string property that may lack its NUL (no strnlen: it is POSIX, not C11). */
static int prop_strlen(const char *s, int len)
{
	const char *nul = memchr(s, '\0', len);

	return nul ? (int)(nul - s) : len;
}

/* Up to two big-endian cells as one number; fdt32_ld copes with any alignment (-mstrict-align). */
static uint64_t read_cells(const fdt32_t *p, int n)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v = (v << 32) | fdt32_ld(&p[i]);
	return v;
}

/* A reg property decoded with the cell counts of the node's parent. */
struct reg {
	const fdt32_t *p;
	int ac, sc, n;
};

static int reg_open(struct board *b, const void *fdt, int node, struct reg *r)
{
	int parent = fdt_parent_offset(fdt, node);
	int len;

	if (parent < 0)
		return fail(b, -EINVAL, "%s: no parent", node_name(fdt, node));
	r->ac = fdt_address_cells(fdt, parent);
	r->sc = fdt_size_cells(fdt, parent);
	if (r->ac < 1 || r->ac > 2 || r->sc < 0 || r->sc > 2)
		return fail(b, -EINVAL, "%s: unsupported #address-cells %d / #size-cells %d",
			    node_name(fdt, node), r->ac, r->sc);
	r->p = fdt_getprop(fdt, node, "reg", &len);
	if (!r->p)
		return fail(b, -ENOENT, "%s: no reg", node_name(fdt, node));
	if (len % (4 * (r->ac + r->sc)))
		return fail(b, -EINVAL, "%s: reg length %d is not whole entries",
			    node_name(fdt, node), len);
	r->n = len / (4 * (r->ac + r->sc));
	return r->n;
}

static struct board_region reg_entry(const struct reg *r, int i)
{
	const fdt32_t *e = r->p + i * (r->ac + r->sc);
	struct board_region out = {read_cells(e, r->ac), read_cells(e + r->ac, r->sc)};

	return out;
}

/* Maps a bus address of node's parent bus to a CPU address through the ancestors' ranges. */
static int translate(struct board *b, const void *fdt, int node, uint64_t *addr)
{
	int bus = fdt_parent_offset(fdt, node);

	for (int depth = 0; bus > 0 && depth < MAX_DEPTH; depth++) {
		int up = fdt_parent_offset(fdt, bus);
		int cac = fdt_address_cells(fdt, bus), sc = fdt_size_cells(fdt, bus);
		int pac = up >= 0 ? fdt_address_cells(fdt, up) : -1;
		const fdt32_t *rg;
		int len, i, n;

		rg = fdt_getprop(fdt, bus, "ranges", &len);
		if (!rg)
			return fail(b, -EINVAL, "%s: bus %s has no ranges", node_name(fdt, node),
				    node_name(fdt, bus));
		if (len == 0) { /* identity mapping */
			bus = up;
			continue;
		}
		if (cac < 1 || cac > 2 || pac < 1 || pac > 2 || sc < 1 || sc > 2)
			return fail(b, -EINVAL, "%s: unsupported ranges cells",
				    node_name(fdt, bus));
		n = len / (4 * (cac + pac + sc));
		for (i = 0; i < n; i++) {
			const fdt32_t *e = rg + i * (cac + pac + sc);
			uint64_t child = read_cells(e, cac), size = read_cells(e + cac + pac, sc);

			if (*addr >= child && *addr - child < size) {
				*addr = read_cells(e + cac, pac) + (*addr - child);
				break;
			}
		}
		if (i == n)
			return fail(b, -EINVAL, "%s: address 0x%llx outside the ranges of %s",
				    node_name(fdt, node), (unsigned long long)*addr,
				    node_name(fdt, bus));
		bus = up;
	}
	return 0;
}

/* Entry i of a device's reg, as a CPU physical address. */
static int dev_reg(struct board *b, const void *fdt, int node, int i, struct board_region *out)
{
	struct reg r;
	int n = reg_open(b, fdt, node, &r);

	if (n < 0)
		return n;
	if (i >= n)
		return fail(b, -EINVAL, "%s: reg has %d entries, need %d", node_name(fdt, node), n,
			    i + 1);
	*out = reg_entry(&r, i);
	return translate(b, fdt, node, &out->base);
}

int board_intid_from_spec(const fdt32_t *cells, int ncells)
{
	uint32_t type, n;

	if (!cells || ncells < 2)
		return -EINVAL;
	type = fdt32_ld(&cells[0]);
	n = fdt32_ld(&cells[1]);
	switch (type) {
	case 0: /* SPI */
		return n < 988 ? 32 + (int)n : -EINVAL;
	case 1: /* PPI */
		return n < 16 ? 16 + (int)n : -EINVAL;
	case 2: /* extended SPI (GICv3.1) */
		return n < 1024 ? 4096 + (int)n : -EINVAL;
	case 3: /* extended PPI (GICv3.1) */
		return n < 64 ? 1056 + (int)n : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* The GIC bindings we drive, v3 first: a tree with both (never seen) gets the v3. */
static const struct {
	const char *compatible;
	unsigned version;
} gic_compat[] = {
    {"arm,gic-v3", 3},
    {"arm,gic-400", 2},
    {"arm,cortex-a15-gic", 2},
    {"arm,cortex-a7-gic", 2},
};

/* 3 or 2 for a node compatible with a GIC we drive, else 0. */
static unsigned gic_node_version(const void *fdt, int node)
{
	for (unsigned i = 0; i < sizeof(gic_compat) / sizeof(gic_compat[0]); i++)
		if (!fdt_node_check_compatible(fdt, node, gic_compat[i].compatible))
			return gic_compat[i].version;
	return 0;
}

/* The interrupt controller serving node, found the way Linux does: follow interrupt-parent, else
 * the tree parent, until a node with #interrupt-cells. It must be the GIC we drive. */
static int irq_parent(struct board *b, const void *fdt, int node, int *cells)
{
	int p = node, len;

	for (int depth = 0; depth < MAX_DEPTH; depth++) {
		const fdt32_t *ph = fdt_getprop(fdt, p, "interrupt-parent", &len);
		const fdt32_t *ic;

		if (ph && len == 4)
			p = fdt_node_offset_by_phandle(fdt, fdt32_ld(ph));
		else
			p = fdt_parent_offset(fdt, p);
		if (p < 0)
			break;
		ic = fdt_getprop(fdt, p, "#interrupt-cells", &len);
		if (!ic || len != 4)
			continue;
		*cells = (int)fdt32_ld(ic);
		if (!gic_node_version(fdt, p))
			return fail(b, -ENOTSUP, "%s: interrupt parent %s is not a GICv2/v3",
				    node_name(fdt, node), node_name(fdt, p));
		/* The GIC bindings have 3 or 4 cells; a huge count would overflow 4 * cells. */
		if (*cells < 2 || *cells > 4)
			return fail(b, -EINVAL, "%s: #interrupt-cells %d", node_name(fdt, p),
				    *cells);
		return p;
	}
	return fail(b, -EINVAL, "%s: no interrupt parent", node_name(fdt, node));
}

/* INTID of entry i of node's interrupts; -ENOENT (no message) when there is no such entry. */
static int dev_irq(struct board *b, const void *fdt, int node, int i, int *intid)
{
	const fdt32_t *p;
	int len, cells = 0, err;

	p = fdt_getprop(fdt, node, "interrupts", &len);
	if (!p)
		return -ENOENT;
	err = irq_parent(b, fdt, node, &cells);
	if (err < 0)
		return err;
	if (len % (4 * cells))
		return fail(b, -EINVAL, "%s: interrupts length %d", node_name(fdt, node), len);
	if (i >= len / (4 * cells))
		return -ENOENT;
	*intid = board_intid_from_spec(p + i * cells, cells);
	if (*intid < 0)
		return fail(b, -EINVAL, "%s: bad interrupt specifier %d", node_name(fdt, node), i);
	return 0;
}

static void parse_model(const void *fdt, struct board *b)
{
	int len;
	const char *m = fdt_getprop(fdt, 0, "model", &len);

	if (m && len > 0)
		fmt_snprintf(b->model, sizeof(b->model), "%.*s", prop_strlen(m, len), m);
}

static int parse_memory(const void *fdt, struct board *b)
{
	int node = -1;

	while ((node = fdt_node_offset_by_prop_value(fdt, node, "device_type", "memory",
						     sizeof("memory"))) >= 0) {
		struct reg r;
		int n;

		if (!node_ok(fdt, node))
			continue;
		n = reg_open(b, fdt, node, &r);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			struct board_region m = reg_entry(&r, i);

			if (!m.size)
				continue;
			if (b->nr_mem == BOARD_MAX_MEM)
				b->mem_ignored++;
			else
				b->mem[b->nr_mem++] = m;
		}
	}
	if (!b->nr_mem)
		return fail(b, -ENOENT, "no memory: no device_type = \"memory\" node with a reg");
	return 0;
}

static int add_reserved(struct board *b, uint64_t base, uint64_t size)
{
	if (!size)
		return 0;
	/* Dropping a reserved region would hand firmware memory out: refuse instead. */
	if (b->nr_reserved == BOARD_MAX_RESERVED)
		return fail(b, -E2BIG, "more than %d reserved memory regions", BOARD_MAX_RESERVED);
	b->reserved[b->nr_reserved].base = base;
	b->reserved[b->nr_reserved].size = size;
	b->nr_reserved++;
	return 0;
}

static int parse_reserved(const void *fdt, struct board *b)
{
	int n = fdt_num_mem_rsv(fdt), err, parent, node;

	if (n < 0)
		return fail(b, -EINVAL, "memreserve map: %s", fdt_strerror(n));
	for (int i = 0; i < n; i++) {
		uint64_t base, size;

		err = fdt_get_mem_rsv(fdt, i, &base, &size);
		if (err)
			return fail(b, -EINVAL, "memreserve %d: %s", i, fdt_strerror(err));
		err = add_reserved(b, base, size);
		if (err)
			return err;
	}

	parent = fdt_path_offset(fdt, "/reserved-memory");
	if (parent < 0)
		return 0;
	/* Children with only a size are allocations for Linux to place, not fixed regions. */
	fdt_for_each_subnode(node, fdt, parent)
	{
		struct reg r;

		if (!node_ok(fdt, node) || !fdt_getprop(fdt, node, "reg", NULL))
			continue;
		n = reg_open(b, fdt, node, &r);
		if (n < 0)
			return n;
		for (int i = 0; i < n; i++) {
			struct board_region m = reg_entry(&r, i);

			err = add_reserved(b, m.base, m.size);
			if (err)
				return err;
		}
	}
	return 0;
}

static enum board_enable_method enable_method(const char *s)
{
	if (!s)
		return BOARD_ENABLE_NONE;
	if (!strcmp(s, "psci"))
		return BOARD_ENABLE_PSCI;
	if (!strcmp(s, "spin-table"))
		return BOARD_ENABLE_SPIN_TABLE;
	return BOARD_ENABLE_OTHER;
}

static int parse_cpus(const void *fdt, struct board *b)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), node, len;

	if (cpus < 0)
		return fail(b, -ENOENT, "no /cpus node");
	fdt_for_each_subnode(node, fdt, cpus)
	{
		const char *type = fdt_getprop(fdt, node, "device_type", NULL);
		const char *status = fdt_getprop(fdt, node, "status", NULL);
		const fdt32_t *rel;
		struct board_cpu *c;
		struct reg r;
		int n;

		/* "disabled" CPUs may still be started through their enable-method; "fail" ones
		 * not. */
		if (!type || strcmp(type, "cpu") || (status && !strncmp(status, "fail", 4)))
			continue;
		n = reg_open(b, fdt, node, &r);
		if (n < 0)
			return n;
		if (n < 1)
			return fail(b, -EINVAL, "%s: empty reg", node_name(fdt, node));
		if (b->nr_cpus == CONFIG_MAX_CPUS) {
			b->cpus_ignored++;
			continue;
		}
		c = &b->cpu[b->nr_cpus++];
		c->mpidr = reg_entry(&r, 0).base;
		c->enable = enable_method(fdt_getprop(fdt, node, "enable-method", NULL));
		rel = fdt_getprop(fdt, node, "cpu-release-addr", &len);
		if (rel && (len == 4 || len == 8))
			c->release_addr = read_cells(rel, len / 4);
		if (c->enable == BOARD_ENABLE_SPIN_TABLE && !c->release_addr)
			return fail(b, -EINVAL, "%s: spin-table without cpu-release-addr",
				    node_name(fdt, node));
	}
	if (!b->nr_cpus)
		return fail(b, -ENOENT, "no cpu nodes under /cpus");
	return 0;
}

/* The GICv2 binding's reg: GICD, GICC, then GICH and GICV when the GIC has the virtualization
 * extensions. Without them the host still runs (guests cannot): not an error here. */
static int parse_gicv2(const void *fdt, int node, struct board *b)
{
	struct reg r;
	int n = reg_open(b, fdt, node, &r), err;

	if (n < 0)
		return n;
	err = dev_reg(b, fdt, node, 1, &b->gic.cpu_if);
	if (!err && n >= 4)
		err =
		    dev_reg(b, fdt, node, 2, &b->gic.hyp) ?: dev_reg(b, fdt, node, 3, &b->gic.vcpu);
	return err;
}

static int parse_gicv3(const void *fdt, int node, struct board *b)
{
	int n = 1, len, err;
	const fdt32_t *nr = fdt_getprop(fdt, node, "#redistributor-regions", &len);

	if (nr && len == 4)
		n = (int)fdt32_ld(nr);
	if (n < 1 || n > BOARD_MAX_GICR)
		return fail(b, -E2BIG, "%s: %d redistributor regions (1..%d supported)",
			    node_name(fdt, node), n, BOARD_MAX_GICR);
	/* Entries after the redistributors (GICC/GICH/GICV, the GICv2 compat view) are ignored. */
	for (int i = 0; i < n; i++) {
		err = dev_reg(b, fdt, node, 1 + i, &b->gic.redist[i]);
		if (err)
			return err;
	}
	b->gic.nr_redist = n;
	return 0;
}

static int parse_gic(const void *fdt, struct board *b)
{
	int node = -1, err;
	unsigned v = 0;

	for (unsigned i = 0; i < sizeof(gic_compat) / sizeof(gic_compat[0]) && !v; i++) {
		node = fdt_node_offset_by_compatible(fdt, -1, gic_compat[i].compatible);
		while (node >= 0 && !node_ok(fdt, node))
			node = fdt_node_offset_by_compatible(fdt, node, gic_compat[i].compatible);
		if (node >= 0)
			v = gic_compat[i].version;
	}
	if (!v)
		return fail(b, -ENOENT,
			    "no arm,gic-v3 or GICv2 (arm,gic-400, arm,cortex-a15-gic) interrupt "
			    "controller");
	b->gic.version = v;
	err = dev_reg(b, fdt, node, 0, &b->gic.dist);
	if (err)
		return err;
	err = v == 3 ? parse_gicv3(fdt, node, b) : parse_gicv2(fdt, node, b);
	if (err)
		return err;
	err = dev_irq(b, fdt, node, 0, &b->gic.maint_intid);
	return err == -ENOENT ? 0 : err;
}

static int parse_timer(const void *fdt, struct board *b)
{
	int node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv8-timer"), len;
	const fdt32_t *freq;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,armv7-timer");
	if (node < 0)
		return fail(b, -ENOENT, "no arm,armv8-timer node");
	for (int i = 0; i < BOARD_TIMER_NR; i++) {
		int err = dev_irq(b, fdt, node, i, &b->timer.intid[i]);

		/* Up to the virtual timer's: every image and guest needs it. The hypervisor
		 * timer's is checked by an EL2 image at boot (Xen gives its guests 3). */
		if (err == -ENOENT && i > BOARD_TIMER_VIRT)
			break;
		if (err == -ENOENT)
			return fail(b, -EINVAL, "%s: %d interrupts, need 3", node_name(fdt, node),
				    i);
		if (err)
			return err;
	}
	b->timer.always_on = fdt_getprop(fdt, node, "always-on", NULL) != NULL;
	freq = fdt_getprop(fdt, node, "clock-frequency", &len);
	if (freq && len == 4)
		b->timer.freq = fdt32_ld(freq);
	return 0;
}

/* The node /chosen stdout-path names: "path-or-alias[:options]". */
static int stdout_node(const void *fdt)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *path, *colon;

	if (chosen < 0)
		return -FDT_ERR_NOTFOUND;
	path = fdt_getprop(fdt, chosen, "stdout-path", &len);
	if (!path)
		path = fdt_getprop(fdt, chosen, "linux,stdout-path", &len);
	if (!path || len < 1)
		return -FDT_ERR_NOTFOUND;
	len = prop_strlen(path, len);
	colon = memchr(path, ':', len);
	if (colon)
		len = (int)(colon - path);
	/* fdt_path_offset_namelen resolves a leading alias itself. */
	return fdt_path_offset_namelen(fdt, path, len);
}

/* The UARTs the console drivers run (drivers/uart.c), in the order a tree without a usable
 * stdout-path UART is searched; a node's kind is its first match here. The DesignWare entry
 * comes before the 16550 ones so that a node listing both gets its busy-detect handling. An
 * SBSA UART is the PL011 subset that Xen gives its dom0less guests (no control registers). */
static const struct {
	const char *compat;
	enum board_uart_kind kind;
} uart_compat[] = {
    {"arm,pl011", BOARD_UART_PL011},	     {"arm,sbsa-uart", BOARD_UART_SBSA},
    {"snps,dw-apb-uart", BOARD_UART_DW_APB}, {"ns16550a", BOARD_UART_NS16550},
    {"ns16550", BOARD_UART_NS16550},
};
#define NR_UART_COMPAT (sizeof(uart_compat) / sizeof(uart_compat[0]))

static bool uart_kind(const void *fdt, int node, enum board_uart_kind *kind)
{
	for (unsigned i = 0; i < NR_UART_COMPAT; i++) {
		if (!fdt_node_check_compatible(fdt, node, uart_compat[i].compat)) {
			*kind = uart_compat[i].kind;
			return true;
		}
	}
	return false;
}

/* A one-cell property, def when absent. */
static int prop_u32(struct board *b, const void *fdt, int node, const char *name, uint32_t def,
		    uint32_t *out)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, name, &len);

	*out = def;
	if (!p)
		return 0;
	if (len != 4)
		return fail(b, -EINVAL, "%s: %s is not one cell", node_name(fdt, node), name);
	*out = fdt32_ld(p);
	return 0;
}

/* An 8250's register layout, as Linux's 8250 binding gives it. Refused: what the driver cannot
 * reach (big-endian registers, a width other than 1 or 4, a 32-bit access that would be
 * unaligned) and a reg too small for the registers it touches (up to 7, and the DesignWare
 * USR at 0x1f). */
static int use_8250(const void *fdt, struct board *b, int node)
{
	const char *name = node_name(fdt, node);
	uint32_t shift, width, off;
	uint64_t need;
	int err = prop_u32(b, fdt, node, "reg-shift", 0, &shift);

	err = err ?: prop_u32(b, fdt, node, "reg-io-width", 1, &width);
	err = err ?: prop_u32(b, fdt, node, "reg-offset", 0, &off);
	if (err)
		return err;
	if (fdt_getprop(fdt, node, "big-endian", NULL))
		return fail(b, -EINVAL, "%s: big-endian registers are unsupported", name);
	if ((width != 1 && width != 4) || shift > 4 || width > (1u << shift))
		return fail(b, -EINVAL, "%s: reg-io-width %u with reg-shift %u is unsupported",
			    name, width, shift);
	need = off + ((uint64_t)(b->uart.kind == BOARD_UART_DW_APB ? 0x1f : 7) << shift) + width;
	if (need > b->uart.reg.size)
		return fail(b, -EINVAL, "%s: reg is 0x%llx bytes, its registers need 0x%llx", name,
			    (unsigned long long)b->uart.reg.size, (unsigned long long)need);
	b->uart.reg.base += off;
	b->uart.reg.size -= off;
	b->uart.reg_shift = (uint8_t)shift;
	b->uart.io_width = (uint8_t)width;
	return 0;
}

/* Takes node as the console when its reg resolves; the first clock gives uartclk when it is a
 * fixed clock (the only kind whose rate the tree gives). */
static int use_uart(const void *fdt, struct board *b, int node, enum board_uart_kind kind)
{
	const fdt32_t *clk;
	int err, len;

	err = dev_reg(b, fdt, node, 0, &b->uart.reg);
	if (err)
		return err;
	b->uart.kind = kind;
	b->uart.reg_shift = 0;
	b->uart.io_width = 0;
	if (kind == BOARD_UART_NS16550 || kind == BOARD_UART_DW_APB) {
		err = use_8250(fdt, b, node);
		if (err)
			return err;
	}
	b->uart.node = node;
	b->uart.clock_hz = 0;
	clk = fdt_getprop(fdt, node, "clocks", &len);
	if (clk && len >= 4) {
		int cn = fdt_node_offset_by_phandle(fdt, fdt32_ld(clk));
		const fdt32_t *hz = cn >= 0 ? fdt_getprop(fdt, cn, "clock-frequency", &len) : NULL;

		if (hz && len == 4 && !fdt_node_check_compatible(fdt, cn, "fixed-clock"))
			b->uart.clock_hz = fdt32_ld(hz);
	}
	b->uart.present = true;
	return 0;
}

/* The stdout-path UART when it is ours and usable, else the first usable UART of ours in the
 * tree: every boot error after this can then be reported. An error only when the tree names
 * UARTs of ours and none is usable (nothing can print then). */
static int parse_uart(const void *fdt, struct board *b)
{
	int node = stdout_node(fdt), first_err = 0;
	enum board_uart_kind kind;

	if (node >= 0 && node_ok(fdt, node) && uart_kind(fdt, node, &kind)) {
		first_err = use_uart(fdt, b, node, kind);
		if (!first_err)
			return 0;
	}
	for (unsigned i = 0; i < NR_UART_COMPAT; i++) {
		const char *compat = uart_compat[i].compat;

		for (node = fdt_node_offset_by_compatible(fdt, -1, compat); node >= 0;
		     node = fdt_node_offset_by_compatible(fdt, node, compat)) {
			int err;

			if (!node_ok(fdt, node) || !uart_kind(fdt, node, &kind))
				continue;
			err = use_uart(fdt, b, node, kind);
			if (!err) {
				b->err[0] =
				    '\0'; /* an earlier candidate's failure is not the board's */
				return 0;
			}
			first_err = first_err ?: err;
		}
	}
	/* b->err still says why the first candidate failed. */
	return first_err;
}

/* After parse_gic: the console's interrupt, whose parent must be the GIC. */
static int parse_uart_irq(const void *fdt, struct board *b)
{
	int err;

	if (!b->uart.present)
		return 0;
	err = dev_irq(b, fdt, b->uart.node, 0, &b->uart.intid);
	return err == -ENOENT ? 0 : err;
}

static int parse_psci(const void *fdt, struct board *b)
{
	int node = fdt_path_offset(fdt, "/psci");
	const char *method;

	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci-0.2");
	if (node < 0)
		node = fdt_node_offset_by_compatible(fdt, -1, "arm,psci");
	if (node < 0 || !node_ok(fdt, node))
		return 0;
	method = fdt_getprop(fdt, node, "method", NULL);
	if (method && !strcmp(method, "smc"))
		b->psci.method = BOARD_PSCI_SMC;
	else if (method && !strcmp(method, "hvc"))
		b->psci.method = BOARD_PSCI_HVC;
	else
		return fail(b, -EINVAL, "%s: method is not \"smc\" or \"hvc\"",
			    node_name(fdt, node));
	if (!fdt_node_check_compatible(fdt, node, "arm,psci-1.0"))
		b->psci.version = BOARD_PSCI_V1_0;
	else if (!fdt_node_check_compatible(fdt, node, "arm,psci-0.2"))
		b->psci.version = BOARD_PSCI_V0_2;
	else if (!fdt_node_check_compatible(fdt, node, "arm,psci"))
		b->psci.version = BOARD_PSCI_V0_1;
	else
		return fail(b, -EINVAL, "%s: no known arm,psci compatible", node_name(fdt, node));
	return 0;
}

static void parse_chosen(const void *fdt, struct board *b)
{
	int chosen = fdt_path_offset(fdt, "/chosen"), len;
	const char *args = chosen >= 0 ? fdt_getprop(fdt, chosen, "bootargs", &len) : NULL;

	if (args && len > 0 && memchr(args, '\0', len))
		b->bootargs = args;
	b->local_tlbi = chosen >= 0 && fdt_getprop(fdt, chosen, "zvm,local-tlbi", NULL);
}

int board_parse_console(const void *fdt, struct board *b)
{
	int err;

	memset(b, 0, sizeof(*b));
	b->gic.maint_intid = -1;
	b->uart.intid = -1;
	for (int i = 0; i < BOARD_TIMER_NR; i++)
		b->timer.intid[i] = -1;

	err = fdt_check_header(fdt);
	if (err)
		return fail(b, -EINVAL, "bad DTB: %s", fdt_strerror(err));
	return parse_uart(fdt, b);
}

int board_parse_rest(const void *fdt, struct board *b)
{
	/* In dependency order: nothing later relies on an earlier step's absence. */
	static int (*const parsers[])(const void *, struct board *) = {
	    parse_memory,   parse_reserved, parse_cpus, parse_gic,
	    parse_uart_irq, parse_timer,    parse_psci,
	};
	int err;

	parse_model(fdt, b);
	parse_chosen(fdt, b);
	for (unsigned i = 0; i < sizeof(parsers) / sizeof(parsers[0]); i++) {
		err = parsers[i](fdt, b);
		if (err)
			return err;
	}
	return 0;
}

int board_parse(const void *fdt, struct board *b)
{
	int err = board_parse_console(fdt, b);

	return err ? err : board_parse_rest(fdt, b);
}

/* Scratch for the reasons the two lookups below discard: boot time only, one CPU. */
static struct board node_scratch;

int board_node_reg(const void *fdt, int node, int i, struct board_region *out)
{
	return dev_reg(&node_scratch, fdt, node, i, out);
}

int board_node_irq(const void *fdt, int node, int i)
{
	int intid = -1, err = dev_irq(&node_scratch, fdt, node, i, &intid);

	return err < 0 ? err : intid;
}
