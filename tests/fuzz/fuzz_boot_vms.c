/* Boot-time VM nodes (zvm/boot_vms_parse.c): boot_vm_next and boot_vm_parse over every "zvm,vm"
 * child of /chosen, on two kinds of device tree. The first input byte picks the kind, the CPU
 * count and the error buffer's size:
 *   - a raw blob, as the kernel would see it: only when it passes fdt_check_header and its
 *     totalsize fits the input (board_parse has checked the header before this code runs);
 *   - a skeleton built with libfdt's sequential-write API: nodes under /chosen whose names,
 *     property names and values (raw bytes, cells, strings) come from the input, so the fuzzer
 *     gets past the structure into the property checks.
 * A node that parses must give a valid name, a type inside the blob, vCPU, memory, CPU mask,
 * priority and budget values within their documented ranges; a refused one must say why in a
 * NUL-terminated err. Every blob is copied to a buffer of its exact size for ASan. */
#include <kernel/config.h>
#include <libfdt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/boot_vms.h>
#include <zvm/vdev/vdev.h>
#include <zvm/virtio/blk_disk.h>

#include "fuzz_dtb.h"
#include "fuzz_input.h"

#define SKEL_SIZE 65536

static const char *const props[] = {
    "zvm,type",	    "zvm,name",	     "zvm,vcpus",     "zvm,memory-mib", "zvm,cpus",
    "zvm,priority", "zvm,budget-us", "zvm,period-us", "zvm,autostart",	"zvm,on-crash",
    "compatible",   "zvm,typo",	     "zvm,devices",   "zvm,disk",	"zvm,memory-mode",
};

static const char *const words[] = {
    "stay", "reset",	  "delete",	"1+2,3",   "0,1",
    "rt0",  "virtio-net", "vda@0+8:ro", "dynamic", "virtio-rng,virtio-net"};

/* The board's optional devices, as zvm/vdev/vdev_board.c names them (not linked here). */
const char *const vdev_optional_names[VDEV_NR_OPTIONAL] = {"virtio-rng", "virtio-net"};

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_boot_vms: %s\n", why);
	abort();
}

/* Up to max input bytes as a string without NULs. */
static void take_str(struct fuzz_in *in, char *s, unsigned max)
{
	unsigned n = fuzz_u8(in) % max;

	for (unsigned i = 0; i < n; i++)
		s[i] = (char)(fuzz_u8(in) | 1); /* never NUL */
	s[n] = '\0';
}

static int build(struct fuzz_in *in, void *fdt)
{
	int err = fdt_create(fdt, SKEL_SIZE) || fdt_finish_reservemap(fdt) ||
		  fdt_begin_node(fdt, "") || fdt_begin_node(fdt, "chosen") ||
		  fdt_begin_node(fdt, "rtos@0") || fdt_property_string(fdt, "compatible", "zvm,vm");
	char name[64];

	while (!err && in->n) {
		uint8_t op = fuzz_u8(in);
		uint8_t val[32];
		unsigned n;

		if (op >= 0xf0) { /* a new VM node */
			take_str(in, name, sizeof(name));
			err = fdt_end_node(fdt) || fdt_begin_node(fdt, name[0] ? name : "vm") ||
			      (op & 1 ? 0 : fdt_property_string(fdt, "compatible", "zvm,vm"));
			continue;
		}
		const char *prop = props[(op >> 2) % (sizeof(props) / sizeof(props[0]))];

		switch (op & 3) {
		case 0: /* raw bytes */
			n = fuzz_u8(in) % (sizeof(val) + 1);
			for (unsigned i = 0; i < n; i++)
				val[i] = fuzz_u8(in);
			err = fdt_property(fdt, prop, val, (int)n);
			break;
		case 1: /* a small cell */
			err = fdt_property_u32(fdt, prop, fuzz_u8(in));
			break;
		case 2:
			err = fdt_property_u32(fdt, prop, fuzz_u32(in));
			break;
		default: /* a string: one the parser knows, or from the input */
			take_str(in, name, sizeof(name));
			err = fdt_property_string(
			    fdt, prop, op & 0x80 ? words[(unsigned char)name[0] % 6] : name);
			break;
		}
	}
	return err || fdt_end_node(fdt) || fdt_end_node(fdt) || fdt_finish(fdt);
}

