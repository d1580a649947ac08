/* `zpool check|selftest|bench|watermark`: the compression pool on the target. The pool's usage is
 * in `kernel mem`; these exercise the code on the real CPU with Debian's arm64 liblzo2: check walks
 * the host pool's structures (zpool_check); selftest  random stores, loads and frees in a private
 * 16 KiB pool, every load compared with the page regenerated from its seed, until full and back to
 * empty; bench     instructions per 4 KiB page (PMCCNTR_EL0 with EL2 counted; exact under QEMU
 *             -icount shift=0) of bare liblzo2 next to the codec and the pool, for zero,
 *             text and random pages: `ZPOOL-BENCH <op>_<page> bare N codec N pool N` lines
 *             that bench/run.py reads. Run it with no VM on the shell's CPU: the PMU is the
 *             host's while it runs (its registers are put back after);
 *   watermark the cold-page scanner's low watermark (reclaim.c). */
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/page_alloc.h>
#include <kernel/percpu.h>
#include <lzo/lzo1x.h>
#include <shell/shell.h>
#include <string.h>

#include "reclaim.h"
#include "zpool.h"
#include "zpool_pages.h"

#define SELFTEST_POOL  (16 << 10)
#define SELFTEST_SLOTS 64
#define SELFTEST_STEPS 3000
#define BENCH_SAMPLES  11
#define PMCCFILTR_NSH  (1ull << 27)
#define PMCR_E	       (1ull << 0)
#define PMCNTEN_CYCLES (1ull << 31)

static int cmd_check(int argc, char **argv)
{
	struct zpool *p = zpool_host();
	int err;

	(void)argc;
	(void)argv;
	if (!p) {
		shell_print("zpool: no pool on this host");
		return -ENODEV;
	}
	err = zpool_check(p);
	shell_print(err ? "zpool check: BROKEN (code %d)" : "zpool check: consistent", err);
	return err ? -EIO : 0;
}

static void fill(uint8_t *page, unsigned kind, uint64_t seed)
{
	if (kind == 0)
		memset(page, 0, LZO_PAGE_SIZE);
	else if (kind == 1)
		zpool_page_text(page, seed);
	else if (kind == 2)
		zpool_page_random(page, seed);
	else
		zpool_page_ptable(page, seed);
}

struct selftest {
	struct zpool pool;
	uint8_t page[LZO_PAGE_SIZE] __attribute__((aligned(8)));
	uint8_t back[LZO_PAGE_SIZE] __attribute__((aligned(8)));
	zpool_handle_t h[SELFTEST_SLOTS];
	uint8_t kind[SELFTEST_SLOTS];
	uint64_t seed[SELFTEST_SLOTS];
};

/* Returns NULL when every check held, else what failed. */
static const char *selftest_run(struct selftest *t, struct lzo_page_work *w, uint64_t *full)
{
	uint64_t rng = 0x5eed;

	for (unsigned step = 0; step < SELFTEST_STEPS; step++) {
		unsigned i = zpool_pages_rand(&rng) % SELFTEST_SLOTS;

		if (!t->h[i]) {
			t->kind[i] = (uint8_t)(zpool_pages_rand(&rng) % 4);
			t->seed[i] = zpool_pages_rand(&rng);
			fill(t->page, t->kind[i], t->seed[i]);
			int err = zpool_store(&t->pool, w, t->page, &t->h[i]);

			if (err == -ENOSPC)
				(*full)++;
			else if (err && !(err == -E2BIG && t->kind[i] == 2))
				return "store";
			continue;
		}
		fill(t->page, t->kind[i], t->seed[i]);
		if (zpool_load(&t->pool, t->h[i], t->back) ||
		    memcmp(t->page, t->back, LZO_PAGE_SIZE))
			return "load: data differs";
		if (zpool_pages_rand(&rng) & 1) {
			if (zpool_free(&t->pool, t->h[i]))
				return "free";
			t->h[i] = 0;
		}
		if (step % 64 == 0 && zpool_check(&t->pool))
			return "check";
	}
	for (unsigned i = 0; i < SELFTEST_SLOTS; i++)
		if (t->h[i] && zpool_free(&t->pool, t->h[i]))
			return "free";
	return NULL;
}

