/* A tiny flattened-device-tree walker: one pass over the structure block, collecting what the
 * tests need (bootargs, PSCI method, CPUs, memory, GICv3 or GICv2, PL011). Properties of a node are
 * judged when the node ends, since "compatible" may come after "reg". */
#include "zt.h"

struct zt_platform zt_plat;

#define FDT_MAGIC      0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4
#define FDT_END	       9
#define MAX_DEPTH      8

static uint32_t be32(uint64_t a)
{
	uint32_t v = zt_r32(a); /* callers keep a 4-byte aligned */
	return __builtin_bswap32(v);
}

static uint64_t cells(uint64_t p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v = (v << 32) | be32(p + 4 * i);
	return v;
}

/* Is `want` one of the NUL-separated strings of a stringlist property? */
static bool strlist_has(const char *list, uint32_t len, const char *want)
{
	size_t wl = strlen(want);
	uint32_t i = 0;
	while (i < len) {
		const char *s = list + i;
		size_t l = strlen(s);
		if (l == wl && !memcmp(s, want, wl))
			return true;
		i += l + 1;
	}
	return false;
}

struct node {
	const char *name;
	unsigned ac, sc; /* this node's #address-cells/#size-cells (for its children) */
	uint64_t reg, interrupts, compat, devtype, method, bootargs, stride, shm_ro;
	uint32_t reg_len, int_len, compat_len, bootargs_len;
};

static bool uart_found;

