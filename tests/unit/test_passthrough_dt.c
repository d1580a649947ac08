/* Passthrough's device-tree checks and the guest's copy of a node, on the DTB QEMU virt
 * generates (dumped beside the test binary) and on copies edited with libfdt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dtb_util.h"

#include <errno.h>
#include <libfdt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/passthrough_dt.h>

static char dtb_dir[PATH_MAX];
/* What the host keeps: its console UART and the GIC distributor, as ZVM passes them. */
static const struct pt_region host[] = {{0x09000000, 0x1000}, {0x08000000, 0x10000}};

static void *load(void)
{
	return dtb_load(dtb_dir, "qemu-virt.dtb", 4096);
}

static int check(const void *fdt, const char *path, struct pt_node *n, const char **why)
{
	*why = NULL;
	return pt_node_check(fdt, path, host, 2, n, why);
}

/* The PL031 and PL061 of QEMU virt can be given: one page, one level-high SPI. */
static void test_rtc_and_gpio_accepted(void **state)
{
	void *fdt = load();
	struct pt_node n;
	const char *why;

	(void)state;
	assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), 0);
	assert_int_equal(n.base, 0x9010000);
	assert_int_equal(n.size, 0x1000);
	assert_int_equal(n.intid, 32 + 2);
	assert_int_equal(n.irq_type, 4);
	assert_false(pt_irq_edge(n.irq_type));
	assert_int_equal(n.offset, dtb_node(fdt, "/pl031@9010000"));
	assert_int_equal(check(fdt, "/pl061@9030000", &n, &why), 0);
	assert_int_equal(n.intid, 32 + 7);
	free(fdt);
}

/* What the host uses, what can do DMA, and what is no device at all is refused, in words. */
static void test_refusals(void **state)
{
	void *fdt = load();
	struct pt_node n;
	const char *why;

	(void)state;
	assert_int_equal(check(fdt, "/pl011@9000000", &n, &why), -EBUSY);
	assert_non_null(strstr(why, "host uses it"));
	assert_int_equal(check(fdt, "/intc@8000000", &n, &why), -EBUSY);
	assert_non_null(strstr(why, "interrupt controller"));
	assert_int_equal(check(fdt, "/virtio_mmio@a000000", &n, &why), -EPERM);
	assert_non_null(strstr(why, "DMA"));
	assert_int_equal(check(fdt, "/pl031@9999999", &n, &why), -ENOENT);
	assert_int_equal(check(fdt, "pl031@9010000", &n, &why), -EINVAL);
	assert_int_equal(check(fdt, "/memory@40000000", &n, &why), -EINVAL);
	assert_int_equal(check(fdt, "/intc@8000000/its@8080000", &n, &why), -EINVAL);
	assert_non_null(strstr(why, "right under /"));
	assert_int_equal(check(fdt, "/flash@0", &n, &why), -EINVAL); /* two regions */
	assert_int_equal(check(fdt, "/timer", &n, &why), -EINVAL);   /* no reg */
	free(fdt);
}