static int cmd_selftest(int argc, char **argv)
{
	struct selftest *t = k_calloc(1, sizeof(*t));
	struct lzo_page_work *w = k_malloc(sizeof(*w));
	void *area = page_alloc_bytes(SELFTEST_POOL);
	const char *why = "no memory";
	struct zpool_stats s = {0};
	uint64_t full = 0;

	(void)argc;
	(void)argv;
	if (t && w && area && !zpool_init(&t->pool, area, SELFTEST_POOL)) {
		why = selftest_run(t, w, &full);
		zpool_get_stats(&t->pool, &s);
		if (!why && (s.used || s.objects || zpool_check(&t->pool)))
			why = "not empty at the end";
		if (!why && (s.full != full || !full || !s.rejected || !s.zero))
			why = "counters";
	}
	if (why)
		shell_print(
		    "zpool selftest: FAIL (%s; %llu stored, %llu zero, %llu resident, %llu/%llu "
		    "full)",
		    why, (unsigned long long)s.stored, (unsigned long long)s.zero,
		    (unsigned long long)s.rejected, (unsigned long long)s.full,
		    (unsigned long long)full);
	else
		shell_print("zpool selftest: PASS (%llu stored, %llu loaded, %llu zero, %llu "
			    "resident, %llu full)",
			    (unsigned long long)s.stored, (unsigned long long)s.loaded,
			    (unsigned long long)s.zero, (unsigned long long)s.rejected,
			    (unsigned long long)s.full);
	page_free(area);
	k_free(w);
	k_free(t);
	return why ? -EIO : 0;
}

/* ------------------------------------------------------------------------ bench */

struct bench {
	struct zpool pool;
	struct lzo_page_work work;
	uint8_t page[LZO_PAGE_SIZE] __attribute__((aligned(8)));
	uint8_t back[LZO_PAGE_SIZE] __attribute__((aligned(8)));
	uint8_t comp[LZO_PAGE_OUT_MAX];
	size_t comp_len;
	zpool_handle_t h;
	int err;
};

enum bench_op {
	BARE_COMPRESS,
	CODEC_COMPRESS,
	POOL_STORE,
	BARE_DECOMPRESS,
	CODEC_DECOMPRESS,
	POOL_LOAD,
};

static void bench_once(struct bench *b, enum bench_op op)
{
	lzo_uint n = sizeof(b->comp);
	size_t len;

	switch (op) {
	case BARE_COMPRESS:
		b->err = lzo1x_1_compress(b->page, LZO_PAGE_SIZE, b->comp, &n, b->work.wrkmem);
		b->comp_len = n;
		break;
	case CODEC_COMPRESS:
		b->err = lzo_page_compress(&b->work, b->page, &len);
		break;
	case POOL_STORE:
		b->err = zpool_store(&b->pool, &b->work, b->page, &b->h);
		break;
	case BARE_DECOMPRESS:
		n = LZO_PAGE_SIZE;
		b->err = lzo1x_decompress_safe(b->comp, b->comp_len, b->back, &n, NULL);
		break;
	case CODEC_DECOMPRESS:
		b->err = lzo_page_decompress(b->comp, b->comp_len, b->back);
		break;
	case POOL_LOAD:
		b->err = zpool_load(&b->pool, b->h, b->back);
		break;
	}
}

/* The fewest instructions of BENCH_SAMPLES runs on one CPU: an interrupt or a move to another
 * CPU only ever adds to a sample (a moved sample is dropped). */
