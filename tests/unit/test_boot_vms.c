/* boot_vm_next / boot_vm_parse (zvm/boot_vms_parse.c) on device trees built here with libfdt:
 * a complete node, defaults, iteration over /chosen, and every malformed property refused with
 * its reason in words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <zvm/boot_vms.h>
#include <zvm/vdev/vdev.h>

#include <errno.h>
#include <libfdt.h>
#include <stdlib.h>
#include <string.h>

#define FDT_SIZE 8192
#define NR_CPUS	 4

/* The board's optional devices, as zvm/vdev/vdev_board.c names them (that file creates them,
 * so it is not linked here). */
const char *const vdev_optional_names[VDEV_NR_OPTIONAL] = {"virtio-rng", "virtio-net"};

static void *new_fdt(void)
{
	void *fdt = malloc(FDT_SIZE);

	assert_non_null(fdt);
	assert_int_equal(fdt_create_empty_tree(fdt, FDT_SIZE), 0);
	assert_true(fdt_add_subnode(fdt, 0, "chosen") >= 0);
	return fdt;
}

static int chosen(void *fdt)
{
	int n = fdt_path_offset(fdt, "/chosen");

	assert_true(n >= 0);
	return n;
}

/* A /chosen child with compatible "zvm,vm" and zvm,type = type (unless NULL). */
static int add_vm(void *fdt, const char *node_name, const char *type)
{
	int n = fdt_add_subnode(fdt, chosen(fdt), node_name);

	assert_true(n >= 0);
	assert_int_equal(fdt_setprop_string(fdt, n, "compatible", BOOT_VM_COMPATIBLE), 0);
	if (type)
		assert_int_equal(fdt_setprop_string(fdt, n, "zvm,type", type), 0);
	return n;
}

static void set_u32(void *fdt, const char *path, const char *prop, uint32_t v)
{
	assert_int_equal(fdt_setprop_u32(fdt, fdt_path_offset(fdt, path), prop, v), 0);
}

static void set_cells(void *fdt, const char *path, const char *prop, const uint32_t *v, int n)
{
	fdt32_t cells[16];

	assert_true(n <= 16);
	for (int i = 0; i < n; i++)
		cells[i] = cpu_to_fdt32(v[i]);
	assert_int_equal(fdt_setprop(fdt, fdt_path_offset(fdt, path), prop, cells, n * 4), 0);
}

static int parse(void *fdt, const char *path, struct boot_vm *out, char *err)
{
	return boot_vm_parse(fdt, fdt_path_offset(fdt, path), NR_CPUS, out, err, BOOT_VM_ERR_LEN);
}