/* Edits of the PL031 node: each makes it unfit. */
static void test_edited_nodes(void **state)
{
	struct pt_node n;
	const char *why;
	int off;
	void *fdt;

	(void)state;
	struct {
		const char *prop;
		uint32_t cells[4];
		int ncells;
		int err;
	} edits[] = {
	    {"dma-coherent", {0}, 0, -EPERM},
	    {"interrupts", {1, 2, 4}, 3, -EINVAL},	    /* a PPI */
	    {"interrupts", {0, 2, 8}, 3, -EINVAL},	    /* level-low */
	    {"interrupts", {0, 2, 4, 0}, 4, -EINVAL},	    /* not 3 cells */
	    {"reg", {0, 0x9010800, 0, 0x100}, 4, -EINVAL},  /* shares a page */
	    {"reg", {0, 0x08fff000, 0, 0x2000}, 4, -EBUSY}, /* reaches into the GIC */
	};

	for (size_t i = 0; i < sizeof(edits) / sizeof(edits[0]); i++) {
		fdt32_t cells[4];

		fdt = load();
		off = dtb_node(fdt, "/pl031@9010000");
		for (int c = 0; c < edits[i].ncells; c++)
			cells[c] = cpu_to_fdt32(edits[i].cells[c]);
		assert_int_equal(fdt_setprop(fdt, off, edits[i].prop, cells, edits[i].ncells * 4),
				 0);
		assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), edits[i].err);
		assert_non_null(why);
		free(fdt);
	}
	fdt = load();
	off = dtb_node(fdt, "/pl031@9010000");
	assert_int_equal(fdt_setprop_string(fdt, off, "status", "disabled"), 0);
	assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), -ENODEV);
	assert_int_equal(fdt_setprop_string(fdt, off, "status", "okay"), 0);
	assert_int_equal(fdt_setprop_u32(fdt, off, "interrupts", 0), 0); /* truncated */
	assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), -EINVAL);
	/* No interrupt at all is fine; an edge SPI too. */
	assert_int_equal(fdt_delprop(fdt, off, "interrupts"), 0);
	assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), 0);
	assert_int_equal(n.intid, -1);
	fdt32_t edge[] = {cpu_to_fdt32(0), cpu_to_fdt32(9), cpu_to_fdt32(1)};

	assert_int_equal(fdt_setprop(fdt, off, "interrupts", edge, sizeof(edge)), 0);
	assert_int_equal(check(fdt, "/pl031@9010000", &n, &why), 0);
	assert_int_equal(n.intid, 41);
	assert_true(pt_irq_edge(n.irq_type));
	free(fdt);
}

/* The guest's copy: same name and compatible, reg in 2+2 cells, the guest's SPI and clock, no
 * host phandles. */
static void test_guest_copy(void **state)
{
	void *host_fdt = load();
	static char buf[8192];
	struct pt_node n;
	const char *why;
	const fdt32_t *p;
	int len, off;

	(void)state;
	assert_int_equal(check(host_fdt, "/pl031@9010000", &n, &why), 0);
	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(pt_node_write(buf, host_fdt, &n, 5, 2), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);

	off = fdt_path_offset(buf, "/pl031@9010000");
	assert_true(off > 0);
	assert_int_equal(fdt_stringlist_search(buf, off, "compatible", "arm,pl031"), 0);
	assert_int_equal(fdt_stringlist_search(buf, off, "compatible", "arm,primecell"), 1);
	p = fdt_getprop(buf, off, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(p[1]), 0x9010000);
	assert_int_equal(fdt32_to_cpu(p[3]), 0x1000);
	p = fdt_getprop(buf, off, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(p[0]), 0);
	assert_int_equal(fdt32_to_cpu(p[1]), 5);
	assert_int_equal(fdt32_to_cpu(p[2]), 4);
	p = fdt_getprop(buf, off, "clocks", &len);
	assert_int_equal(len, 4);
	assert_int_equal(fdt32_to_cpu(p[0]), 2);
	assert_string_equal(fdt_getprop(buf, off, "clock-names", NULL), "apb_pclk");
	assert_null(fdt_getprop(buf, off, "phandle", NULL));
	assert_null(fdt_getprop(buf, off, "interrupt-parent", NULL));

	/* The PL061 has a phandle on the host: the copy drops it; a node without an interrupt
	 * gets none. */
	assert_int_equal(check(host_fdt, "/pl061@9030000", &n, &why), 0);
	n.intid = -1;
	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(pt_node_write(buf, host_fdt, &n, 7, 2), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	off = fdt_path_offset(buf, "/pl061@9030000");
	assert_true(off > 0);
	assert_null(fdt_getprop(buf, off, "phandle", NULL));
	assert_null(fdt_getprop(buf, off, "interrupts", NULL));
	assert_non_null(fdt_getprop(buf, off, "gpio-controller", NULL));
	free(host_fdt);
}

int main(int argc, char **argv)
{
	char self[PATH_MAX];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtc_and_gpio_accepted),
	    cmocka_unit_test(test_refusals),
	    cmocka_unit_test(test_edited_nodes),
	    cmocka_unit_test(test_guest_copy),
	};

	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dtb_dir, sizeof(dtb_dir), "%s", argc > 1 ? argv[1] : dirname(self));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
