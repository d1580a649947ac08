/* Stage-2 page tables: 4 KiB granule, walk starting at level 1 (with up to 16 concatenated
 * first-level tables, so 32..43-bit IPA spaces need no level 0), 2 MiB blocks where aligned. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>
#include <zvm/stage2.h>

#define PAGE_SHIFT 12
#define PAGE_SZ	   (1ULL << PAGE_SHIFT)
#define ENTRIES	   512
#define BLOCK_2M   (1ULL << 21)

#define S2_VALID      (1ULL << 0)
#define S2_TABLE      (1ULL << 1) /* next-level table, or a page at level 3 */
#define S2_MEMATTR_WB (0xfULL << 2)
#define S2AP_RO	      (1ULL << 6)
#define S2AP_RW	      (3ULL << 6)
#define S2_SH_IS      (3ULL << 8)
#define S2_AF	      (1ULL << 10)
#define S2_ADDR	      0x0000fffffffff000ULL

#define VTCR_RES1	 (1ULL << 31)
#define VTCR_SL0_L1	 (1ULL << 6)
#define VTCR_CACHE	 ((1ULL << 8) | (1ULL << 10) | (3ULL << 12)) /* WBWA, inner shareable */
#define VTTBR_VMID_SHIFT 48

static unsigned ipa_bits;
static uint64_t vtcr;
static unsigned root_pages;
static struct k_spinlock vmid_lock;
static uint8_t vmid_used[256 / 8]; /* 8-bit VMIDs; 0 is never given to a guest */

static const unsigned pa_range_bits[] = {32, 36, 40, 42, 44, 48, 52};

void stage2_init_global(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	if (parange > 5)
		parange = 5; /* 52-bit PAs need the LPA formats; we stay at 48 */
	ipa_bits = pa_range_bits[parange] < 40 ? pa_range_bits[parange] : 40;
	root_pages = ipa_bits > 39 ? 1u << (ipa_bits - 39) : 1;
	vtcr = VTCR_RES1 | (64 - ipa_bits) | VTCR_SL0_L1 | VTCR_CACHE | (parange << 16);
}

uint64_t stage2_vtcr(void)
{
	return vtcr;
}

unsigned stage2_ipa_bits(void)
{
	return ipa_bits;
}

static int vmid_alloc(void)
{
	k_spinlock_key_t key = k_spin_lock(&vmid_lock);
	int vmid = -ENOSPC;

	for (unsigned i = 1; i < 256; i++)
		if (!(vmid_used[i / 8] & (1u << (i % 8)))) {
			vmid_used[i / 8] |= 1u << (i % 8);
			vmid = i;
			break;
		}
	k_spin_unlock(&vmid_lock, key);
	return vmid;
}

static void vmid_free(unsigned vmid)
{
	k_spinlock_key_t key = k_spin_lock(&vmid_lock);

	vmid_used[vmid / 8] &= ~(1u << (vmid % 8));
	k_spin_unlock(&vmid_lock, key);
}

static uint64_t *table_alloc(struct stage2 *s2)
{
	uint64_t *t = page_alloc(0);

	if (t) {
		memset(t, 0, PAGE_SZ);
		s2->nr_tables++;
	}
	return t;
}

int stage2_create(struct stage2 *s2)
{
	unsigned order = root_pages > 1 ? __builtin_ctz(root_pages) : 0;
	int vmid = vmid_alloc();

	memset(s2, 0, sizeof(*s2));
	if (vmid < 0)
		return vmid;
	s2->root = page_alloc(order); /* naturally aligned, as concatenated tables must be */
	if (!s2->root) {
		vmid_free(vmid);
		return -ENOMEM;
	}
	memset(s2->root, 0, root_pages * PAGE_SZ);
	s2->nr_tables = root_pages;
	s2->vmid = vmid;
	s2->vttbr = (uint64_t)s2->root | ((uint64_t)vmid << VTTBR_VMID_SHIFT);
	return 0;
}

