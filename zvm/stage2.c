/* Stage-2 translation, the hardware half: VTCR, VMIDs, the per-VM lock and the TLB maintenance
 * hooks under the table logic of stage2_pt.c (4 KiB granule, walk from level 1 with up to 16
 * concatenated first-level tables, so 32..43-bit IPA spaces need no level 0).
 *
 * Locking: every table change runs under s2->lock, a spinlock (IRQs masked) held for at most
 * one 2 MiB-aligned chunk of a range, so a section handles at most 512 leaves and a 1 GiB unmap
 * does not mask interrupts for its whole length. The exit fast path takes the same lock to
 * look at an entry (s2_fault_exit.c), which therefore never sees a change half done. */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <kernel/page_alloc.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>
#include <zvm/stage2.h>
#include <zvm/stage2_pt.h>

#define ENTRIES	 512
#define BLOCK_2M (1ULL << 21)

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

static void *hw_table_alloc(void *ctx)
{
	void *t = page_alloc(0);

	(void)ctx;
	if (t)
		memset(t, 0, S2_PAGE_SIZE);
	return t;
}

static void hw_table_free(void *ctx, void *t)
{
	(void)ctx;
	page_free(t);
}

static void hw_publish(void *ctx)
{
	(void)ctx;
	dsb(ishst);
}

/* TLB maintenance by IPA applies to the VMID in VTTBR_EL2. When another VM's (or none) is
 * loaded on this CPU, borrow the slot until the end of the locked section, as KVM's
 * __tlb_switch_to_guest does: IRQs are masked (we hold the spinlock) and we run at EL2, so no
 * guest executes here meanwhile. (Cores with the speculative-AT errata would also need EL1's
 * translation regime parked; none of our targets has them.) */
static void vmid_borrow(struct stage2 *s2)
{
	if (s2->tlb_vmid_ready)
		return;
	s2->saved_vttbr = read_sysreg(vttbr_el2);
	s2->vttbr_borrowed = s2->saved_vttbr != s2->vttbr;
	if (s2->vttbr_borrowed) {
		write_sysreg(vttbr_el2, s2->vttbr);
		isb();
	}
	s2->tlb_vmid_ready = true;
}

static void hw_tlbi_ipa(void *ctx, uint64_t ipa, int level)
{
	struct stage2 *s2 = ctx;

	(void)level; /* FEAT_TTL's level hint is optional; a zero TTL means any level */
	vmid_borrow(s2);
	dsb(ishst); /* the invalid entry is visible before the TLBI */
	__asm__ volatile("tlbi ipas2e1is, %0" ::"r"(ipa >> 12) : "memory");
}

/* Arm ARM D8.16 (stage-2 changes): the IPA-based TLBI leaves combined stage-1+2 entries that
 * may still use the old translation, hence the VMALLE1IS after its completion. */
static void hw_tlbi_sync(void *ctx)
{
	vmid_borrow(ctx);
	__asm__ volatile("dsb ish\n tlbi vmalle1is\n dsb ish\n isb" ::: "memory");
}

static const struct s2pt_hooks hw_hooks = {
    .table_alloc = hw_table_alloc,
    .table_free = hw_table_free,
    .publish = hw_publish,
    .tlbi_ipa = hw_tlbi_ipa,
    .tlbi_sync = hw_tlbi_sync,
};

int stage2_create(struct stage2 *s2)
{
	unsigned order = root_pages > 1 ? __builtin_ctz(root_pages) : 0;
	int vmid = vmid_alloc();
	uint64_t *root;

	memset(s2, 0, sizeof(*s2));
	if (vmid < 0)
		return vmid;
	root = page_alloc(order); /* naturally aligned, as concatenated tables must be */
	if (!root) {
		vmid_free(vmid);
		return -ENOMEM;
	}
	memset(root, 0, root_pages * S2_PAGE_SIZE);
	s2pt_init(&s2->pt, root, root_pages * ENTRIES, &hw_hooks, s2);
	s2->vmid = vmid;
	s2->vttbr = (uint64_t)root | ((uint64_t)vmid << VTTBR_VMID_SHIFT);
	return 0;
}

k_spinlock_key_t stage2_lock(struct stage2 *s2)
{
	k_spinlock_key_t key = k_spin_lock(&s2->lock);

	s2->tlb_vmid_ready = false;
	return key;
}