static void test_full_node(void **state)
{
	void *fdt = new_fdt();
	const char *p = "/chosen/rtos@0";
	uint32_t cpus[] = {3, 1};
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];

	(void)state;
	add_vm(fdt, "rtos@0", "hello");
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,name", "rt_0"), 0);
	set_u32(fdt, p, "zvm,vcpus", 2);
	set_u32(fdt, p, "zvm,memory-mib", 64);
	set_cells(fdt, p, "zvm,cpus", cpus, 2);
	set_u32(fdt, p, "zvm,priority", 5);
	set_u32(fdt, p, "zvm,budget-us", 20000);
	set_u32(fdt, p, "zvm,period-us", 100000);
	assert_int_equal(fdt_setprop_empty(fdt, fdt_path_offset(fdt, p), "zvm,autostart"), 0);
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,on-crash", "delete"),
			 0);
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,devices",
					    "virtio-net,virtio-rng"),
			 0);
	assert_int_equal(
	    fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,disk", "vda@8+16:ro"), 0);
	assert_int_equal(
	    fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,memory-mode", "dynamic"), 0);
	assert_int_equal(
	    fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,pass", "/pl031@9010000"), 0);
	assert_int_equal(fdt_setprop_string(fdt, fdt_path_offset(fdt, p), "zvm,shm",
					    "ring:16@0x20000000,log:4@0x20100000:ro"),
			 0);

	assert_int_equal(parse(fdt, p, &b, err), 0);
	assert_string_equal(err, "");
	assert_string_equal(b.cfg.type, "hello");
	assert_string_equal(b.cfg.name, "rt_0");
	assert_ptr_equal(b.cfg.name, b.name);
	assert_int_equal(b.cfg.nr_vcpus, 2);
	assert_int_equal(b.cfg.mem_bytes, 64u << 20);
	assert_int_equal(b.cfg.vcpu_mask[0], 1u << 3);
	assert_int_equal(b.cfg.vcpu_mask[1], 1u << 1);
	assert_int_equal(b.cfg.vcpu_mask[2], 0);
	assert_int_equal(b.cfg.cpu_mask, (1u << 3) | (1u << 1));
	assert_int_equal(b.cfg.prio, 5);
	assert_int_equal(b.cfg.budget_us, 20000);
	assert_int_equal(b.cfg.period_us, 100000);
	assert_true(b.cfg.autostart);
	assert_int_equal(b.cfg.on_crash, VM_CRASH_DELETE);
	assert_int_equal(b.cfg.devs, 3); /* bit i: vdev_optional_names[i] */
	assert_string_equal(b.cfg.disk, "vda@8+16:ro");
	assert_true(b.cfg.mem_dynamic);
	assert_string_equal(b.cfg.pass, "/pl031@9010000");
	assert_string_equal(b.cfg.shm, "ring:16@0x20000000,log:4@0x20100000:ro");
	free(fdt);
}

/* zvm,cpus as a string: 'zvm new -p' syntax. */
static void test_cpus_string(void **state)
{
	void *fdt = new_fdt();
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];

	(void)state;
	add_vm(fdt, "vm", "hello");
	set_u32(fdt, "/chosen/vm", "zvm,vcpus", 3);
	assert_int_equal(
	    fdt_setprop_string(fdt, fdt_path_offset(fdt, "/chosen/vm"), "zvm,cpus", "0+1,2,3"), 0);
	assert_int_equal(parse(fdt, "/chosen/vm", &b, err), 0);
	assert_int_equal(b.cfg.vcpu_mask[0], 0x3);
	assert_int_equal(b.cfg.vcpu_mask[1], 0x4);
	assert_int_equal(b.cfg.vcpu_mask[2], 0x8);
	assert_int_equal(b.cfg.cpu_mask, 0xf);
	free(fdt);
}

static void test_defaults(void **state)
{
	void *fdt = new_fdt();
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];

	(void)state;
	add_vm(fdt, "linux-a@1", "linux");
	assert_int_equal(parse(fdt, "/chosen/linux-a@1", &b, err), 0);
	assert_string_equal(b.cfg.name, "linux-a"); /* the node name without its unit address */
	assert_string_equal(b.cfg.type, "linux");
	assert_int_equal(b.cfg.nr_vcpus, 1);
	assert_int_equal(b.cfg.mem_bytes, (size_t)BOOT_VM_DEFAULT_MIB << 20);
	assert_int_equal(b.cfg.cpu_mask, 0);
	assert_int_equal(b.cfg.vcpu_mask[0], 0);
	assert_int_equal(b.cfg.prio, 0);
	assert_int_equal(b.cfg.budget_us, 0);
	assert_int_equal(b.cfg.period_us, 0);
	assert_false(b.cfg.autostart);
	assert_int_equal(b.cfg.on_crash, VM_CRASH_STAY);
	assert_int_equal(b.cfg.devs, 0);
	assert_null(b.cfg.disk);
	assert_int_equal(b.cfg.mem_dynamic, CONFIG_VM_MEM_DYNAMIC);
	assert_null(b.cfg.pass);
	assert_null(b.cfg.shm);
	free(fdt);
}

static void test_iteration(void **state)
{
	void *fdt = new_fdt();
	int a, b, other;

	(void)state;
	a = add_vm(fdt, "a", "hello");
	other = fdt_add_subnode(fdt, chosen(fdt), "module@0");
	assert_true(other >= 0);
	assert_int_equal(fdt_setprop_string(fdt, other, "compatible", "multiboot,module"), 0);
	assert_true(fdt_add_subnode(fdt, chosen(fdt), "plain") >= 0);
	b = add_vm(fdt, "b", "linux");
	a = fdt_path_offset(fdt, "/chosen/a"); /* offsets moved with the additions */
	b = fdt_path_offset(fdt, "/chosen/b");

	/* DT order (libfdt adds a subnode before its older siblings): b, then a. */
	assert_int_equal(boot_vm_next(fdt, -1), b);
	assert_int_equal(boot_vm_next(fdt, b), a);
	assert_true(boot_vm_next(fdt, a) < 0);
	free(fdt);
}

