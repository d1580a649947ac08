/* The host's compression pool: its area, taken from the page allocator at boot, and its lines
 * in `kernel mem`.
 *
 * Size: ZPOOL_SIZE_MB (a build option, `make ZPOOL_MB=N`, default 0: nothing stores pages in it
 * yet), or the board's /chosen property "zvm,zpool-size" (bytes, one or two cells) when present; 0
 * means no pool. The area is one block of the page allocator, so the size is rounded down to a
 * power of two pages (at least one); if that much is not free the pool is halved until it fits,
 * with a warning. The pool is never given back. */
#include <errno.h>
#include <kernel/init.h>
#include <kernel/init_hook.h>
#include <kernel/mem_stats.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <libfdt.h>
#include <shell/shell.h>

#include "zpool.h"

#ifndef ZPOOL_SIZE_MB
#define ZPOOL_SIZE_MB 0
#endif

static struct zpool host_pool;
static bool host_pool_ready;

struct zpool *zpool_host(void)
{
	return host_pool_ready ? &host_pool : NULL;
}

static uint64_t pool_size_wanted(const void *fdt)
{
	int chosen = fdt ? fdt_path_offset(fdt, "/chosen") : -1;
	const fdt32_t *v;
	int len = 0;

	v = chosen >= 0 ? fdt_getprop(fdt, chosen, "zvm,zpool-size", &len) : NULL;
	if (v && len == 4)
		return fdt32_to_cpu(v[0]);
	if (v && len == 8)
		return (uint64_t)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]);
	if (v)
		pr_warn("zpool: /chosen zvm,zpool-size must be 1 or 2 cells; using %u MiB\n",
			ZPOOL_SIZE_MB);
	return (uint64_t)ZPOOL_SIZE_MB << 20;
}

static void print_pool(void)
{
	struct zpool_stats s;

	if (!host_pool_ready)
		return;
	zpool_get_stats(&host_pool, &s);
	/* The first line has the heap and pages rows' shape; the area itself counts as used in
	 * the pages row. */
	shell_print("%-6s %10zu KiB %10zu KiB %10zu KiB", "zpool", s.size >> 10, s.used >> 10,
		    (s.size - s.used) >> 10);
	shell_print(
	    "  %llu pages stored: %llu KiB -> %llu KiB, ratio %llu.%02llu; "
	    "compressed %llu, decompressed %llu",
	    (unsigned long long)s.objects, (unsigned long long)(s.orig_bytes >> 10),
	    (unsigned long long)(s.comp_bytes >> 10),
	    (unsigned long long)(s.comp_bytes ? s.orig_bytes / s.comp_bytes : 0),
	    (unsigned long long)(s.comp_bytes ? s.orig_bytes * 100 / s.comp_bytes % 100 : 0),
	    (unsigned long long)s.stored, (unsigned long long)s.loaded);
	shell_print("  zero %llu, stayed resident %llu, pool full %llu, corrupt %llu; "
		    "%u handles, %zu KiB metadata",
		    (unsigned long long)s.zero, (unsigned long long)s.rejected,
		    (unsigned long long)s.full, (unsigned long long)s.corrupt, s.handles,
		    s.meta >> 10);
}

static void zpool_boot(void)
{
	uint64_t want = pool_size_wanted(host_dtb());
	unsigned order = 0;
	void *mem = NULL;

	if (lzo_page_init()) {
		pr_err("zpool: liblzo2 failed its self-check: no compression\n");
		return;
	}
	if (!want)
		return;
	while (order < BUDDY_MAX_ORDER && (BUDDY_PAGE_SIZE << (order + 1)) <= want)
		order++;
	for (;; order--) {
		mem = page_alloc(order);
		if (mem || !order)
			break;
	}
	if (!mem || zpool_init(&host_pool, mem, BUDDY_PAGE_SIZE << order)) {
		pr_err("zpool: no memory for a compression pool\n");
		page_free(mem);
		return;
	}
	if ((BUDDY_PAGE_SIZE << order) < want)
		pr_warn("zpool: %llu KiB asked, %zu KiB taken\n", (unsigned long long)(want >> 10),
			(BUDDY_PAGE_SIZE << order) >> 10);
	host_pool_ready = true;
	kernel_mem_report_add(print_pool);
	pr_info("zpool: %zu KiB for compressed guest pages\n", host_pool.st.size >> 10);
}

INIT_HOOK(INIT_HOOK_BOOT, zpool_boot);
