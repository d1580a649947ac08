/* guest_types_init against a board DTB made by scripts/board-dtb.py (see test_images.mk), and
 * copies of it broken with libfdt. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "dtb_util.h"

#include <zvm/images.h>

#include <errno.h>
#include <libfdt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXTRA 8192 /* room for the edits */

/* Where tests/unit/images.conf's images land: 2 MiB aligned, in config order. */
#define LINUX_KERNEL "/reserved-memory/zvm-image@50000000"
#define LINUX_INITRD "/reserved-memory/zvm-image@50400000"
#define BARE_KERNEL  "/reserved-memory/zvm-image@50600000"

static char dtb_dir[PATH_MAX];

static void *load(const char *name)
{
	return dtb_load(dtb_dir, name, EXTRA);
}

static int node(void *fdt, const char *path)
{
	return dtb_node(fdt, path);
}

static void set_string(void *fdt, const char *path, const char *prop, const char *value)
{
	assert_int_equal(fdt_setprop_string(fdt, node(fdt, path), prop, value), 0);
}

static void set_cells(void *fdt, const char *path, const char *prop, const uint32_t *v, int n)
{
	fdt32_t cells[8];

	assert_true(n <= 8);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_setprop(fdt, node(fdt, path), prop, cells, n * 4), 0);
}

/* guest_types_init must fail, drop "linux", keep "bare", and say why. */
static void expect_linux_dropped(void *fdt, int err, const char *why)
{
	assert_int_equal(guest_types_init(fdt), err);
	assert_non_null(strstr(guest_types_error(), why));
	assert_null(guest_type_find("linux"));
	assert_non_null(guest_type_find("bare"));
	assert_int_equal(guest_type_count(), 1);
	free(fdt);
}

static void test_board_dtb(void **state)
{
	void *fdt = load("board.dtb");
	const struct guest_type *l, *b;

	(void)state;
	assert_int_equal(guest_types_init(fdt), 0);
	assert_string_equal(guest_types_error(), "");
	assert_int_equal(guest_type_count(), 2);

	l = guest_type_find("linux");
	assert_non_null(l);
	assert_string_equal(l->name, "linux");
	assert_int_equal(l->kernel.pa, 0x50000000);
	assert_int_equal(l->kernel.size, 3145733);
	assert_int_equal(l->initrd.pa, 0x50400000);
	assert_int_equal(l->initrd.size, 1000);
	assert_non_null(l->bootargs);
	assert_string_equal(l->bootargs, "console=ttyAMA0 x=\"a \\b\"");
	assert_int_equal(l->prio, 7);

	b = guest_type_find("bare");
	assert_non_null(b);
	assert_int_equal(b->kernel.pa, 0x50600000);
	assert_int_equal(b->kernel.size, 4096);
	assert_int_equal(b->initrd.size, 0);
	assert_null(b->bootargs);
	assert_int_equal(b->prio, 0);

	/* Config order, whatever order the overlay left the nodes in. */
	assert_ptr_equal(guest_type_nth(0), l);
	assert_ptr_equal(guest_type_nth(1), b);
	assert_null(guest_type_nth(2));
	assert_null(guest_type_find("nope"));
	assert_null(guest_type_find(""));
	free(fdt);
}

static void test_no_reserved_memory(void **state)
{
	void *fdt = load("qemu.dtb");

	(void)state;
	assert_int_equal(guest_types_init(fdt), 0);
	assert_int_equal(guest_type_count(), 0);
	assert_null(guest_type_nth(0));
	free(fdt);
}

static void test_not_a_dtb(void **state)
{
	static const char junk[64] = "definitely not a flattened device tree";

	(void)state;
	assert_int_equal(guest_types_init(junk), -EINVAL);
	assert_int_equal(guest_type_count(), 0);
	assert_string_not_equal(guest_types_error(), "");
}