static void test_no_chosen(void **state)
{
	void *fdt = malloc(FDT_SIZE);

	(void)state;
	assert_int_equal(fdt_create_empty_tree(fdt, FDT_SIZE), 0);
	assert_true(boot_vm_next(fdt, -1) < 0);
	assert_true(fdt_add_subnode(fdt, 0, "chosen") >= 0);
	assert_true(boot_vm_next(fdt, -1) < 0); /* empty /chosen */
	free(fdt);
}

/* One broken property each: parse fails with -EINVAL and err says why. */
struct bad {
	const char *prop;
	const void *val;
	int len;
	const char *why;
};

#define CELL(x)	   ((const fdt32_t[]){cpu_to_fdt32(x)})
#define CELLS(...) ((const fdt32_t[]){__VA_ARGS__})

static void test_bad_properties(void **state)
{
	static const char two_strings[] = "a\0b";
	const struct bad cases[] = {
	    {"zvm,vcpus", CELL(0), 4, "zvm,vcpus is 0, must be 1 to 8"},
	    {"zvm,vcpus", CELL(9), 4, "zvm,vcpus is 9, must be 1 to 8"},
	    {"zvm,vcpus", "2", 2, "zvm,vcpus must be one 32-bit cell"},
	    {"zvm,memory-mib", CELL(3), 4, "must be a multiple of 2"},
	    {"zvm,memory-mib", CELL(0), 4, "zvm,memory-mib is 0, must be 2 to 65536"},
	    {"zvm,memory-mib", CELL(1u << 20), 4, "must be 2 to 65536"},
	    {"zvm,cpus", CELLS(cpu_to_fdt32(1), cpu_to_fdt32(2)), 8, "one physical CPU per vCPU"},
	    {"zvm,cpus", CELL(4), 4, "vCPU 0 on CPU 4, but the board has CPUs 0-3"},
	    {"zvm,cpus", "", 0, "one physical CPU per vCPU"},
	    {"zvm,priority", CELL(1), 4, "zvm,priority is 1, must be 2 to 29"},
	    {"zvm,priority", CELL(30), 4, "zvm,priority is 30, must be 2 to 29"},
	    {"zvm,budget-us", CELL(20000), 4, "go together"},
	    {"zvm,period-us", CELL(20000), 4, "go together"},
	    {"zvm,budget-us", CELL(99), 4, "zvm,budget-us is 99, must be 100 to 10000000"},
	    {"zvm,cpus", "1,9", 4,
	     "zvm,cpus \"1,9\" is not a CPU list ('zvm new -p' syntax, CPUs 0-3)"},
	    {"zvm,cpus", "x", 2, "zvm,cpus must list one physical CPU per vCPU"},
	    {"zvm,autostart", CELL(1), 4, "zvm,autostart takes no value"},
	    {"zvm,type", CELL(7), 4, "zvm,type must be one non-empty string"},
	    {"zvm,type", "", 1, "zvm,type must be one non-empty string"},
	    {"zvm,type", two_strings, 4, "zvm,type must be one non-empty string"},
	    {"zvm,name", "12", 3, "VM name '12' must be"},
	    {"zvm,name", "a b", 4, "VM name 'a b' must be"},
	    {"zvm,name", "abcdefghijklmnopqrstuvwxyz", 27, "must be 1-23 of"},
	    {"zvm,vpcus", CELL(2), 4, "unknown property zvm,vpcus"},
	    {"zvm,on-crash", "reboot", 7,
	     "zvm,on-crash is \"reboot\", must be \"stay\", \"reset\" or \"delete\""},
	    {"zvm,on-crash", CELL(1), 4, "zvm,on-crash must be one non-empty string"},
	    {"zvm,devices", "virtio-gpu", 11,
	     "zvm,devices \"virtio-gpu\" is not a comma-separated list of virtio-rng, virtio-net"},
	    {"zvm,devices", CELL(1), 4, "zvm,devices must be one non-empty string"},
	    {"zvm,disk", "VDA", 4, "zvm,disk \"VDA\": a disk name is 1-7 of a-z, 0-9"},
	    {"zvm,disk", "vda@1+", 7, "zvm,disk \"vda@1+\": a range is @FIRST+COUNT"},
	    {"zvm,memory-mode", "huge", 5,
	     "zvm,memory-mode is \"huge\", must be \"static\" or \"dynamic\""},
	    {"zvm,pass", "", 1, "zvm,pass must be one non-empty string"},
	    {"zvm,shm", "ring:16", 8, "zvm,shm \"ring:16\": bad size: expected SIZE_KB@IPA"},
	    {"zvm,shm", CELL(1), 4, "zvm,shm must be one non-empty string"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad *c = &cases[i];
		void *fdt = new_fdt();
		int n = add_vm(fdt, "vm", "hello");
		struct boot_vm b;
		char err[BOOT_VM_ERR_LEN];

		assert_int_equal(fdt_setprop(fdt, n, c->prop, c->val, c->len), 0);
		n = fdt_path_offset(fdt, "/chosen/vm");
		assert_int_equal(boot_vm_parse(fdt, n, NR_CPUS, &b, err, sizeof(err)), -EINVAL);
		if (!strstr(err, c->why))
			fail_msg("case %zu (%s): '%s' does not say '%s'", i, c->prop, err, c->why);
		free(fdt);
	}
}

static void test_budget_longer_than_period(void **state)
{
	void *fdt = new_fdt();
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];

	(void)state;
	add_vm(fdt, "vm", "hello");
	set_u32(fdt, "/chosen/vm", "zvm,budget-us", 2000);
	set_u32(fdt, "/chosen/vm", "zvm,period-us", 1000);
	assert_int_equal(parse(fdt, "/chosen/vm", &b, err), -EINVAL);
	assert_string_equal(err, "zvm,budget-us (2000) is longer than zvm,period-us (1000)");
	set_u32(fdt, "/chosen/vm", "zvm,period-us", 999);
	assert_int_equal(parse(fdt, "/chosen/vm", &b, err), -EINVAL);
	assert_string_equal(err, "zvm,period-us is 999, must be 1000 to 10000000");
	free(fdt);
}