void stage2_unlock(struct stage2 *s2, k_spinlock_key_t key)
{
	if (s2->tlb_vmid_ready && s2->vttbr_borrowed) {
		write_sysreg(vttbr_el2, s2->saved_vttbr);
		isb();
	}
	s2->tlb_vmid_ready = false;
	k_spin_unlock(&s2->lock, key);
}

enum range_op { R_MAP, R_UNMAP, R_PROTECT, R_CLEAR_AF };

/* One locked section per 2 MiB-aligned chunk (see the top of the file). */
static int range_op(struct stage2 *s2, enum range_op op, uint64_t ipa, uint64_t pa, uint64_t size,
		    unsigned perm, bool af, uint64_t *accessed)
{
	uint64_t end = ipa + size;
	int err = 0;

	if ((ipa | size) & (S2_PAGE_SIZE - 1) || end < ipa || end > (1ULL << ipa_bits))
		return -EINVAL;
	while (!err && ipa < end) {
		uint64_t n = ((ipa + BLOCK_2M) & ~(BLOCK_2M - 1)) - ipa;
		k_spinlock_key_t key;

		if (n > end - ipa)
			n = end - ipa;
		key = stage2_lock(s2);
		switch (op) {
		case R_MAP:
			err = s2pt_map(&s2->pt, ipa, pa, n, perm, af);
			break;
		case R_UNMAP:
			err = s2pt_unmap(&s2->pt, ipa, n);
			break;
		case R_PROTECT:
			err = s2pt_protect(&s2->pt, ipa, n, perm);
			break;
		case R_CLEAR_AF:
			err = s2pt_clear_af(&s2->pt, ipa, n, accessed);
			break;
		}
		stage2_unlock(s2, key);
		ipa += n;
		pa += n;
	}
	return err;
}

static unsigned perm_of(enum s2_prot prot)
{
	switch (prot) {
	case S2_RAM_RO:
		return S2PT_R | S2PT_X;
	case S2_DEVICE:
		return S2PT_R | S2PT_W | S2PT_DEV;
	case S2_RAM:
		break;
	}
	return S2PT_R | S2PT_W | S2PT_X;
}

int stage2_map(struct stage2 *s2, uint64_t ipa, uint64_t pa, size_t size, enum s2_prot prot)
{
	return range_op(s2, R_MAP, ipa, pa, size, perm_of(prot), true, NULL);
}

int stage2_unmap(struct stage2 *s2, uint64_t ipa, size_t size)
{
	return range_op(s2, R_UNMAP, ipa, 0, size, 0, false, NULL);
}

int stage2_protect(struct stage2 *s2, uint64_t ipa, size_t size, enum s2_prot prot)
{
	return range_op(s2, R_PROTECT, ipa, 0, size, perm_of(prot), false, NULL);
}

int stage2_clear_af(struct stage2 *s2, uint64_t ipa, size_t size, uint64_t *accessed)
{
	return range_op(s2, R_CLEAR_AF, ipa, 0, size, 0, false, accessed);
}

bool stage2_test_af(struct stage2 *s2, uint64_t ipa)
{
	struct s2pt_leaf leaf;
	k_spinlock_key_t key = k_spin_lock(&s2->lock);
	bool accessed = s2pt_lookup(&s2->pt, ipa, &leaf) && leaf.af;

	k_spin_unlock(&s2->lock, key);
	return accessed;
}

uint64_t stage2_translate(struct stage2 *s2, uint64_t ipa)
{
	struct s2pt_leaf leaf;
	k_spinlock_key_t key = k_spin_lock(&s2->lock);
	bool mapped = s2pt_lookup(&s2->pt, ipa, &leaf);

	k_spin_unlock(&s2->lock, key);
	return mapped ? leaf.pa : (uint64_t)-1;
}

/* Every entry of this VMID, stage 1+2 and walk caches. */
static void tlb_flush_vmid(struct stage2 *s2)
{
	k_spinlock_key_t key = stage2_lock(s2);

	vmid_borrow(s2);
	__asm__ volatile("dsb ishst\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
	stage2_unlock(s2, key);
}

void stage2_destroy(struct stage2 *s2)
{
	if (!s2->pt.root)
		return;
	tlb_flush_vmid(s2); /* no vCPU runs any more: nothing refills it */
	s2pt_free_tables(&s2->pt);
	BUG_ON(s2->pt.nr_tables != 0);
	page_free(s2->pt.root);
	vmid_free(s2->vmid);
	s2->pt.root = NULL;
}
