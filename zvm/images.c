/* The guest-type table, read from the board DT's /reserved-memory (see include/zvm/images.h). */
#include <zvm/images.h>

#include <errno.h>
#include <lib/format.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>
#include <zvm/vm_opts.h>

#define ERR_LEN 96

struct entry {
	struct guest_type t;
	bool bad; /* one of its nodes is malformed: dropped once every node is read */
};

static struct entry table[GUEST_TYPES_MAX];
static unsigned nr_types;
static int first_err;
static char err_msg[ERR_LEN];

static void note(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Keeps the first problem only: later ones are often its consequences. */
static void note(int err, const char *fmt, ...)
{
	va_list ap;

	if (first_err)
		return;
	first_err = err;
	va_start(ap, fmt);
	fmt_vsnprintf(err_msg, sizeof(err_msg), fmt, ap);
	va_end(ap);
}

/* The property as one NUL-terminated string, or NULL when it is anything else. */
static const char *prop_string(const void *fdt, int node, const char *name)
{
	int len;
	const char *s = fdt_getprop(fdt, node, name, &len);

	if (!s || len < 1 || s[len - 1] != '\0' || strlen(s) != (size_t)len - 1)
		return NULL;
	return s;
}

/* Exactly one reg entry, non-empty, not wrapping around. */
static int read_reg(const void *fdt, int parent, int node, struct guest_image *img)
{
	int ac = fdt_address_cells(fdt, parent);
	int sc = fdt_size_cells(fdt, parent);
	const fdt32_t *p;
	uint64_t pa = 0, size = 0;
	int len;

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2)
		return -EINVAL;
	p = fdt_getprop(fdt, node, "reg", &len);
	if (!p || len != 4 * (ac + sc))
		return -EINVAL;
	for (int i = 0; i < ac; i++)
		pa = pa << 32 | fdt32_ld(&p[i]);
	for (int i = 0; i < sc; i++)
		size = size << 32 | fdt32_ld(&p[ac + i]);
	if (!size || pa + size < pa || size > SIZE_MAX)
		return -EINVAL;
	img->pa = pa;
	img->size = (size_t)size;
	return 0;
}

/* Optional zvm,prio: one cell in the VM priority range, kernel node only. */
static int read_prio(const void *fdt, int node, bool kernel, unsigned *prio)
{
	int len;
	const fdt32_t *p = fdt_getprop(fdt, node, "zvm,prio", &len);
	uint32_t v;

	if (!p)
		return 0;
	if (!kernel || len != 4)
		return -EINVAL;
	v = fdt32_ld(p);
	if (v < VM_PRIO_MIN || v > VM_PRIO_MAX)
		return -EINVAL;
	*prio = v;
	return 0;
}

/* Optional zvm,boot: "kernel" (the default) or "firmware", kernel node only. */
static int read_boot(const void *fdt, int node, bool kernel, bool *firmware)
{
	const char *s;

	if (!fdt_getprop(fdt, node, "zvm,boot", NULL))
		return 0;
	s = prop_string(fdt, node, "zvm,boot");
	if (!s || !kernel)
		return -EINVAL;
	if (!strcmp(s, "firmware"))
		*firmware = true;
	else if (strcmp(s, "kernel"))
		return -EINVAL;
	return 0;
}

static struct entry *entry_for(const char *name)
{
	for (unsigned i = 0; i < nr_types; i++)
		if (!strcmp(table[i].t.name, name))
			return &table[i];
	if (nr_types == GUEST_TYPES_MAX)
		return NULL;
	memset(&table[nr_types], 0, sizeof(table[nr_types]));
	strcpy(table[nr_types].t.name, name); /* length checked by the caller */
	return &table[nr_types++];
}