/* A second init starts from scratch: nothing of the previous table is left. */
static void test_reinit(void **state)
{
	void *fdt = load("qemu.dtb");
	void *board = load("board.dtb");

	(void)state;
	assert_int_equal(guest_types_init(board), 0);
	assert_int_equal(guest_type_count(), 2);
	assert_int_equal(guest_types_init(fdt), 0);
	assert_int_equal(guest_type_count(), 0);
	assert_null(guest_type_find("linux"));
	free(fdt);
	free(board);
}

static void test_other_reservations_ignored(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t reg[] = {0, 0x60000000, 0, 0x1000};
	int parent = node(fdt, "/reserved-memory");

	(void)state;
	assert_true(fdt_add_subnode(fdt, parent, "secure@60000000") >= 0);
	set_cells(fdt, "/reserved-memory/secure@60000000", "reg", reg, 4);
	assert_int_equal(guest_types_init(fdt), 0);
	assert_int_equal(guest_type_count(), 2);
	free(fdt);
}

static void test_bad_role(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	set_string(fdt, LINUX_INITRD, "zvm,role", "ramdisk");
	expect_linux_dropped(fdt, -EINVAL, "zvm,role");
}

static void test_second_kernel(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	set_string(fdt, LINUX_INITRD, "zvm,role", "kernel");
	expect_linux_dropped(fdt, -EINVAL, "second kernel");
}

static void test_no_kernel(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	assert_int_equal(fdt_del_node(fdt, node(fdt, LINUX_KERNEL)), 0);
	expect_linux_dropped(fdt, -EINVAL, "no kernel");
}

static void test_reg_length(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t reg[] = {0, 0x50400000, 0x1000};

	(void)state;
	set_cells(fdt, LINUX_INITRD, "reg", reg, 3);
	expect_linux_dropped(fdt, -EINVAL, "reg");
}

static void test_reg_two_entries(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t reg[] = {0, 0x50400000, 0, 0x1000, 0, 0x50500000, 0, 0x1000};

	(void)state;
	set_cells(fdt, LINUX_INITRD, "reg", reg, 8);
	expect_linux_dropped(fdt, -EINVAL, "reg");
}

static void test_reg_missing(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	assert_int_equal(fdt_delprop(fdt, node(fdt, LINUX_KERNEL), "reg"), 0);
	expect_linux_dropped(fdt, -EINVAL, "reg");
}

static void test_reg_empty(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t reg[] = {0, 0x50400000, 0, 0};

	(void)state;
	set_cells(fdt, LINUX_INITRD, "reg", reg, 4);
	expect_linux_dropped(fdt, -EINVAL, "reg");
}

static void test_reg_wraps(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t reg[] = {0xffffffff, 0xffff0000, 0, 0x20000};

	(void)state;
	set_cells(fdt, LINUX_KERNEL, "reg", reg, 4);
	expect_linux_dropped(fdt, -EINVAL, "reg");
}

static void test_bootargs_on_initrd(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	set_string(fdt, LINUX_INITRD, "zvm,bootargs", "quiet");
	expect_linux_dropped(fdt, -EINVAL, "zvm,bootargs");
}

static void test_prio_on_initrd(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t prio[] = {5};

	(void)state;
	set_cells(fdt, LINUX_INITRD, "zvm,prio", prio, 1);
	expect_linux_dropped(fdt, -EINVAL, "zvm,prio");
}

static void test_prio_out_of_range(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t prio[] = {1};

	(void)state;
	set_cells(fdt, LINUX_KERNEL, "zvm,prio", prio, 1);
	expect_linux_dropped(fdt, -EINVAL, "zvm,prio");
}

/* zvm,boot: "firmware" marks the type, "kernel" is the default spelled out, anything else (or
 * on the initrd) drops the type with a reason. */
