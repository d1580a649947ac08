/* The boot device-tree parser (kernel/board.c board_parse). The first input byte picks what it
 * reads:
 *   0: the rest of the input as a raw blob. One that fails fdt_check_header must be refused
 *      with -EINVAL and "bad DTB: ..." before anything else is read; one that passes is only
 *      parsed when its totalsize fits the input (the boot loader hands over whole blobs);
 *   1: a QEMU-virt-like DTB built here with libfdt, with input bytes XORed into it;
 *   2: the same DTB edited through libfdt: properties that board.c reads set to input bytes or
 *      deleted, nodes added or deleted, on nodes the input picks.
 * Checks: a success fills every count within its array, a timer and a GIC, interrupt numbers
 * GIC INTIDs, bootargs a string inside the blob, and no error text; a failure is a known errno
 * with its reason. Either way a console, if set, is a UART node: the boot code starts it before
 * looking at the result. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kernel/board.h>

#include "fuzz_input.h"

#define SEED_SIZE 4096

static const char *const names[] = {"reg",
				    "interrupts",
				    "#address-cells",
				    "#size-cells",
				    "ranges",
				    "compatible",
				    "status",
				    "device_type",
				    "stdout-path",
				    "enable-method",
				    "phandle",
				    "method",
				    "#redistributor-regions",
				    "clocks",
				    "interrupt-parent",
				    "cpu-release-addr",
				    "bootargs",
				    "#interrupt-cells",
				    "clock-frequency",
				    "model",
				    "reg-shift",
				    "reg-io-width",
				    "reg-offset"};
static uint8_t seed[SEED_SIZE];

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_board: %s\n", why);
	abort();
}

/* QEMU virt's shape, plus what virt lacks: a memreserve, a reserved-memory child, a spin-table
 * CPU, an SBSA UART and a DesignWare 8250 behind a bus with ranges. "name{" and "}" open and close
 * nodes, "p=s|t" is a string list, "p:1,2" cells, "p" empty. */
static const char tree[] =
    "{ model=linux,dummy-virt #address-cells:2 #size-cells:2 interrupt-parent:0x8001 "
    "chosen{ stdout-path=/pl011@9000000:115200 bootargs=console=ttyAMA0 } "
    "memory@40000000{ device_type=memory reg:0,0x40000000,0,0x80000000 } "
    "reserved-memory{ #address-cells:2 #size-cells:2 ranges fw@48100000{ "
    "reg:0,0x48100000,0,0x100000 } } cpus{ #address-cells:1 #size-cells:0 "
    "cpu@0{ device_type=cpu reg:0 enable-method=psci } cpu@1{ device_type=cpu reg:1 "
    "enable-method=spin-table cpu-release-addr:0,0x40001000 } } "
    "psci{ compatible=arm,psci-1.0|arm,psci-0.2 method=hvc } "
    "timer{ compatible=arm,armv8-timer interrupts:1,13,4,1,14,4,1,11,4,1,10,4 } "
    "intc@8000000{ compatible=arm,gic-v3 #interrupt-cells:3 #redistributor-regions:1 "
    "reg:0,0x8000000,0,0x10000,0,0x80a0000,0,0xf60000 interrupts:1,9,4 phandle:0x8001 } "
    "apb-pclk{ compatible=fixed-clock clock-frequency:24000000 phandle:0x8000 } "
    "pl011@9000000{ compatible=arm,pl011|arm,primecell reg:0,0x9000000,0,0x1000 "
    "interrupts:0,1,4 clocks:0x8000,0x8000 } soc{ #address-cells:1 #size-cells:1 "
    "ranges:0,0,0x9100000,0x10000 uart@0{ compatible=arm,sbsa-uart reg:0,0x1000 "
    "interrupts:0,2,4 } serial@1000{ compatible=rockchip,rk3568-uart|snps,dw-apb-uart "
    "reg:0x1000,0x100 reg-shift:2 reg-io-width:4 interrupts:0,3,4 } } }";

