/* `zvm new` option parsing (zvm/vm_opts.c) on an argv built from the input: two bytes give the
 * CPU and vCPU counts, the rest is NUL-separated words. As cmd_new, --prio, --budget and
 * --on-crash are taken out (each checked against a model of the removal), their values parsed,
 * and the -p value (or the last word) parsed as a CPU list. Checks: priorities and budgets agree
 * with a strtoul/strtod model of the syntax and limits; a CPU list sets masks only within
 * nr_cpus, exactly the CPUs it names, one set for all vCPUs unless it has one entry per vCPU,
 * and nothing past nr_vcpus. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/vm_opts.h>

#include "fuzz_input.h"

#define MAX_WORDS 24
#define MAX_VCPUS 72

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_vm_opts: %s\n", why);
	abort();
}

/* "N" or "N.D{1,3}" ms with N <= 10000, in us; -1 when malformed. */
static long model_ms(const char *s, size_t len)
{
	size_t whole = strspn(s, "0123456789"), frac;

	if (!whole || whole > len)
		return -1;
	frac = s[whole] == '.' ? strspn(s + whole + 1, "0123456789") : 0;
	if ((s[whole] == '.' && (!frac || frac > 3)) || whole + (frac ? frac + 1 : 0) != len ||
	    strtoul(s, NULL, 10) > VM_PERIOD_MAX_US / 1000)
		return -1;
	return lround(strtod(s, NULL) * 1000);
}

static void check_budget(const char *s)
{
	uint32_t b = 0, p = 0;
	int r = vm_opts_budget(s, &b, &p);
	const char *slash = strchr(s, '/');
	long mb = slash ? model_ms(s, (size_t)(slash - s)) : -1;
	long mp = slash ? model_ms(slash + 1, strlen(slash + 1)) : -1;
	int ok =
	    mb >= VM_BUDGET_MIN_US && mp >= VM_PERIOD_MIN_US && mp <= VM_PERIOD_MAX_US && mb <= mp;

	if (ok ? r || b != mb || p != mp : r != -EINVAL)
		fail("vm_opts_budget disagrees with the model");
}

static void check_prio(const char *s)
{
	unsigned prio = 0;
	int r = vm_opts_prio(s, &prio);
	int ok = s[0] && strspn(s, "0123456789") == strlen(s) &&
		 strtoul(s, NULL, 10) >= VM_PRIO_MIN && strtoul(s, NULL, 10) <= VM_PRIO_MAX;

	if (ok ? r || prio != strtoul(s, NULL, 10) : r != -EINVAL)
		fail("vm_opts_prio disagrees with the model");
}

static void check_pin(const char *s, unsigned nr_cpus, unsigned nr_vcpus)
{
	uint64_t mask[MAX_VCPUS + 1], named = 0, all = 0;
	unsigned entries = 1;

	memset(mask, 0xa5, sizeof(mask));
	if (vm_opts_pin(s, nr_cpus, nr_vcpus, mask))
		return;
	for (const char *p = s; *p; p++) {
		entries += *p == ',';
		if (*p >= '0' && *p <= '9' && (p == s || p[-1] < '0' || p[-1] > '9'))
			named |= 1ULL << strtoul(p, NULL, 10); /* < nr_cpus <= 64 if accepted */
	}
	if (!nr_vcpus || nr_cpus > 64)
		fail("vm_opts_pin accepted bad counts");
	for (unsigned i = 0; i < nr_vcpus; i++) {
		if (!mask[i] || (nr_cpus < 64 && mask[i] >> nr_cpus))
			fail("an empty mask or a CPU past nr_cpus");
		if (entries != nr_vcpus && mask[i] != mask[0])
			fail("vCPUs differ without one entry per vCPU");
		all |= mask[i];
	}
	if (all != named || memcmp(&mask[nr_vcpus], &mask[MAX_VCPUS], sizeof(mask[0])))
		fail("masks are not the CPUs named, or a mask past nr_vcpus was written");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"prio", "budget", "on-crash"};
	struct fuzz_in in = {data, size};
	unsigned nr_cpus = fuzz_u8(&in) % 66, nr_vcpus = fuzz_u8(&in) % MAX_VCPUS;
	char *words[MAX_WORDS], *argv[MAX_WORDS + 1];
	int argc = 0, nr_words;

	while (in.n && argc < MAX_WORDS) {
		size_t len = strnlen((const char *)in.p, in.n), used = len + (len < in.n);

		words[argc] = malloc(len + 1);
		memcpy(words[argc], in.p, len);
		words[argc][len] = '\0';
		argv[argc] = words[argc];
		argc++;
		in.p += used;
		in.n -= used;
	}
	argv[argc] = NULL;
	nr_words = argc;
	for (unsigned k = 0; k < 3; k++) {
		char opt[16], *want[MAX_WORDS + 1];
		const char *want_val = NULL, *v;
		int n = argc ? 1 : 0, missing, want_missing;

		snprintf(opt, sizeof(opt), "--%s", names[k]);
		want_missing = argc && !strcmp(argv[argc - 1], opt);
		want[0] = argv[0];
		for (int i = 1; i < argc; i++)
			if (!strcmp(argv[i], opt))
				want_val = argv[++i];
			else
				want[n++] = argv[i];
		v = vm_opts_take(&argc, argv, names[k], &missing);
		if (missing != want_missing || (missing && v) ||
		    (!missing &&
		     (v != want_val || argc != n || memcmp(argv, want, n * sizeof(*argv)))))
			fail("vm_opts_take removed other words than the model");
		if (argv[argc])
			fail("argv[argc] is not NULL");
		if (v && k == 0)
			check_prio(v);
		if (v && k == 1)
			check_budget(v);
	}
	for (int i = 0; i < argc; i++) {
		check_prio(argv[i]);
		check_budget(argv[i]);
	}
	for (int i = 1; i < argc; i++)
		if (i + 1 == argc || !strcmp(argv[i], "-p")) {
			check_pin(argv[i + (i + 1 < argc)], nr_cpus, nr_vcpus);
			break;
		}
	for (int i = 0; i < nr_words; i++)
		free(words[i]);
	return 0;
}