static void add_node(const void *fdt, int parent, int node)
{
	const char *nn = fdt_get_name(fdt, node, NULL);
	const char *name, *role, *bootargs;
	struct guest_image *img, got;
	struct entry *e;

	if (!fdt_getprop(fdt, node, "zvm,guest", NULL))
		return; /* some other reservation */
	name = prop_string(fdt, node, "zvm,guest");
	if (!name || !name[0] || strlen(name) >= GUEST_NAME_MAX) {
		note(-EINVAL, "%s: bad zvm,guest", nn);
		return;
	}
	e = entry_for(name);
	if (!e) {
		note(-ENOSPC, "%s: more than %d guest types", nn, GUEST_TYPES_MAX);
		return;
	}

	role = prop_string(fdt, node, "zvm,role");
	if (role && !strcmp(role, "kernel")) {
		img = &e->t.kernel;
	} else if (role && !strcmp(role, "initrd")) {
		img = &e->t.initrd;
	} else {
		note(-EINVAL, "%s: zvm,role is not \"kernel\" or \"initrd\"", nn);
		e->bad = true;
		return;
	}
	if (img->size) {
		note(-EINVAL, "%s: guest %s has a second %s", nn, name, role);
		e->bad = true;
		return;
	}
	if (read_reg(fdt, parent, node, &got)) {
		note(-EINVAL, "%s: reg is not one non-empty region", nn);
		e->bad = true;
		return;
	}
	*img = got;

	if (read_prio(fdt, node, img == &e->t.kernel, &e->t.prio)) {
		note(-EINVAL, "%s: zvm,prio must be one cell of %d-%d on the kernel node", nn,
		     VM_PRIO_MIN, VM_PRIO_MAX);
		e->bad = true;
		return;
	}
	if (read_boot(fdt, node, img == &e->t.kernel, &e->t.firmware)) {
		note(-EINVAL, "%s: zvm,boot must be \"kernel\" or \"firmware\" on the kernel node",
		     nn);
		e->bad = true;
		return;
	}
	if (!fdt_getprop(fdt, node, "zvm,bootargs", NULL))
		return;
	bootargs = prop_string(fdt, node, "zvm,bootargs");
	if (!bootargs || img != &e->t.kernel) {
		note(-EINVAL, "%s: zvm,bootargs must be a string on the kernel node", nn);
		e->bad = true;
		return;
	}
	e->t.bootargs = bootargs;
}

/* Drops the guests that cannot be booted and orders the rest. */
static void compact(void)
{
	unsigned kept = 0;

	for (unsigned i = 0; i < nr_types; i++) {
		if (!table[i].bad && !table[i].t.kernel.size)
			note(-EINVAL, "guest %s has no kernel image", table[i].t.name);
		if (table[i].bad || !table[i].t.kernel.size)
			continue;
		if (kept != i)
			table[kept] = table[i];
		kept++;
	}
	nr_types = kept;
	/* By kernel address, which board-dtb.py assigns in config order (tools reorder nodes). */
	for (unsigned i = 1; i < nr_types; i++) {
		struct entry e = table[i];
		unsigned j = i;

		for (; j > 0 && table[j - 1].t.kernel.pa > e.t.kernel.pa; j--)
			table[j] = table[j - 1];
		table[j] = e;
	}
}

int guest_types_init(const void *fdt)
{
	int parent, node;

	nr_types = 0;
	first_err = 0;
	err_msg[0] = '\0';
	if (fdt_check_header(fdt)) {
		note(-EINVAL, "not a device tree");
		return first_err;
	}
	parent = fdt_path_offset(fdt, "/reserved-memory");
	if (parent < 0)
		return 0; /* no reservations, so no images */
	fdt_for_each_subnode(node, fdt, parent)
	{
		add_node(fdt, parent, node);
	}
	if (node != -FDT_ERR_NOTFOUND)
		note(-EINVAL, "/reserved-memory: %s", fdt_strerror(node));
	compact();
	return first_err;
}

const char *guest_types_error(void)
{
	return err_msg;
}

const struct guest_type *guest_type_find(const char *name)
{
	for (unsigned i = 0; i < nr_types; i++)
		if (!strcmp(table[i].t.name, name))
			return &table[i].t;
	return NULL;
}

unsigned guest_type_count(void)
{
	return nr_types;
}

const struct guest_type *guest_type_nth(unsigned i)
{
	return i < nr_types ? &table[i].t : NULL;
}
