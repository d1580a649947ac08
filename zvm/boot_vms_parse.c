/* Boot-time VM nodes of the board DT (include/zvm/boot_vms.h): pure libfdt code, so the host
 * unit tests run it unchanged. The DT is board input: every property is checked for type,
 * length and range, and anything unknown under "zvm," is refused (a typo must not silently
 * become a default). */
#include <zvm/boot_vms.h>
#include <zvm/shm.h>
#include <zvm/vdev/vdev.h>
#include <zvm/virtio/blk_disk.h>

#include <errno.h>
#include <lib/format.h>
#include <libfdt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

int boot_vm_next(const void *fdt, int prev)
{
	int chosen = fdt_path_offset(fdt, "/chosen");
	int n;

	if (chosen < 0)
		return -FDT_ERR_NOTFOUND;
	n = prev < 0 ? fdt_first_subnode(fdt, chosen) : fdt_next_subnode(fdt, prev);
	while (n >= 0 && fdt_node_check_compatible(fdt, n, BOOT_VM_COMPATIBLE) != 0)
		n = fdt_next_subnode(fdt, n);
	return n;
}

struct ctx {
	const void *fdt;
	int node;
	char *err;
	size_t err_len;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(c->err, c->err_len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* 1: present and a u32 in *v; 0: absent; negative: malformed (reported). */
static int get_u32(struct ctx *c, const char *name, uint32_t *v)
{
	int len;
	const fdt32_t *p = fdt_getprop(c->fdt, c->node, name, &len);

	if (!p)
		return 0;
	if (len != 4)
		return fail(c, "%s must be one 32-bit cell (<N>), it has %d bytes", name, len);
	*v = fdt32_to_cpu(*p);
	return 1;
}

static int get_u32_range(struct ctx *c, const char *name, uint32_t lo, uint32_t hi, uint32_t *v)
{
	int r = get_u32(c, name, v);

	if (r > 0 && (*v < lo || *v > hi))
		return fail(c, "%s is %u, must be %u to %u", name, *v, lo, hi);
	return r;
}

/* 1: a non-empty NUL-terminated string in *s; 0: absent; negative: malformed (reported). */
static int get_string(struct ctx *c, const char *name, const char **s)
{
	int len;
	const char *p = fdt_getprop(c->fdt, c->node, name, &len);

	if (!p)
		return 0;
	if (len < 2 || p[len - 1] != '\0' || strlen(p) != (size_t)len - 1)
		return fail(c, "%s must be one non-empty string", name);
	*s = p;
	return 1;
}

static bool name_ok(const char *s, size_t len)
{
	bool digits_only = true;

	if (!len || len >= VM_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-'))
			return false;
		if (ch < '0' || ch > '9')
			digits_only = false;
	}
	return !digits_only; /* an all-digit name would read as a VM id */
}

static int parse_name(struct ctx *c, struct boot_vm *out)
{
	const char *s = NULL;
	size_t len;
	int r = get_string(c, "zvm,name", &s);

	if (r < 0)
		return r;
	if (r) {
		len = strlen(s);
	} else {
		/* The node name without its unit address, as dom0less names domains. */
		s = fdt_get_name(c->fdt, c->node, NULL);
		len = strcspn(s, "@");
	}
	if (!name_ok(s, len))
		return fail(c, "VM name '%.*s' must be 1-%d of A-Z a-z 0-9 _ -, not only digits",
			    (int)(len > 40 ? 40 : len), s, VM_NAME_MAX - 1);
	memcpy(out->name, s, len);
	out->name[len] = '\0';
	out->cfg.name = out->name;
	return 0;
}

static int parse_cpus(struct ctx *c, unsigned nr_cpus, struct vm_config *cfg)
{
	int len;
	const void *prop = fdt_getprop(c->fdt, c->node, "zvm,cpus", &len);
	const fdt32_t *p = prop;
	const char *s = prop;

	if (!prop)
		return 0;
	if (len > 1 && s[len - 1] == '\0' && strlen(s) == (size_t)len - 1 && s[0] >= '0' &&
	    s[0] <= '9' && len < 64) {
		/* A string: zvm new -p syntax (docs/scheduling.md). */
		if (vm_opts_pin(s, nr_cpus, cfg->nr_vcpus, cfg->vcpu_mask))
			return fail(
			    c, "zvm,cpus \"%s\" is not a CPU list ('zvm new -p' syntax, CPUs 0-%u)",
			    s, nr_cpus - 1);
	} else {
		if (len <= 0 || len % 4 || (unsigned)len / 4 != cfg->nr_vcpus)
			return fail(
			    c, "zvm,cpus must list one physical CPU per vCPU (%u), it has %d bytes",
			    cfg->nr_vcpus, len);
		for (unsigned i = 0; i < cfg->nr_vcpus; i++) {
			uint32_t cpu = fdt32_to_cpu(p[i]);

			if (cpu >= nr_cpus || cpu >= 64)
				return fail(
				    c, "zvm,cpus: vCPU %u on CPU %u, but the board has CPUs 0-%u",
				    i, cpu, nr_cpus - 1);
			cfg->vcpu_mask[i] = 1ULL << cpu;
		}
	}
	for (unsigned i = 0; i < cfg->nr_vcpus; i++)
		cfg->cpu_mask |= cfg->vcpu_mask[i];
	return 0;
}

static int parse_budget(struct ctx *c, struct vm_config *cfg)
{
	/* The limits of 'zvm new --budget' (zvm/vm_opts.h). */
	int rb =
	    get_u32_range(c, "zvm,budget-us", VM_BUDGET_MIN_US, VM_PERIOD_MAX_US, &cfg->budget_us);
	int rp = rb < 0 ? rb
			: get_u32_range(c, "zvm,period-us", VM_PERIOD_MIN_US, VM_PERIOD_MAX_US,
					&cfg->period_us);

	if (rb < 0 || rp < 0)
		return -EINVAL;
	if (rb != rp)
		return fail(c, "zvm,budget-us and zvm,period-us go together (one is missing)");
	if (rb && cfg->budget_us > cfg->period_us)
		return fail(c, "zvm,budget-us (%u) is longer than zvm,period-us (%u)",
			    cfg->budget_us, cfg->period_us);
	return 0;
}

/* As 'zvm new --on-crash'; in enum vm_on_crash order. */
static const char *const on_crash_names[] = {"stay", "reset", "delete"};

static int parse_on_crash(struct ctx *c, struct vm_config *cfg)
{
	const char *s;
	int r = get_string(c, "zvm,on-crash", &s);

	if (r <= 0)
		return r;
	for (unsigned i = 0; i < sizeof(on_crash_names) / sizeof(on_crash_names[0]); i++)
		if (!strcmp(s, on_crash_names[i])) {
			cfg->on_crash = (enum vm_on_crash)i;
			return 0;
		}
	return fail(c, "zvm,on-crash is \"%.24s\", must be \"stay\", \"reset\" or \"delete\"", s);
}

/* The devices: as 'zvm new --dev', '--disk' and '--mem'. The disk's range is checked here as
 * text; whether the host has that disk and the sectors are free is checked at creation, as for
 * 'zvm new', and reported the same way. */
static int parse_devices(struct ctx *c, struct vm_config *cfg)
{
	_Static_assert(VDEV_NR_OPTIONAL == 2, "the error below names both optional devices");
	const char *s, *why;
	struct blk_spec spec;
	int r = get_string(c, "zvm,devices", &s);

	if (r < 0)
		return r;
	if (r && vm_opts_devs(s, vdev_optional_names, VDEV_NR_OPTIONAL, &cfg->devs))
		return fail(c, "zvm,devices \"%.32s\" is not a comma-separated list of %s, %s", s,
			    vdev_optional_names[0], vdev_optional_names[1]);
	r = get_string(c, "zvm,disk", &cfg->disk);
	if (r < 0)
		return r;
	if (r && blk_spec_parse(cfg->disk, &spec, &why))
		return fail(c, "zvm,disk \"%.32s\": %s", cfg->disk, why);
	r = get_string(c, "zvm,memory-mode", &s);
	if (r < 0)
		return r;
	if (r && vm_opts_mem(s, &cfg->mem_dynamic))
		return fail(c, "zvm,memory-mode is \"%.24s\", must be \"static\" or \"dynamic\"",
			    s);
	return 0;
}

/* zvm,shm: `zvm new --shm` syntax. Whether the IPAs fit among the VM's RAM and devices, and
 * the sizes match other VMs' claims on a region, is checked when the VM is created. */
static int parse_shm(struct ctx *c, struct vm_config *cfg)
{
	struct shm_spec spec[SHM_VM_MAX];
	const char *why;
	unsigned n;
	int r = get_string(c, "zvm,shm", &cfg->shm);

	if (r < 0)
		return r;
	if (r && shm_parse_list(cfg->shm, spec, SHM_VM_MAX, &n, &why))
		return fail(c, "zvm,shm \"%.48s\": %s", cfg->shm, why);
	return 0;
}

static const char *const known[] = {
    "zvm,type",	    "zvm,name",	     "zvm,vcpus",	"zvm,memory-mib", "zvm,cpus",
    "zvm,priority", "zvm,budget-us", "zvm,period-us",	"zvm,autostart",  "zvm,on-crash",
    "zvm,devices",  "zvm,disk",	     "zvm,memory-mode", "zvm,pass",	  "zvm,shm",
};

static int check_known(struct ctx *c)
{
	int off;

	fdt_for_each_property_offset(off, c->fdt, c->node)
	{
		const char *name;
		bool ok = false;

		if (!fdt_getprop_by_offset(c->fdt, off, &name, NULL))
			return fail(c, "malformed property");
		if (strncmp(name, "zvm,", 4) != 0)
			continue; /* compatible, phandle, ... */
		for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
			ok |= !strcmp(name, known[i]);
		if (!ok)
			return fail(c, "unknown property %s", name);
	}
	return 0;
}

int boot_vm_parse(const void *fdt, int node, unsigned nr_cpus, struct boot_vm *out, char *err,
		  size_t err_len)
{
	struct ctx c = {fdt, node, err, err_len};
	struct vm_config *cfg = &out->cfg;
	uint32_t v;
	int r, len;

	memset(out, 0, sizeof(*out));
	if (err_len)
		err[0] = '\0';
	if (check_known(&c) || parse_name(&c, out))
		return -EINVAL;
	r = get_string(&c, "zvm,type", &cfg->type);
	if (r <= 0)
		return r < 0 ? r : fail(&c, "zvm,type is missing (a guest type, see 'zvm types')");

	cfg->nr_vcpus = 1;
	r = get_u32_range(&c, "zvm,vcpus", 1, VM_MAX_VCPUS, &v);
	if (r < 0)
		return r;
	if (r)
		cfg->nr_vcpus = v;

	cfg->mem_bytes = (size_t)BOOT_VM_DEFAULT_MIB << 20;
	cfg->mem_dynamic = CONFIG_VM_MEM_DYNAMIC; /* as 'zvm new' */
	r = get_u32_range(&c, "zvm,memory-mib", 2, BOOT_VM_MAX_MIB, &v);
	if (r < 0)
		return r;
	if (r && v % 2)
		return fail(&c, "zvm,memory-mib is %u, must be a multiple of 2", v);
	if (r)
		cfg->mem_bytes = (size_t)v << 20;

	if (parse_cpus(&c, nr_cpus, cfg))
		return -EINVAL;
	r = get_u32_range(&c, "zvm,priority", VM_PRIO_MIN, VM_PRIO_MAX, &v);
	if (r < 0)
		return r;
	if (r)
		cfg->prio = v;
	if (parse_budget(&c, cfg) || parse_on_crash(&c, cfg) || parse_devices(&c, cfg) ||
	    parse_shm(&c, cfg))
		return -EINVAL;
	if (get_string(&c, "zvm,pass", &cfg->pass) < 0) /* checked when the VM is created */
		return -EINVAL;

	if (fdt_getprop(fdt, node, "zvm,autostart", &len)) {
		if (len != 0)
			return fail(&c, "zvm,autostart takes no value (write 'zvm,autostart;')");
		cfg->autostart = true;
	}
	return 0;
}