static unsigned shift_of(int level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

/* Index into the (possibly concatenated) table of a level. */
static uint64_t *entry_of(uint64_t *table, int level, uint64_t ipa)
{
	uint64_t idx = ipa >> shift_of(level);

	return &table[level == 1 ? idx & (root_pages * ENTRIES - 1) : idx & (ENTRIES - 1)];
}

static uint64_t leaf_attrs(enum s2_prot prot)
{
	return S2_VALID | S2_AF | S2_SH_IS | S2_MEMATTR_WB |
	       (prot == S2_RAM_RO ? S2AP_RO : S2AP_RW);
}

static int map_one(struct stage2 *s2, uint64_t ipa, uint64_t pa, int level, uint64_t attrs)
{
	uint64_t *table = s2->root;

	for (int l = 1; l < level; l++) {
		uint64_t *e = entry_of(table, l, ipa);

		if (!(*e & S2_VALID)) {
			uint64_t *next = table_alloc(s2);

			if (!next)
				return -ENOMEM;
			dsb(ishst);
			*e = (uint64_t)next | S2_TABLE | S2_VALID;
		} else if (!(*e & S2_TABLE)) {
			return -EEXIST;
		}
		table = (uint64_t *)(*e & S2_ADDR);
	}
	uint64_t *e = entry_of(table, level, ipa);

	if (*e & S2_VALID)
		return -EEXIST;
	*e = pa | attrs | (level == 3 ? S2_TABLE : 0);
	return 0;
}

int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, size_t size, enum s2_prot prot)
{
	uint64_t attrs = leaf_attrs(prot);
	uint64_t end = ipa + size;

	if ((ipa | pa | size) & (PAGE_SZ - 1) || end > (1ULL << ipa_bits) || end < ipa)
		return -EINVAL;
	while (ipa < end) {
		bool block = !((ipa | pa) & (BLOCK_2M - 1)) && end - ipa >= BLOCK_2M;
		int err = map_one(s2, ipa, pa, block ? 2 : 3, attrs);

		if (err)
			return err;
		ipa += block ? BLOCK_2M : PAGE_SZ;
		pa += block ? BLOCK_2M : PAGE_SZ;
	}
	dsb(ishst);
	return 0;
}

/* TLB maintenance by IPA applies to the VMID in VTTBR_EL2, so borrow it. */
static void tlb_flush_vmid(const struct stage2 *s2)
{
	uint64_t flags = arch_irq_save();
	uint64_t saved = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, s2->vttbr);
	isb();
	__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
	write_sysreg(vttbr_el2, saved);
	isb();
	arch_irq_restore(flags);
}

void stage2_unmap(struct stage2 *s2, uint64_t ipa, size_t size)
{
	uint64_t end = ipa + size;

	while (ipa < end) {
		uint64_t *table = s2->root, *e = NULL;
		int level;

		for (level = 1; level <= 3; level++) {
			e = entry_of(table, level, ipa);
			if (!(*e & S2_VALID) || level == 3 || !(*e & S2_TABLE))
				break;
			table = (uint64_t *)(*e & S2_ADDR);
		}
		if (level > 3)
			level = 3;
		uint64_t step = 1ULL << shift_of(level);

		if (*e & S2_VALID)
			*e = 0; /* a block is dropped whole: callers unmap what they mapped */
		ipa = (ipa & ~(step - 1)) + step;
	}
	tlb_flush_vmid(s2);
}

uint64_t stage2_translate(const struct stage2 *s2, uint64_t ipa)
{
	uint64_t *table = s2->root;

	for (int level = 1; level <= 3; level++) {
		uint64_t e = *entry_of(table, level, ipa);
		uint64_t mask = (1ULL << shift_of(level)) - 1;

		if (!(e & S2_VALID))
			return (uint64_t)-1;
		if (level == 3 || !(e & S2_TABLE))
			return (e & S2_ADDR & ~mask) | (ipa & mask);
		table = (uint64_t *)(e & S2_ADDR);
	}
	return (uint64_t)-1;
}

static void free_tables(struct stage2 *s2, uint64_t *table, int level, unsigned entries)
{
	for (unsigned i = 0; level < 3 && i < entries; i++)
		if ((table[i] & (S2_VALID | S2_TABLE)) == (S2_VALID | S2_TABLE)) {
			uint64_t *next = (uint64_t *)(table[i] & S2_ADDR);

			free_tables(s2, next, level + 1, ENTRIES);
			page_free(next);
			s2->nr_tables--;
		}
}

void stage2_destroy(struct stage2 *s2)
{
	if (!s2->root)
		return;
	tlb_flush_vmid(s2);
	free_tables(s2, s2->root, 1, root_pages * ENTRIES);
	page_free(s2->root);
	s2->nr_tables -= root_pages;
	BUG_ON(s2->nr_tables != 0);
	vmid_free(s2->vmid);
	s2->root = NULL;
}
