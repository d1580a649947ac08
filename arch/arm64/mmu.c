/* The kernel's stage-1 translation (EL2, or EL1&0 for the RTOS image): 4 KiB granule, 48-bit
 * VA, identity map. Tables come from a static pool, so mapping never depends on an allocator.
 * The level-specific descriptor bits and TCR come from include/arch/el.h. */
#include <arch/boot.h>
#include <arch/el.h>
#include <arch/mmu.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <string.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ULL << PAGE_SHIFT)
#define ENTRIES	   512
#define POOL_PAGES 64
#define LEVELS	   4 /* L0..L3 with a 48-bit VA */

#define DESC_VALID   (1ULL << 0)
#define DESC_TABLE   (1ULL << 1) /* at L0-L2: next-level table; at L3: a page */
#define DESC_ATTR(i) ((uint64_t)(i) << 2)
#define DESC_AP_RO   (1ULL << 7)
#define DESC_SH_IS   (3ULL << 8)
#define DESC_AF	     (1ULL << 10)
#define DESC_ADDR    0x0000fffffffff000ULL

/* MAIR_ELx slots. */
#define MAIR_DEVICE_nGnRE 0
#define MAIR_NORMAL_WB	  1
#define MAIR_VALUE	  ((0x04ULL << (8 * MAIR_DEVICE_nGnRE)) | (0xffULL << (8 * MAIR_NORMAL_WB)))

static uint64_t table_pool[POOL_PAGES][ENTRIES] __attribute__((aligned(PAGE_SIZE)));
static unsigned pool_used;
static uint64_t *root;
/* Run-time changes (mmu_map_pages, mmu_unmap_pages) from several CPUs: the pool and the tables
 * they share. Boot-time mapping runs on one CPU before the others start. */
static struct k_spinlock runtime_lock;

struct mmu_boot_params mmu_boot_params;

static uint64_t *new_table(void)
{
	if (pool_used == POOL_PAGES)
		return NULL;
	return table_pool[pool_used++]; /* .bss: already zero */
}

static uint64_t leaf_attrs(enum mmu_prot prot)
{
	uint64_t d = DESC_AF | EL_DESC_AP_KERNEL;

	if (prot == MMU_DEVICE)
		return d | DESC_ATTR(MAIR_DEVICE_nGnRE) | EL_DESC_XN_DATA;
	d |= DESC_ATTR(MAIR_NORMAL_WB) | DESC_SH_IS;
	switch (prot) {
	case MMU_RAM_RX:
		return d | DESC_AP_RO | EL_DESC_XN_CODE;
	case MMU_RAM_RO:
		return d | DESC_AP_RO | EL_DESC_XN_DATA;
	default:
		return d | EL_DESC_XN_DATA;
	}
}

static unsigned level_shift(int level)
{
	return PAGE_SHIFT + 9 * (3 - level);
}

/* Maps va to pa at level (a block, or a page at level 3), making tables on the way. */
static int map_one(uint64_t va, uint64_t pa, int level, uint64_t attrs)
{
	uint64_t *table = root;

	for (int l = 0; l < level; l++) {
		uint64_t *e = &table[(va >> level_shift(l)) & (ENTRIES - 1)];

		if (!(*e & DESC_VALID)) {
			uint64_t *next = new_table();

			if (!next)
				return -ENOMEM;
			*e = (uint64_t)next | DESC_TABLE | DESC_VALID;
		} else if (!(*e & DESC_TABLE)) {
			return -EEXIST; /* a block covers it already */
		}
		table = (uint64_t *)(*e & DESC_ADDR);
	}
	uint64_t *e = &table[(va >> level_shift(level)) & (ENTRIES - 1)];
	uint64_t desc = pa | attrs | DESC_VALID | (level == 3 ? DESC_TABLE : 0);

	if (*e & DESC_VALID)
		return *e == desc ? 0 : -EEXIST;
	*e = desc;
	return 0;
}