static void test_boot_mode(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	assert_int_equal(guest_types_init(fdt), 0);
	assert_false(guest_type_find("bare")->firmware);
	set_string(fdt, BARE_KERNEL, "zvm,boot", "firmware");
	set_string(fdt, LINUX_KERNEL, "zvm,boot", "kernel");
	assert_int_equal(guest_types_init(fdt), 0);
	assert_true(guest_type_find("bare")->firmware);
	assert_false(guest_type_find("linux")->firmware);
	free(fdt);

	fdt = load("board.dtb");
	set_string(fdt, LINUX_KERNEL, "zvm,boot", "bios");
	expect_linux_dropped(fdt, -EINVAL, "zvm,boot");
	fdt = load("board.dtb");
	set_string(fdt, LINUX_INITRD, "zvm,boot", "firmware");
	expect_linux_dropped(fdt, -EINVAL, "zvm,boot");
	fdt = load("board.dtb");
	assert_int_equal(fdt_setprop(fdt, node(fdt, LINUX_KERNEL), "zvm,boot", "firmware", 8), 0);
	expect_linux_dropped(fdt, -EINVAL, "zvm,boot");
}

static void test_bootargs_unterminated(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	assert_int_equal(fdt_setprop(fdt, node(fdt, LINUX_KERNEL), "zvm,bootargs", "abc", 3), 0);
	expect_linux_dropped(fdt, -EINVAL, "zvm,bootargs");
}

static void test_role_unterminated(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	assert_int_equal(fdt_setprop(fdt, node(fdt, LINUX_KERNEL), "zvm,role", "kernel", 6), 0);
	expect_linux_dropped(fdt, -EINVAL, "zvm,role");
}

/* A node whose guest name is unusable is skipped; here that leaves linux without a kernel. */
static void test_name_too_long(void **state)
{
	void *fdt = load("board.dtb");
	char name[GUEST_NAME_MAX + 1];

	(void)state;
	memset(name, 'n', GUEST_NAME_MAX);
	name[GUEST_NAME_MAX] = '\0';
	set_string(fdt, LINUX_KERNEL, "zvm,guest", name);
	expect_linux_dropped(fdt, -EINVAL, "zvm,guest");
}

static void test_name_longest(void **state)
{
	void *fdt = load("board.dtb");
	char name[GUEST_NAME_MAX];

	(void)state;
	memset(name, 'n', GUEST_NAME_MAX - 1);
	name[GUEST_NAME_MAX - 1] = '\0';
	set_string(fdt, BARE_KERNEL, "zvm,guest", name);
	assert_int_equal(guest_types_init(fdt), 0);
	assert_non_null(guest_type_find(name));
	free(fdt);
}

static void test_name_empty(void **state)
{
	void *fdt = load("board.dtb");

	(void)state;
	set_string(fdt, LINUX_KERNEL, "zvm,guest", "");
	expect_linux_dropped(fdt, -EINVAL, "zvm,guest");
}

static void test_one_cell_parent(void **state)
{
	void *fdt = load("board.dtb");
	static const uint32_t one[] = {1};
	static const uint32_t k[] = {0x50000000, 0x300005}, i[] = {0x50400000, 1000},
			      b[] = {0x50600000, 4096};
	const struct guest_type *l;

	(void)state;
	set_cells(fdt, "/reserved-memory", "#address-cells", one, 1);
	set_cells(fdt, "/reserved-memory", "#size-cells", one, 1);
	set_cells(fdt, LINUX_KERNEL, "reg", k, 2);
	set_cells(fdt, LINUX_INITRD, "reg", i, 2);
	set_cells(fdt, BARE_KERNEL, "reg", b, 2);
	assert_int_equal(guest_types_init(fdt), 0);
	l = guest_type_find("linux");
	assert_non_null(l);
	assert_int_equal(l->kernel.pa, 0x50000000);
	assert_int_equal(l->kernel.size, 0x300005);
	assert_int_equal(l->initrd.pa, 0x50400000);
	assert_int_equal(l->initrd.size, 1000);
	free(fdt);
}