static uint64_t bench_op(struct bench *b, enum bench_op op)
{
	uint64_t best = UINT64_MAX;

	for (unsigned i = 0; i < BENCH_SAMPLES; i++) {
		unsigned cpu = cpu_id();
		uint64_t t0, t1;

		isb();
		t0 = read_sysreg(pmccntr_el0);
		isb();
		bench_once(b, op);
		isb();
		t1 = read_sysreg(pmccntr_el0);
		if (cpu == cpu_id() && t1 - t0 < best)
			best = t1 - t0;
		if (op == POOL_STORE && !b->err && b->h)
			zpool_free(&b->pool, b->h);
	}
	return best;
}

static void bench_page(struct bench *b, const char *name)
{
	uint64_t bare = bench_op(b, BARE_COMPRESS), codec = bench_op(b, CODEC_COMPRESS);
	uint64_t pool = bench_op(b, POOL_STORE);
	bool stored;

	shell_print("ZPOOL-BENCH compress_%s bare %llu codec %llu pool %llu len %zu", name,
		    (unsigned long long)bare, (unsigned long long)codec, (unsigned long long)pool,
		    b->comp_len);
	/* Decompression of the same bytes; through the pool only when it keeps the page (a zero
	 * page's handle is the pool's whole path for it: zeroing the page). */
	b->h = 0;
	stored = !zpool_store(&b->pool, &b->work, b->page, &b->h);
	bare = bench_op(b, BARE_DECOMPRESS);
	codec = bench_op(b, CODEC_DECOMPRESS);
	pool = stored ? bench_op(b, POOL_LOAD) : 0;
	if (b->err || memcmp(b->page, b->back, LZO_PAGE_SIZE))
		shell_print("ZPOOL-BENCH decompress_%s FAILED", name);
	else if (stored)
		shell_print("ZPOOL-BENCH decompress_%s bare %llu codec %llu pool %llu", name,
			    (unsigned long long)bare, (unsigned long long)codec,
			    (unsigned long long)pool);
	else
		shell_print("ZPOOL-BENCH decompress_%s bare %llu codec %llu pool -", name,
			    (unsigned long long)bare, (unsigned long long)codec);
	if (stored)
		zpool_free(&b->pool, b->h);
}

static int cmd_bench(int argc, char **argv)
{
	struct bench *b = k_calloc(1, sizeof(*b));
	void *area = page_alloc_bytes(64 << 10);
	uint64_t pmcr = read_sysreg(pmcr_el0), filt = read_sysreg(pmccfiltr_el0);
	uint64_t en = read_sysreg(pmcntenset_el0);

	(void)argc;
	(void)argv;
	if (!b || !area || zpool_init(&b->pool, area, 64 << 10)) {
		page_free(area);
		k_free(b);
		return -ENOMEM;
	}
	write_sysreg(pmccfiltr_el0, PMCCFILTR_NSH); /* EL0, EL1 and EL2 */
	write_sysreg(pmcntenset_el0, PMCNTEN_CYCLES);
	write_sysreg(pmcr_el0, pmcr | PMCR_E);
	isb();
	memset(b->page, 0, LZO_PAGE_SIZE);
	bench_page(b, "zero");
	zpool_page_text(b->page, 1);
	bench_page(b, "text");
	zpool_page_random(b->page, 1);
	bench_page(b, "random");
	write_sysreg(pmcr_el0, pmcr);
	write_sysreg(pmccfiltr_el0, filt);
	if (!(en & PMCNTEN_CYCLES))
		write_sysreg(pmcntenclr_el0, PMCNTEN_CYCLES);
	isb();
	page_free(area);
	k_free(b);
	return 0;
}

static const struct shell_cmd zpool_subcmds[] = {
    SHELL_SUBCMD(check, "", "check the host pool's structures", cmd_check),
    SHELL_SUBCMD(selftest, "", "store, load and free pages in a private pool", cmd_selftest),
    SHELL_SUBCMD(bench, "", "instructions per page: liblzo2, the codec and the pool", cmd_bench),
    SHELL_SUBCMD(watermark, "[MB]",
		 "low watermark of free host memory for the cold-page scanner (0: off)",
		 cmd_zpool_watermark),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(zpool, "compression pool (usage: kernel mem)", zpool_subcmds);
