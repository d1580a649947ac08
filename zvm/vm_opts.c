/* Parsing of the `zvm new` scheduling options (see include/zvm/vm_opts.h). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <zvm/vm_opts.h>

static bool is_long(const char *arg, const char *name)
{
	return arg[0] == '-' && arg[1] == '-' && !strcmp(arg + 2, name);
}

const char *vm_opts_take(int *argc, char **argv, const char *name, int *missing)
{
	const char *val = NULL;
	int out = 1;

	*missing = 0;
	if (*argc > 0 && is_long(argv[*argc - 1], name)) {
		*missing = 1;
		return NULL;
	}
	for (int i = 1; i < *argc; i++) {
		if (is_long(argv[i], name)) {
			val = argv[++i];
			continue;
		}
		argv[out++] = argv[i];
	}
	if (*argc > 0) {
		*argc = out;
		argv[out] = NULL;
	}
	return val;
}

/* Decimal digits only, up to max; *end at the first other character. */
static int parse_uint(const char *s, const char **end, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (uint64_t)(*p - '0');
		if (v > max)
			return -EINVAL;
	}
	if (p == s)
		return -EINVAL;
	*end = p;
	*out = (uint32_t)v;
	return 0;
}

int vm_opts_prio(const char *s, unsigned *prio)
{
	const char *end;
	uint32_t v;

	if (parse_uint(s, &end, 1000, &v) || *end || v < VM_PRIO_MIN || v > VM_PRIO_MAX)
		return -EINVAL;
	*prio = v;
	return 0;
}

/* One entry "1" or "1+3" up to ',' or the end; *s moves past it (and its ','). */
static int parse_entry(const char **s, unsigned nr_cpus, uint64_t *mask, bool *plain)
{
	const char *p = *s;
	unsigned n = 0;

	*mask = 0;
	for (;;) {
		uint32_t cpu;

		if (parse_uint(p, &p, 63, &cpu) || cpu >= nr_cpus)
			return -EINVAL;
		*mask |= 1ULL << cpu;
		n++;
		if (*p != '+')
			break;
		p++;
	}
	if (*p == ',') {
		p++;
		if (!*p)
			return -EINVAL; /* "1," */
	} else if (*p) {
		return -EINVAL;
	}
	*plain = n == 1;
	*s = p;
	return 0;
}

int vm_opts_pin(const char *s, unsigned nr_cpus, unsigned nr_vcpus, uint64_t *vcpu_mask)
{
	uint64_t entries[64], all = 0;
	unsigned n = 0;
	bool all_plain = true;

	if (!nr_vcpus || nr_cpus > 64)
		return -EINVAL;
	do {
		bool plain;

		if (n == 64 || parse_entry(&s, nr_cpus, &entries[n], &plain))
			return -EINVAL;
		all |= entries[n++];
		all_plain = all_plain && plain;
	} while (*s);

	if (n == nr_vcpus) {
		for (unsigned i = 0; i < nr_vcpus; i++)
			vcpu_mask[i] = entries[i];
		return 0;
	}
	if (n > 1 && !all_plain)
		return -EINVAL; /* "1+2,3" for a 3-vCPU VM: neither per vCPU nor one set */
	for (unsigned i = 0; i < nr_vcpus; i++)
		vcpu_mask[i] = all;
	return 0;
}

/* "20" or "0.5" ms as microseconds. */
static int parse_ms(const char *s, const char **end, uint32_t *us)
{
	uint32_t whole, frac = 0, scale = 1000;

	if (parse_uint(s, &s, VM_PERIOD_MAX_US / 1000, &whole))
		return -EINVAL;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return -EINVAL;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (scale == 1)
				return -EINVAL; /* finer than a microsecond */
			scale /= 10;
			frac += (uint32_t)(*s - '0') * scale;
		}
	}
	*end = s;
	*us = whole * 1000 + frac;
	return 0;
}

int vm_opts_budget(const char *s, uint32_t *budget_us, uint32_t *period_us)
{
	uint32_t b, p;

	if (parse_ms(s, &s, &b) || *s++ != '/' || parse_ms(s, &s, &p) || *s)
		return -EINVAL;
	if (p < VM_PERIOD_MIN_US || p > VM_PERIOD_MAX_US || b < VM_BUDGET_MIN_US || b > p)
		return -EINVAL;
	*budget_us = b;
	*period_us = p;
	return 0;
}

int vm_opts_mem(const char *s, bool *dynamic)
{
	if (!strcmp(s, "static") || !strcmp(s, "dynamic")) {
		*dynamic = s[0] == 'd';
		return 0;
	}
	return -EINVAL;
}

int vm_opts_devs(const char *s, const char *const *names, unsigned n, uint32_t *mask)
{
	uint32_t m = 0;

	if (n > 32)
		return -EINVAL;
	for (;;) {
		size_t len = strcspn(s, ",");
		unsigned i;

		/* An empty name ("", "a,,b", "a,") matches none. */
		for (i = 0; i < n; i++)
			if (len && strlen(names[i]) == len && !strncmp(s, names[i], len))
				break;
		if (i == n)
			return -EINVAL;
		m |= 1u << i;
		s += len;
		if (!*s)
			break;
		s++; /* the ',' */
	}
	*mask |= m;
	return 0;
}
