/* mem: guest memory in patterns, for dynamic RAM (`zvm new --mem dynamic`): every first touch
 * of a page is a stage-2 fault the host cures on the vCPU thread. The window used starts 16 MiB
 * into RAM (above the image): zvmmemmb= MiB of patterns (default 8), then 4 MiB for code and a
 * stage-1 table (the VM needs 16 + that + 12 MiB, below the DT at the top), touched only by this
 * set, so the host sees resident memory grow by what the cases touch. */
#include "zt.h"

#define WIN_OFF	 (16ULL << 20)
#define PAGE	 4096ULL
#define PATTERN	 (WIN_OFF)				  /* pattern_bytes: pattern cases */
#define CODE	 (PATTERN + pattern_bytes)		  /* one page: code */
#define S1_TABLE (PATTERN + pattern_bytes + (1ULL << 20)) /* a stage-1 level-2 table */
#define S1_DATA	 (PATTERN + pattern_bytes + (2ULL << 20)) /* 2 MiB through that table */

static uint64_t pattern_bytes = 8ULL << 20; /* a multiple of 2 MiB */

static uint64_t win(uint64_t off)
{
	return zt_plat.ram_base + off;
}

/* A value no other word of the window has, changed by the seed. */
static uint64_t pattern(uint64_t addr, uint64_t seed)
{
	uint64_t x = addr * 0x9e3779b97f4a7c15ULL ^ seed;

	return x ^ (x >> 29);
}

static void fill_page(uint64_t pa, uint64_t seed)
{
	for (uint64_t a = pa; a < pa + PAGE; a += 8)
		*(volatile uint64_t *)a = pattern(a, seed);
}

/* First bad word of the page, or 0. */
static uint64_t check_page(uint64_t pa, uint64_t seed)
{
	for (uint64_t a = pa; a < pa + PAGE; a += 8)
		if (*(volatile uint64_t *)a != pattern(a, seed))
			return a;
	return 0;
}

static uint64_t check_zero(uint64_t pa)
{
	for (uint64_t a = pa; a < pa + PAGE; a += 8)
		if (*(volatile uint64_t *)a)
			return a;
	return 0;
}

/* Every other page of the first half is written; then all of them are read: the written ones
 * hold their pattern, the others read as zero (never touched). Then the gaps are written and
 * the whole half checked again. */
static int c_pattern_sparse(void)
{
	uint64_t base = win(PATTERN), bad;
	const unsigned pages = pattern_bytes / 2 / PAGE;

	CHECK(zt_plat.ram_size >= S1_DATA + (4ULL << 20), "needs %lu MiB of RAM, has %lu",
	      (unsigned long)((S1_DATA >> 20) + 4), (unsigned long)zt_plat.ram_size);
	for (unsigned i = 0; i < pages; i += 2)
		fill_page(base + i * PAGE, 1);
	for (unsigned i = 0; i < pages; i++) {
		bad = i % 2 ? check_zero(base + i * PAGE) : check_page(base + i * PAGE, 1);
		CHECK(!bad, "word at 0x%lx wrong after the sparse fill", (unsigned long)bad);
	}
	for (unsigned i = 1; i < pages; i += 2)
		fill_page(base + i * PAGE, 1);
	for (unsigned i = 0; i < pages; i++) {
		bad = check_page(base + i * PAGE, 1);
		CHECK(!bad, "word at 0x%lx wrong after the full fill", (unsigned long)bad);
	}
	return 0;
}

static void fill_interleaved(uint64_t first)
{
	uint64_t base = win(PATTERN + pattern_bytes / 2);

	for (unsigned i = (unsigned)first; i < pattern_bytes / 2 / PAGE; i += 2)
		fill_page(base + i * PAGE, 2);
}

/* Both vCPUs fault in pages of the same 2 MiB blocks at once: vCPU 1 the odd pages, vCPU 0 the
 * even ones, of the second half. */
static int c_pattern_two_vcpus(void)
{
	uint64_t base = win(PATTERN + pattern_bytes / 2), bad;

	CHECK(zt_plat.nr_cpus >= 2 && !zt_ensure_online(1), "vCPU 1 is not online");
	CHECK(zt_cpu_post(1, fill_interleaved, 1), "vCPU 1 took no work");
	fill_interleaved(0);
	CHECK(zt_cpu_wait_done(1, 60000), "vCPU 1 did not finish its pages");
	for (unsigned i = 0; i < pattern_bytes / 2 / PAGE; i++) {
		bad = check_page(base + i * PAGE, 2);
		CHECK(!bad, "word at 0x%lx wrong (written by vCPU %u)", (unsigned long)bad, i % 2);
	}
	return 0;
}

