/* hostile_pt: the guest's own stage-1 tables pointing anywhere, and execution from devices.
 *
 * Each round (boot vCPU; `zvmsecs` in all) builds random tables: TTBR0's level-1 table maps the
 * first GiB (devices) and the RAM GiB(s) by identity, so the code, stack and vectors keep
 * working; every other entry is random: a block at a random output address (unmapped, a
 * device, beyond PARange; never RAM, which the stores would corrupt), a table descriptor at a
 * random IPA (unmapped, the GIC, the UART, beyond PARange) or at a level-2 table in RAM full
 * of random entries (blocks, tables at random IPAs, reserved encodings). TTBR1 points at a
 * random IPA itself (EPD1 = 0), so any upper-half access walks from nowhere. With the MMU on
 * (data cache off: no coherency to keep), random loads, stores and branches go to random VAs
 * in both halves; every fault is caught. Then, MMU off, branches into the GICD, the UART,
 * random unmapped IPAs and past PARange (prefetch aborts, resumed at the link address).
 * Pass: the guest gets to the end and RAM-mapped memory still reads right. */
#include "t_hostile.h"

#define PTE_VALID      1ULL
#define PTE_TABLE      3ULL
#define PTE_AF	       (1ULL << 10)
#define PTE_BLOCK_DEV  (PTE_VALID | PTE_AF)				/* AttrIndx 0 */
#define PTE_BLOCK_NORM (PTE_VALID | (1ULL << 2) | (3ULL << 8) | PTE_AF) /* AttrIndx 1 */
#define MAIR_VALUE     0xff00ULL
/* T0SZ = T1SZ = 25 (39-bit VAs, walks from level 1), 4 KiB granules, walks non-cacheable, IPS
 * 40 bits; TG1 = 4 KiB (2 << 30). */
#define TCR_VALUE     (25ULL | (25ULL << 16) | (2ULL << 30) | (2ULL << 32))
#define UPPER_VA(off) (0xffffff8000000000ULL | (off))
#define VA_SPACE      (1ULL << 39)

static uint64_t l1[512] __attribute__((aligned(4096)));
static uint64_t l2[4][512] __attribute__((aligned(4096)));
static volatile uint64_t canary[8];

static bool is_ram_gib(unsigned i)
{
	uint64_t a = (uint64_t)i << 30;
	return hostile_overlaps_ram(a, 1ULL << 30);
}

/* An output address that is not RAM: anywhere below 2^48, or just past PARange. */
static uint64_t random_oa(uint64_t *s, unsigned pa_bits, uint64_t align)
{
	uint64_t a;
	do {
		switch (hrand_below(s, 4)) {
		case 0:
			a = zt_plat.gicd;
			break;
		case 1:
			a = zt_plat.uart;
			break;
		case 2:
			a = (1ULL << pa_bits) + hrand_below(s, 1ULL << 32);
			break;
		default:
			a = hrand(s) & ((1ULL << 48) - 1);
		}
		a &= ~(align - 1);
	} while (hostile_overlaps_ram(a, align));
	return a;
}

static uint64_t random_attrs(uint64_t *s)
{
	/* AttrIndx, NS, AP, SH, AF, nG, and the upper attributes (XN, PXN, contiguous...). */
	return (hrand(s) & 0xffcULL) | (hrand(s) & (0x1ffULL << 52));
}

static uint64_t random_entry(uint64_t *s, unsigned pa_bits, unsigned level, unsigned l2_next)
{
	switch (hrand_below(s, 6)) {
	case 0:
		return 0; /* invalid */
	case 1: /* invalid, with random bits in the fields the walk ignores (a random valid
		 * one could map RAM) */
		return hrand(s) & ~PTE_VALID;
	case 2: /* a table anywhere but RAM */
		return random_oa(s, pa_bits, 4096) | PTE_TABLE;
	case 3: /* a table in RAM (random entries) */
		if (level == 1)
			return (uint64_t)(uintptr_t)l2[l2_next % 4] | PTE_TABLE;
		return random_oa(s, pa_bits, 4096) | PTE_TABLE;
	default: /* a block */
		return random_oa(s, pa_bits, level == 1 ? 1ULL << 30 : 1ULL << 21) |
		       random_attrs(s) | PTE_VALID;
	}
}

static void build_tables(uint64_t *s, unsigned pa_bits)
{
	for (unsigned j = 0; j < 4; j++)
		for (unsigned i = 0; i < 512; i++)
			l2[j][i] = random_entry(s, pa_bits, 2, 0);
	for (unsigned i = 0; i < 512; i++)
		l1[i] = random_entry(s, pa_bits, 1, i);
	l1[0] = PTE_BLOCK_DEV; /* the devices' GiB, by identity */
	for (unsigned i = 0; i < 512; i++)
		if (is_ram_gib(i))
			l1[i] = ((uint64_t)i << 30) | PTE_BLOCK_NORM;
	zt_dsb();
}

/* A VA to touch: in a random lower GiB that is not identity-mapped, or the upper half. */
static uint64_t random_va(uint64_t *s)
{
	uint64_t off = hrand_below(s, VA_SPACE);
	if (hrand_below(s, 4) == 0)
		return UPPER_VA(off);
	unsigned i = (unsigned)(off >> 30);
	if (i == 0 || is_ram_gib(i))
		return UPPER_VA(off);
	return off;
}