static void node_done(struct node *st, int d)
{
	struct node *n = &st[d];
	struct node *parent = d > 0 ? &st[d - 1] : n;
	unsigned ac = parent->ac, sc = parent->sc;
	const char *name = n->name;
	const char *compat = (const char *)n->compat;

	if (d == 1 && !strcmp(name, "chosen") && n->bootargs) {
		uint32_t l = n->bootargs_len;
		if (l >= sizeof(zt_plat.bootargs))
			l = sizeof(zt_plat.bootargs) - 1;
		memcpy(zt_plat.bootargs, (const char *)n->bootargs, l);
		zt_plat.bootargs[l] = '\0';
	}
	if (d == 1 && n->method &&
	    (!strcmp(name, "psci") ||
	     (compat && strlist_has(compat, n->compat_len, "arm,psci-0.2"))))
		zt_plat.psci_smc = !strcmp((const char *)n->method, "smc");
	if (d == 1 && n->devtype && !strcmp((const char *)n->devtype, "memory") && n->reg &&
	    n->reg_len >= 4 * (ac + sc) && !zt_plat.ram_size) {
		zt_plat.ram_base = cells(n->reg, ac);
		zt_plat.ram_size = cells(n->reg + 4 * ac, sc);
	}
	if (d == 2 && !strcmp(st[1].name, "cpus") && n->devtype &&
	    !strcmp((const char *)n->devtype, "cpu") && n->reg && zt_plat.nr_cpus < ZT_MAX_CPUS)
		zt_plat.mpidr[zt_plat.nr_cpus++] = cells(n->reg, ac) & ZT_MPIDR_AFF_MASK;
	if (compat && strlist_has(compat, n->compat_len, "arm,gic-v3") && n->reg &&
	    n->reg_len >= 8 * (ac + sc)) {
		zt_plat.gicd = cells(n->reg, ac);
		zt_plat.gicr = cells(n->reg + 4 * (ac + sc), ac);
		zt_plat.gicr_size = cells(n->reg + 4 * (ac + sc) + 4 * ac, sc);
		if (n->stride)
			zt_plat.gicr_stride = n->stride;
	}
	/* A GICv2: GICD, then GICC (a GICH and GICV after them belong to a hypervisor). */
	if (compat &&
	    (strlist_has(compat, n->compat_len, "arm,cortex-a15-gic") ||
	     strlist_has(compat, n->compat_len, "arm,gic-400")) &&
	    n->reg && n->reg_len >= 8 * (ac + sc)) {
		zt_plat.gic_version = 2;
		zt_plat.gicd = cells(n->reg, ac);
		zt_plat.gicc = cells(n->reg + 4 * (ac + sc), ac);
		zt_plat.gicr = zt_plat.gicr_size = zt_plat.gicr_stride = 0;
	}
	if (compat && strlist_has(compat, n->compat_len, "arm,pl061") && n->reg &&
	    n->reg_len >= 4 * ac) {
		zt_plat.gpio = cells(n->reg, ac);
		if (n->interrupts && n->int_len >= 12 && be32(n->interrupts) == 0)
			zt_plat.gpio_intid = 32 + be32(n->interrupts + 4);
	}
	if (compat && strlist_has(compat, n->compat_len, "qemu,pvpanic-mmio") && n->reg &&
	    n->reg_len >= 4 * ac)
		zt_plat.pvpanic = cells(n->reg, ac);
	if (compat && strlist_has(compat, n->compat_len, "zvm,shm-doorbell") && n->reg &&
	    n->reg_len >= 8 * (ac + sc)) {
		zt_plat.shm_db = cells(n->reg, ac);
		zt_plat.shm_base = cells(n->reg + 4 * (ac + sc), ac);
		zt_plat.shm_size = cells(n->reg + 4 * (ac + sc) + 4 * ac, sc);
		zt_plat.shm_ro = n->shm_ro && be32(n->shm_ro);
		if (n->interrupts && n->int_len >= 12 && be32(n->interrupts) == 0)
			zt_plat.shm_intid = 32 + be32(n->interrupts + 4);
	}
	if (compat && strlist_has(compat, n->compat_len, "virtio,mmio") && n->reg &&
	    n->reg_len >= 4 * ac && zt_plat.nr_virtio < ZT_MAX_VIRTIO) {
		unsigned i = zt_plat.nr_virtio++;

		zt_plat.virtio_all[i] = cells(n->reg, ac);
		if (n->interrupts && n->int_len >= 12 && be32(n->interrupts) == 0)
			zt_plat.virtio_intids[i] = 32 + be32(n->interrupts + 4);
		if (!zt_plat.virtio) {
			zt_plat.virtio = zt_plat.virtio_all[i];
			zt_plat.virtio_intid = zt_plat.virtio_intids[i];
		}
	}
	if (compat && strlist_has(compat, n->compat_len, "arm,pl011") && n->reg &&
	    n->reg_len >= 4 * ac && !uart_found) {
		uart_found = true; /* the first one: QEMU and ZVM list the console first */
		zt_plat.uart = cells(n->reg, ac);
		if (n->interrupts && n->int_len >= 12 && be32(n->interrupts) == 0)
			zt_plat.uart_intid = 32 + be32(n->interrupts + 4);
	}
}