static void make_seed(void)
{
	char text[sizeof(tree)], *save, *tok;

	memcpy(text, tree, sizeof(tree));
	fdt_create(seed, SEED_SIZE);
	fdt_add_reservemap_entry(seed, 0x48000000, 0x1000);
	fdt_finish_reservemap(seed);
	for (tok = strtok_r(text, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		size_t n = strlen(tok), k = strcspn(tok, "=:");
		char sep = tok[k], *p = tok + k;
		fdt32_t c[16];
		int nc = 0;

		tok[k] = '\0';
		if (tok[n - 1] == '{') {
			tok[n - 1] = '\0';
			fdt_begin_node(seed, tok);
		} else if (*tok == '}') {
			fdt_end_node(seed);
		} else if (sep == '=') {
			for (p++; *p; p++)
				*p = *p == '|' ? '\0' : *p;
			fdt_property(seed, tok, tok + k + 1, (int)(n - k));
		} else if (sep == ':') {
			do
				c[nc++] = cpu_to_fdt32(strtoul(p + 1, &p, 0));
			while (*p);
			fdt_property(seed, tok, c, nc * 4);
		} else {
			fdt_property(seed, tok, NULL, 0);
		}
	}
	if (fdt_finish(seed) || fdt_check_full(seed, SEED_SIZE))
		fail("the seed DTB");
}

static void edit(struct fuzz_in *in, void *fdt)
{
	while (in->n) {
		uint8_t op = fuzz_u8(in), val[24];
		int node = 0, n = fuzz_u8(in) % 24, len = fuzz_u8(in) % (sizeof(val) + 1);
		const char *name = names[(op >> 2) % (sizeof(names) / sizeof(names[0]))];

		while (n-- && node >= 0)
			node = fdt_next_node(fdt, node, NULL);
		for (int i = 0; i < len; i++)
			val[i] = fuzz_u8(in);
		if (node < 0)
			continue;
		if (op % 4 == 0)
			fdt_setprop(fdt, node, name, val, len);
		else if (op % 4 == 1)
			fdt_delprop(fdt, node, name);
		else if (op % 4 == 2)
			fdt_add_subnode(fdt, node, op & 0x80 ? "cpu@2" : "memory@0");
		else if (node)
			fdt_del_node(fdt, node);
	}
}

static bool is_uart(const void *fdt, int node)
{
	static const char *const compat[] = {"arm,pl011", "arm,sbsa-uart", "snps,dw-apb-uart",
					     "ns16550a", "ns16550"};

	for (unsigned i = 0; i < sizeof(compat) / sizeof(compat[0]); i++)
		if (!fdt_node_check_compatible(fdt, node, compat[i]))
			return true;
	return false;
}

static void check(const void *fdt, size_t size, const struct board *b, int err)
{
	const char *end = (const char *)fdt + size;

	if (!memchr(b->model, '\0', sizeof(b->model)) || !memchr(b->err, '\0', sizeof(b->err)))
		fail("model or err unterminated");
	if (b->uart.present && (b->uart.node < 0 || !is_uart(fdt, b->uart.node)))
		fail("the console is not a UART node");
	if (b->uart.present &&
	    (b->uart.kind == BOARD_UART_NS16550 || b->uart.kind == BOARD_UART_DW_APB) &&
	    ((b->uart.io_width != 1 && b->uart.io_width != 4) ||
	     b->uart.io_width > 1u << b->uart.reg_shift ||
	     b->uart.reg.size < (7u << b->uart.reg_shift) + b->uart.io_width))
		fail("an 8250 console the driver cannot reach");
	if (err) {
		if ((err != -EINVAL && err != -ENOENT && err != -E2BIG && err != -ENOTSUP) ||
		    !b->err[0])
			fail("a failure without a known errno and its reason");
		return;
	}
	if (b->err[0] || !b->nr_mem || b->nr_mem > BOARD_MAX_MEM ||
	    b->nr_reserved > BOARD_MAX_RESERVED || !b->nr_cpus || b->nr_cpus > CONFIG_MAX_CPUS ||
	    !b->gic.nr_redist || b->gic.nr_redist > BOARD_MAX_GICR)
		fail("a count out of range after a success");
	for (unsigned i = 0; i < b->nr_cpus; i++)
		if (b->cpu[i].enable == BOARD_ENABLE_SPIN_TABLE && !b->cpu[i].release_addr)
			fail("a spin-table CPU without a release address");
	for (int i = 0; i < BOARD_TIMER_NR; i++)
		if ((i <= BOARD_TIMER_VIRT || b->timer.intid[i] != -1) &&
		    (b->timer.intid[i] < 16 || b->timer.intid[i] >= 4096 + 1024))
			fail("a timer INTID out of range");
	if (b->bootargs && (b->bootargs < (const char *)fdt || b->bootargs >= end ||
			    !memchr(b->bootargs, '\0', (size_t)(end - b->bootargs))))
		fail("bootargs is not a string inside the blob");
	if (!b->psci.method != !b->psci.version)
		fail("a PSCI method without a version or the other way round");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_u8(&in) % 3;

	if (!fdt_totalsize(seed))
		make_seed(); /* here: replay_main.c calls no LLVMFuzzerInitialize */
	size_t len = mode == 0 ? in.n : mode == 1 ? fdt_totalsize(seed) : SEED_SIZE;
	uint8_t *fdt = malloc(len > sizeof(struct fdt_header) ? len : sizeof(struct fdt_header));
	struct board b;
	int err;

	memset(fdt, 0, sizeof(struct fdt_header));
	if (mode == 0)
		memcpy(fdt, in.p, len);
	else if (mode == 1)
		for (memcpy(fdt, seed, len); in.n;)
			fdt[fuzz_bytes(&in, 2) % len] ^= fuzz_u8(&in);
	else if (fdt_open_into(seed, fdt, (int)len) == 0)
		edit(&in, fdt);
	if (fdt_check_header(fdt)) {
		err = board_parse(fdt, &b);
		if (err != -EINVAL || strncmp(b.err, "bad DTB: ", 9) || b.uart.present)
			fail("a blob failing fdt_check_header not refused as a bad DTB");
	} else if (fdt_totalsize(fdt) <= len) {
		check(fdt, len, &b, board_parse(fdt, &b));
	}
	free(fdt);
	return 0;
}