/* Real configs list dozens of images: 40 more types beside the two of the board all load. */
static void test_many_types(void **state)
{
	void *fdt = load("board.dtb");
	int parent = node(fdt, "/reserved-memory");

	(void)state;
	for (int i = 0; i < 40; i++) {
		char nn[32], name[16];
		fdt32_t reg[4] = {0, cpu_to_fdt32(0x60000000 + i * 0x200000), 0,
				  cpu_to_fdt32(0x1000)};
		int n;

		snprintf(nn, sizeof(nn), "zvm-image@%x", 0x60000000 + i * 0x200000);
		snprintf(name, sizeof(name), "many%d", i);
		n = fdt_add_subnode(fdt, parent, nn);
		assert_true(n >= 0);
		assert_int_equal(fdt_setprop(fdt, n, "reg", reg, sizeof(reg)), 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "zvm,guest", name), 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "zvm,role", "kernel"), 0);
	}
	assert_int_equal(guest_types_init(fdt), 0);
	assert_int_equal(guest_type_count(), 42);
	assert_non_null(guest_type_find("many39"));
	assert_int_equal(guest_type_find("many39")->kernel.pa, 0x60000000 + 39 * 0x200000);
	free(fdt);
}

static void test_too_many(void **state)
{
	void *fdt = load("board.dtb");
	int parent = node(fdt, "/reserved-memory");

	(void)state;
	/* Two already; GUEST_TYPES_MAX more overflow the table by two. */
	for (int i = 0; i < GUEST_TYPES_MAX; i++) {
		char nn[32], name[16];
		fdt32_t reg[4] = {0, cpu_to_fdt32(0x60000000 + i * 0x200000), 0,
				  cpu_to_fdt32(0x1000)};
		int n;

		snprintf(nn, sizeof(nn), "zvm-image@%x", 0x60000000 + i * 0x200000);
		snprintf(name, sizeof(name), "g%d", i);
		n = fdt_add_subnode(fdt, parent, nn);
		assert_true(n >= 0);
		assert_int_equal(fdt_setprop(fdt, n, "reg", reg, sizeof(reg)), 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "zvm,guest", name), 0);
		assert_int_equal(fdt_setprop_string(fdt, n, "zvm,role", "kernel"), 0);
	}
	assert_int_equal(guest_types_init(fdt), -ENOSPC);
	assert_int_equal(guest_type_count(), GUEST_TYPES_MAX);
	for (unsigned i = 0; i < guest_type_count(); i++)
		assert_non_null(guest_type_nth(i));
	free(fdt);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_board_dtb),
	    cmocka_unit_test(test_no_reserved_memory),
	    cmocka_unit_test(test_not_a_dtb),
	    cmocka_unit_test(test_reinit),
	    cmocka_unit_test(test_other_reservations_ignored),
	    cmocka_unit_test(test_bad_role),
	    cmocka_unit_test(test_second_kernel),
	    cmocka_unit_test(test_no_kernel),
	    cmocka_unit_test(test_reg_length),
	    cmocka_unit_test(test_reg_two_entries),
	    cmocka_unit_test(test_reg_missing),
	    cmocka_unit_test(test_reg_empty),
	    cmocka_unit_test(test_reg_wraps),
	    cmocka_unit_test(test_bootargs_on_initrd),
	    cmocka_unit_test(test_bootargs_unterminated),
	    cmocka_unit_test(test_role_unterminated),
	    cmocka_unit_test(test_name_too_long),
	    cmocka_unit_test(test_name_longest),
	    cmocka_unit_test(test_name_empty),
	    cmocka_unit_test(test_one_cell_parent),
	    cmocka_unit_test(test_many_types),
	    cmocka_unit_test(test_too_many),
	    cmocka_unit_test(test_prio_on_initrd),
	    cmocka_unit_test(test_prio_out_of_range),
	    cmocka_unit_test(test_boot_mode),
	};
	char self[PATH_MAX];

	/* The DTBs sit in images-dtb/ beside the binary, unless a directory is given. */
	snprintf(self, sizeof(self), "%s", argv[0]);
	snprintf(dtb_dir, sizeof(dtb_dir), "%s", argc > 1 ? argv[1] : dirname(self));
	if (argc <= 1)
		strncat(dtb_dir, "/images-dtb", sizeof(dtb_dir) - strlen(dtb_dir) - 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