void zt_fdt_parse(uint64_t dtb)
{
	zt_plat.dtb = dtb;
	zt_plat.ram_base = ZT_RAM_BASE;
	zt_plat.ram_size = 0;
	zt_plat.gicd = ZT_GICD_BASE;
	zt_plat.gicr = ZT_GICR_BASE;
	zt_plat.gicr_size = ZT_GICR_STRIDE * ZT_MAX_CPUS;
	zt_plat.gicr_stride = ZT_GICR_STRIDE;
	zt_plat.gic_version = 3;
	zt_plat.gicc = 0;
	zt_plat.uart = ZT_UART_BASE;
	zt_plat.uart_intid = ZT_UART_INTID;
	zt_plat.nr_cpus = 0;

	if (!dtb || (dtb & 7) || be32(dtb) != FDT_MAGIC)
		goto defaults;
	uint64_t st_off = dtb + be32(dtb + 8);
	uint64_t str_off = dtb + be32(dtb + 12);
	uint64_t st_size = be32(dtb + 36);
	uint64_t p = st_off, end = st_off + st_size;
	struct node stack[MAX_DEPTH];
	int depth = -1;

	while (p < end) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			const char *name = (const char *)p;
			p += (strlen(name) + 1 + 3) & ~3ULL;
			if (++depth >= MAX_DEPTH)
				goto defaults;
			struct node *n = &stack[depth];
			memset(n, 0, sizeof(*n));
			n->name = name;
			n->ac = 2;
			n->sc = 1;
		} else if (tok == FDT_END_NODE) {
			if (depth < 0)
				goto defaults;
			node_done(stack, depth);
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p), nameoff = be32(p + 4);
			uint64_t val = p + 8;
			const char *pname = (const char *)(str_off + nameoff);
			p = val + ((len + 3) & ~3u);
			if (depth < 0)
				goto defaults;
			struct node *n = &stack[depth];
			if (!strcmp(pname, "#address-cells") && len == 4)
				n->ac = be32(val);
			else if (!strcmp(pname, "#size-cells") && len == 4)
				n->sc = be32(val);
			else if (!strcmp(pname, "reg"))
				n->reg = val, n->reg_len = len;
			else if (!strcmp(pname, "interrupts"))
				n->interrupts = val, n->int_len = len;
			else if (!strcmp(pname, "compatible"))
				n->compat = val, n->compat_len = len;
			else if (!strcmp(pname, "device_type"))
				n->devtype = val;
			else if (!strcmp(pname, "method"))
				n->method = val;
			else if (!strcmp(pname, "bootargs"))
				n->bootargs = val, n->bootargs_len = len;
			else if (!strcmp(pname, "zvm,read-only") && len >= 4)
				n->shm_ro = val;
			else if (!strcmp(pname, "redistributor-stride") && len == 8)
				n->stride = cells(val, 2);
			else if (!strcmp(pname, "gpios") &&
				 len >= 8) /* gpio-keys: <&gpio pin flags> */
				zt_plat.power_pin = be32(val + 4);
		} else if (tok == FDT_NOP) {
			continue;
		} else {
			break; /* FDT_END or garbage */
		}
	}
	zt_plat.dtb_ok = true;

defaults:
	if (!zt_plat.nr_cpus) {
		zt_plat.nr_cpus = 1;
		zt_plat.mpidr[0] = zt_read_sysreg(mpidr_el1) & ZT_MPIDR_AFF_MASK;
	}
	if (!zt_plat.ram_size)
		zt_plat.ram_size = 0x8000000; /* 128 MiB: a safe lower bound */

	/* Options */
	char buf[32];
	zt_plat.native = zt_bootarg("zvmnative", buf, sizeof(buf)) != NULL;
	/* A PL061 without a gpio-keys node (the board's, passed through to the VM): the pin
	 * QEMU virt's power key drives is given here. */
	if (zt_bootarg("zvmpowerpin", buf, sizeof(buf)))
		zt_plat.power_pin = (unsigned)zt_strtoull(buf, NULL);
	zt_plat.seed = zt_bootarg("zvmseed", buf, sizeof(buf)) ? zt_strtoull(buf, NULL) : 1;
	zt_plat.fp_ms = zt_bootarg("zvmfpms", buf, sizeof(buf)) ? zt_strtoull(buf, NULL) : 1500;
}

const char *zt_bootarg(const char *key, char *buf, size_t len)
{
	const char *s = zt_plat.bootargs;
	size_t kl = strlen(key);
	while (*s) {
		while (*s == ' ')
			s++;
		const char *tok = s;
		while (*s && *s != ' ')
			s++;
		size_t tl = s - tok;
		if (tl >= kl && !memcmp(tok, key, kl) && (tl == kl || tok[kl] == '=')) {
			size_t vl = tl > kl ? tl - kl - 1 : 0;
			if (vl >= len)
				vl = len - 1;
			memcpy(buf, tok + (tl > kl ? kl + 1 : kl), vl);
			buf[vl] = '\0';
			return buf;
		}
	}
	return NULL;
}