/* One access at va; *seen follows this vCPU's fixup count (zt_exc_arm() resets it). */
static void touch(uint64_t *s, uint64_t va, struct hostile_tally *t, unsigned *seen)
{
	uint64_t v = hrand(s);
	switch (hrand_below(s, 4)) {
	case 0:
	case 1:
		__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(va) : "memory");
		break;
	case 2:
		__asm__ volatile("str %0, [%1]" : : "r"(v), "r"(va) : "memory");
		break;
	default: /* execute there: the abort resumes at the link address */
		hostile_account(t, seen);
		zt_exc_arm(ZT_RESUME_LR, 0);
		*seen = 0;
		__asm__ volatile("blr %0" : : "r"(va) : "x30", "memory");
		hostile_account(t, seen);
		zt_exc_arm(ZT_RESUME_NEXT, 0);
		*seen = 0;
		t->extra[1] = t->extra[1] + 1;
	}
	t->ops = t->ops + 1;
}

static void mmu_on(void)
{
	zt_write_sysreg(MAIR_VALUE, mair_el1);
	zt_write_sysreg(TCR_VALUE, tcr_el1);
	zt_write_sysreg((uint64_t)(uintptr_t)l1, ttbr0_el1);
	zt_isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
	/* M only: data accesses and walks stay non-cacheable, nothing to clean afterwards. */
	zt_write_sysreg(zt_read_sysreg(sctlr_el1) | SCTLR_M, sctlr_el1);
	zt_isb();
}

static void mmu_off(void)
{
	zt_write_sysreg(zt_read_sysreg(sctlr_el1) & ~SCTLR_M, sctlr_el1);
	zt_isb();
	zt_write_sysreg(0, ttbr0_el1);
	zt_write_sysreg(0, ttbr1_el1);
	zt_write_sysreg(0, tcr_el1);
	zt_isb();
	__asm__ volatile("tlbi vmalle1\n\tdsb nsh\n\tisb" ::: "memory");
}

static int c_tables(void)
{
	struct hostile_tally *t = &hostile_tally[0];
	uint64_t s = hostile_seed(4, 0), end = zt_now() + zt_ms(500ULL * hostile_secs());
	unsigned pa = hostile_pa_bits();

	memset((void *)t, 0, sizeof(*t));
	zt_note("hostile_pt: %u s (half for tables, half for execution), seed %lu", hostile_secs(),
		(unsigned long)zt_plat.seed);
	CHECK(!(zt_read_sysreg(sctlr_el1) & SCTLR_M), "the MMU is already on");
	for (unsigned i = 0; i < 8; i++)
		canary[i] = 0xca11ab1e00000000ULL + i;
	zt_irq_off();
	while (zt_now() < end) {
		build_tables(&s, pa);
		zt_write_sysreg(random_oa(&s, pa, 4096), ttbr1_el1);
		unsigned seen = 0;
		zt_exc_arm(ZT_RESUME_NEXT, 0);
		mmu_on();
		for (unsigned k = 0; k < 256; k++) {
			touch(&s, random_va(&s), t, &seen);
			hostile_account(t, &seen);
		}
		mmu_off();
		struct zt_exc e = zt_exc_disarm();
		ZT_UNUSED(e);
		t->extra[0] = t->extra[0] + 1;
	}
	for (unsigned i = 0; i < 8; i++)
		CHECK(canary[i] == 0xca11ab1e00000000ULL + i, "RAM changed: word %u = 0x%lx", i,
		      (unsigned long)canary[i]);
	return 0;
}

/* Branch targets with the MMU off: the GIC distributor and redistributors, the UART, random
 * unmapped IPAs, past PARange. Every one must come back as an exception (none of them holds
 * code): a branch that returned normally means something executed. */
static int c_exec(void)
{
	struct hostile_tally *t = &hostile_tally[0];
	uint64_t s = hostile_seed(5, 0), end = zt_now() + zt_ms(500ULL * hostile_secs());
	unsigned pa = hostile_pa_bits();
	uint64_t ran = 0, ran_at = 0;

	while (zt_now() < end) {
		uint64_t a;
		switch (hrand_below(&s, 4)) {
		case 0:
			a = zt_plat.gicd + (hrand_below(&s, 0x10000) & ~3ULL);
			break;
		case 1:
			a = zt_plat.uart + (hrand_below(&s, 0x1000) & ~3ULL);
			break;
		case 2:
			a = (zt_gic_v2() ? zt_plat.gicc : zt_plat.gicr) +
			    (hrand_below(&s, 0x20000) & ~3ULL);
			break;
		default:
			a = random_oa(&s, pa, 4);
		}
		zt_exc_arm(ZT_RESUME_LR, 0);
		__asm__ volatile("blr %0" : : "r"(a) : "x30", "memory");
		struct zt_exc e = zt_exc_disarm();
		t->ops = t->ops + 1;
		if (e.count) {
			t->faults = t->faults + 1;
			t->ec[ESR_EC(e.esr)] = t->ec[ESR_EC(e.esr)] + 1;
		} else if (!ran++) {
			ran_at = a;
		}
	}
	const char *names[4] = {"table-rounds", "branches", NULL, NULL};
	hostile_report("hostile_pt", names, 1);
	CHECK(!ran, "%lu branches returned without an exception, the first to 0x%lx",
	      (unsigned long)ran, (unsigned long)ran_at);
	return 0;
}

static void run_hostile_pt(void)
{
	zt_case("hostile_pt_tables", c_tables);
	zt_case("hostile_exec_device", c_exec);
}
ZT_SET(hostile_pt, 1, run_hostile_pt,
       "stage-1 tables pointing anywhere, and branches into devices and unmapped IPAs");