/* Code written into a page never touched before, then executed: `mov x0, #0x1234; ret`. */
static int c_exec_fresh_page(void)
{
	volatile uint32_t *code = (volatile uint32_t *)win(CODE);
	uint64_t (*fn)(void) = (uint64_t(*)(void))(uintptr_t)code;

	code[0] = 0xd2824680; /* movz x0, #0x1234 */
	code[1] = 0xd65f03c0; /* ret */
	__asm__ volatile("dc cvau, %0\n\tdsb ish\n\tic ivau, %0\n\tdsb ish\n\tisb" ::"r"(code)
			 : "memory");
	uint64_t got = fn();

	CHECK(got == 0x1234, "the code in the fresh page returned 0x%lx", (unsigned long)got);
	return 0;
}

#define SCTLR_M	     (1ULL << 0)
#define SCTLR_C	     (1ULL << 2)
#define SCTLR_I	     (1ULL << 12)
#define PTE_BLK_DEV  (1ULL | (1ULL << 10))
#define PTE_BLK_NORM (1ULL | (1ULL << 2) | (3ULL << 8) | (1ULL << 10))
#define MAIR_VAL     0xff00ULL
#define TCR_VAL	     (25ULL | (1ULL << 8) | (1ULL << 10) | (3ULL << 12) | (1ULL << 23) | (2ULL << 32))
#define S1_VA	     0x100000000ULL /* level-1 entry 4: our level-2 table */

static uint64_t mem_l1[512] __attribute__((aligned(4096)));

/* A stage-1 level-2 table in a fresh page maps VA 4 GiB onto 2 MiB of fresh RAM; with the MMU
 * on, a store and a load through it (the data's first touch comes through the guest's own
 * translation), then the same words read by physical address with the MMU off. */
static int c_stage1_table_in_fresh_page(void)
{
	volatile uint64_t *l2 = (volatile uint64_t *)win(S1_TABLE);
	uint64_t sctlr = zt_read_sysreg(sctlr_el1), data = win(S1_DATA);
	uint64_t got = 0, got2 = 0;

	CHECK(!(sctlr & SCTLR_M), "the MMU is already on");
	for (unsigned i = 0; i < 512; i++)
		mem_l1[i] = 0;
	mem_l1[0] = PTE_BLK_DEV;
	for (uint64_t a = zt_plat.ram_base & ~((1ULL << 30) - 1);
	     a < zt_plat.ram_base + zt_plat.ram_size; a += 1ULL << 30)
		mem_l1[a >> 30] = a | PTE_BLK_NORM;
	mem_l1[S1_VA >> 30] = win(S1_TABLE) | 3;
	for (unsigned i = 0; i < 512; i++)
		l2[i] = 0;
	l2[0] = data | PTE_BLK_NORM;
	for (uintptr_t a = (uintptr_t)mem_l1; a < (uintptr_t)(mem_l1 + 512); a += 16)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	for (uintptr_t a = (uintptr_t)l2; a < (uintptr_t)(l2 + 512); a += 16)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	zt_dsb();
	zt_write_sysreg(MAIR_VAL, mair_el1);
	zt_write_sysreg(TCR_VAL, tcr_el1);
	zt_write_sysreg((uint64_t)(uintptr_t)mem_l1, ttbr0_el1);
	zt_isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	zt_write_sysreg(sctlr | SCTLR_M | SCTLR_C | SCTLR_I, sctlr_el1);
	zt_isb();
	*(volatile uint64_t *)(S1_VA + 0x1008) = 0xfeedf00d12345678ULL;
	got = *(volatile uint64_t *)(S1_VA + 0x1008);
	got2 = *(volatile uint64_t *)(S1_VA + 0x1ff000); /* never written: zero */
	for (uintptr_t a = S1_VA; a < S1_VA + 0x2000; a += 16)
		__asm__ volatile("dc civac, %0" ::"r"(a) : "memory");
	zt_dsb();
	zt_write_sysreg(sctlr, sctlr_el1);
	zt_isb();
	zt_write_sysreg(0, ttbr0_el1);
	zt_isb();
	CHECK(got == 0xfeedf00d12345678ULL, "read 0x%lx back through the table",
	      (unsigned long)got);
	CHECK(!got2, "an untouched word through the table read 0x%lx", (unsigned long)got2);
	got = *(volatile uint64_t *)(data + 0x1008);
	CHECK(got == 0xfeedf00d12345678ULL, "read 0x%lx by physical address", (unsigned long)got);
	return 0;
}

static void run_mem(void)
{
	char buf[16];

	if (zt_bootarg("zvmmemmb", buf, sizeof(buf)))
		pattern_bytes = (zt_strtoull(buf, NULL) & ~1ULL) << 20;
	if (!pattern_bytes)
		pattern_bytes = 2ULL << 20;
	zt_case("mem_pattern_sparse", c_pattern_sparse);
	zt_case("mem_pattern_two_vcpus", c_pattern_two_vcpus);
	zt_case("mem_exec_fresh_page", c_exec_fresh_page);
	zt_case("mem_stage1_table_in_fresh_page", c_stage1_table_in_fresh_page);
}
ZT_SET(mem, 2, run_mem,
       "memory in patterns: sparse, two vCPUs, code and a stage-1 table in fresh pages");