/* The level-3 entry mapping va, or NULL when no table reaches that far. */
static uint64_t *page_entry(uint64_t va)
{
	uint64_t *table = root;

	for (int l = 0; l < 3; l++) {
		uint64_t e = table[(va >> level_shift(l)) & (ENTRIES - 1)];

		if ((e & (DESC_VALID | DESC_TABLE)) != (DESC_VALID | DESC_TABLE))
			return NULL;
		table = (uint64_t *)(e & DESC_ADDR);
	}
	return &table[(va >> PAGE_SHIFT) & (ENTRIES - 1)];
}

int mmu_map(uint64_t pa, size_t size, enum mmu_prot prot)
{
	uint64_t attrs = leaf_attrs(prot);
	uint64_t end = (pa + size + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	pa &= ~(PAGE_SIZE - 1);
	while (pa < end) {
		int level = 1; /* 1 GiB blocks at most */

		while (level < 3 && ((pa & ((1ULL << level_shift(level)) - 1)) ||
				     end - pa < (1ULL << level_shift(level))))
			level++;
		int err = map_one(pa, pa, level, attrs);

		if (err)
			return err;
		pa += 1ULL << level_shift(level);
	}
	dsb(ishst);
	isb();
	return 0;
}

void mmu_unmap_pages(uint64_t va, size_t size)
{
	k_spinlock_key_t key = k_spin_lock(&runtime_lock);

	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		uint64_t *e = page_entry(va + off);

		if (e)
			*e = 0;
	}
	dsb(ishst);
	for (uint64_t off = 0; off < size; off += PAGE_SIZE)
		__asm__ volatile("tlbi " EL_TLBI_VA ", %0" ::"r"((va + off) >> PAGE_SHIFT)
				 : "memory");
	dsb(ish);
	isb();
	k_spin_unlock(&runtime_lock, key);
}

int mmu_map_pages(uint64_t va, uint64_t pa, size_t size, enum mmu_prot prot)
{
	uint64_t attrs = leaf_attrs(prot);
	k_spinlock_key_t key = k_spin_lock(&runtime_lock);
	uint64_t off;
	int err = 0;

	for (off = 0; off < size; off += PAGE_SIZE) {
		err = map_one(va + off, pa + off, 3, attrs);
		if (err)
			break;
	}
	k_spin_unlock(&runtime_lock, key);
	if (err) {
		/* All or nothing (the pages before off): the caller frees the pages it gave. */
		mmu_unmap_pages(va, off);
		return err;
	}
	/* New entries only (invalid before): no TLB entry can hold the old value, so a barrier
	 * makes them visible to the walker and no invalidation is needed. */
	dsb(ishst);
	isb();
	return 0;
}

extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[], _data_start[], _image_end[];

int mmu_init_primary(uint64_t console_pa, size_t console_size)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	if (parange > 5)
		parange = 5; /* 48 bits: the most a 4-level 4 KiB table reaches */
	root = new_table();
	mmu_map((uintptr_t)_text_start, _text_end - _text_start, MMU_RAM_RX);
	mmu_map((uintptr_t)_rodata_start, _rodata_end - _rodata_start, MMU_RAM_RO);
	mmu_map((uintptr_t)_data_start, _image_end - _data_start, MMU_RAM_RW);
	if (console_size) {
		int err = mmu_map(console_pa, console_size, MMU_DEVICE);

		if (err)
			return err; /* MMU still off: the caller can report it on the UART */
	}

	mmu_boot_params.ttbr0 = (uint64_t)root;
	mmu_boot_params.tcr = EL_TCR_BASE | (parange << EL_TCR_PS_SHIFT);
	mmu_boot_params.mair = MAIR_VALUE;
	mmu_enable(mmu_boot_params.ttbr0, mmu_boot_params.tcr, mmu_boot_params.mair);
	return 0;
}

/* Secondary CPUs read the tables with their caches off. */
void mmu_publish_for_secondaries(void)
{
	dcache_clean_range((uintptr_t)table_pool, sizeof(table_pool));
	dcache_clean_range((uintptr_t)&mmu_boot_params, sizeof(mmu_boot_params));
}