static void test_missing_type_and_bad_node_name(void **state)
{
	void *fdt = new_fdt();
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];

	(void)state;
	add_vm(fdt, "vm", NULL);
	assert_int_equal(parse(fdt, "/chosen/vm", &b, err), -EINVAL);
	assert_non_null(strstr(err, "zvm,type is missing"));
	/* A node name of digits only needs a zvm,name. */
	add_vm(fdt, "42", "hello");
	assert_int_equal(parse(fdt, "/chosen/42", &b, err), -EINVAL);
	assert_non_null(strstr(err, "VM name '42'"));
	assert_int_equal(
	    fdt_setprop_string(fdt, fdt_path_offset(fdt, "/chosen/42"), "zvm,name", "vm42"), 0);
	assert_int_equal(parse(fdt, "/chosen/42", &b, err), 0);
	assert_string_equal(b.cfg.name, "vm42");
	free(fdt);
}

/* The bad node does not stop the walk: the caller skips it and parses the next one. */
static void test_bad_node_then_good(void **state)
{
	void *fdt = new_fdt();
	struct boot_vm b;
	char err[BOOT_VM_ERR_LEN];
	int n, good = 0, bad = 0;
	char good_name[VM_NAME_MAX] = "";

	(void)state;
	add_vm(fdt, "good", "hello");
	add_vm(fdt, "bad", "hello"); /* comes first: see test_iteration */
	set_u32(fdt, "/chosen/bad", "zvm,vcpus", 99);
	for (n = boot_vm_next(fdt, -1); n >= 0; n = boot_vm_next(fdt, n)) {
		if (boot_vm_parse(fdt, n, NR_CPUS, &b, err, sizeof(err)))
			bad++;
		else
			good++, strcpy(good_name, b.cfg.name);
	}
	assert_int_equal(bad, 1);
	assert_int_equal(good, 1);
	assert_string_equal(good_name, "good");
	free(fdt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_node),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_cpus_string),
	    cmocka_unit_test(test_iteration),
	    cmocka_unit_test(test_no_chosen),
	    cmocka_unit_test(test_bad_properties),
	    cmocka_unit_test(test_budget_longer_than_period),
	    cmocka_unit_test(test_missing_type_and_bad_node_name),
	    cmocka_unit_test(test_bad_node_then_good),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