static void check(const void *fdt, const struct boot_vm *b, unsigned nr_cpus)
{
	const struct vm_config *c = &b->cfg;
	const char *end = (const char *)fdt + fdt_totalsize(fdt);
	size_t len = strlen(b->name);
	uint64_t all = 0;

	if (!len || len >= VM_NAME_MAX || strspn(b->name, "0123456789") == len ||
	    strspn(b->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
		len ||
	    c->name != b->name)
		fail("a bad VM name accepted");
	if (!c->type || c->type < (const char *)fdt || c->type >= end || !c->type[0] ||
	    !memchr(c->type, '\0', (size_t)(end - c->type)))
		fail("the type is not a string inside the blob");
	if (c->nr_vcpus < 1 || c->nr_vcpus > VM_MAX_VCPUS || c->mem_bytes % (2u << 20) ||
	    c->mem_bytes < (2u << 20) || c->mem_bytes > ((size_t)BOOT_VM_MAX_MIB << 20))
		fail("vCPU count or memory size out of range");
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		if (i >= c->nr_vcpus
			? c->vcpu_mask[i] != 0
			: c->cpu_mask && (!c->vcpu_mask[i] || c->vcpu_mask[i] >> nr_cpus))
			fail("a vCPU mask empty, past nr_cpus or past nr_vcpus");
		all |= c->vcpu_mask[i];
	}
	if (all != c->cpu_mask)
		fail("cpu_mask is not the union of the vCPU masks");
	if ((c->prio && (c->prio < VM_PRIO_MIN || c->prio > VM_PRIO_MAX)) ||
	    !c->budget_us != !c->period_us || c->budget_us > c->period_us ||
	    (c->period_us && (c->budget_us < VM_BUDGET_MIN_US || c->period_us < VM_PERIOD_MIN_US ||
			      c->period_us > VM_PERIOD_MAX_US)) ||
	    (unsigned)c->on_crash > 2)
		fail("priority, budget or on-crash out of range");
	if (c->devs >> VDEV_NR_OPTIONAL)
		fail("an optional device that does not exist");
	if (c->disk) {
		struct blk_spec spec;
		const char *why;

		if (c->disk < (const char *)fdt || c->disk >= end ||
		    !memchr(c->disk, '\0', (size_t)(end - c->disk)) ||
		    blk_spec_parse(c->disk, &spec, &why))
			fail("a disk that is not a valid spec inside the blob");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = {data, size};
	uint8_t mode = fuzz_u8(&in);
	unsigned nr_cpus = 1 + (mode >> 1) % CONFIG_MAX_CPUS, err_len = fuzz_u8(&in) % 160;
	char *err = malloc(err_len + 1);
	void *fdt = NULL;

	if (mode & 1) {
		void *skel = malloc(SKEL_SIZE);

		if (!build(&in, skel))
			fdt = fuzz_dtb_dup(skel, SKEL_SIZE);
		free(skel);
	} else {
		fdt = fuzz_dtb_dup(in.p, in.n);
	}
	for (int node = fdt ? boot_vm_next(fdt, -1) : -1, n = 0; node >= 0 && n < 64;
	     node = boot_vm_next(fdt, node), n++) {
		struct boot_vm b;
		int r = boot_vm_parse(fdt, node, nr_cpus, &b, err, err_len);

		if (err_len && !memchr(err, '\0', err_len))
			fail("err is not NUL-terminated");
		if (r && (r != -EINVAL || (err_len > 1 && !err[0])))
			fail("a refusal without its reason");
		if (!r && err_len && err[0])
			fail("a reason without a refusal");
		if (!r)
			check(fdt, &b, nr_cpus);
	}
	free(fdt);
	free(err);
	return 0;
}
