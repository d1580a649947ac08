/* Private state of the virtual GICv3, shared by its files:
 *   vgic_logic.c  pure helpers (register-table lookup, routing, SGI targets, list order, LR
 *                 encode/fold), host unit tested;
 *   vgic.c        per-IRQ state, the per-vCPU queues, injection, LR flush/fold, maintenance;
 *   vgic_mmio.c   the distributor and redistributor register tables;
 *   vgic_sr.c     ICH_* system registers: LR access, save/restore, per-CPU setup.
 *
 * Model. Every interrupt has a software state (enabled, pending, active, priority, ...). An
 * interrupt that can reach the guest sits on the list of one vCPU (its "owner"), sorted by
 * priority. Right before a guest entry, vgic_flush() writes the head of the list into the LRs
 * (active ones first, as the guest must be able to deactivate them) unless they hold the whole
 * list already (vgic_cpu.stale clear); the LRs are folded back into the software state and
 * emptied when something needs it (vgic_sync, the maintenance interrupt, a state register
 * access, WFI) or when the list changed (the next vgic_flush). While an interrupt is in an LR, the
 * LR owns part of its state: the pending bit it was written with (edge: the latch is consumed into
 * the LR) and the guest's acknowledge/deactivate. Changes made meanwhile from elsewhere are
 * recorded in drop_lr_pending and keep_active so the fold does not undo them, and the owner is
 * kicked to fold soon.
 *
 * Locking. One spinlock per VM (vgic_dist.lock) protects every vgic_irq of the VM, every vCPU's
 * list, and the LR bookkeeping (lr_irq, used_lrs). It is a leaf lock: nothing else is taken under
 * it, in particular vcpu_kick() is only called after it is released (callers collect a mask of
 * vCPUs to kick). The ICH register copies in vgic_cpu (lr_saved, vmcr, apr, hcr) belong to the
 * vCPU's own CPU: they are touched with interrupts masked on the CPU where the vCPU is (being)
 * loaded, so vgic_save/vgic_restore take no lock and may run inside the scheduler. */
#ifndef ZVM_VDEV_VGIC_INTERNAL_H
#define ZVM_VDEV_VGIC_INTERNAL_H

#include <arch/gicv3_regs.h>
#include <kernel/spinlock.h>
#include <stdbool.h>
#include <stdint.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vm.h>

#include "vgic_v2.h"

struct vcpu;

#define VGIC_NR_IRQS  (GIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_MAX_LRS  16
#define VGIC_MAX_APRS 4

/* Affinity is the vCPU id: vcpu_create() gives vCPU n the MPIDR Aff0 = n, Aff3..Aff1 = 0, and the
 * guest DT lists the same. So an IROUTER or SGI target list names vCPUs without a search, and
 * one SGI1R target list (RS = 0) covers them all. */
_Static_assert(VM_MAX_VCPUS <= 16, "vCPU ids must fit one SGI target list");

/* GICD_IIDR/GICR_IIDR: implementer Arm (JEP106 0x43b), product 'Z'. */
#define VGIC_IIDR (0x5au << 24 | 0x43b)

struct vgic_irq {
	struct vgic_irq *next; /* on owner's list */
	struct vcpu *owner;    /* whose list it is on, NULL when none */
	struct vcpu *vcpu;     /* SGI/PPI: the vCPU it is banked in; NULL for SPIs */
	uint64_t irouter;      /* SPIs: GICD_IROUTER (affinity and IRM only) */
	uint16_t intid;
	uint8_t priority; /* masked to the implemented bits */
	uint8_t lr;	  /* LR index while in_lr */
	bool enabled;
	bool edge;
	bool line;  /* input level last given to vgic_set_irq */
	bool latch; /* pending latch: edges, ISPENDR, vgic_inject, SGIs */
	bool active;
	bool in_lr;
	bool lr_pending;      /* the LR was written with the pending bit */
	bool drop_lr_pending; /* pending cleared while in an LR: the fold ignores the LR's */
	bool keep_active;     /* active changed while in an LR: the fold keeps ours */
	/* Linked to physical INTID pintid (a passed-through device's SPI): its LRs carry the HW
	 * bit, so the guest's deactivation deactivates the physical interrupt, which stays
	 * active (and cannot fire again) until then. Pending comes only from the latch, as for
	 * an edge: each physical firing is one vgic_inject(). Kept across a vGIC reset. */
	bool hw;
	uint16_t pintid;
};

struct vgic_cpu {
	/* First, as struct vgic_cpu_head: vgic_flush() reads it inline on every entry. While it
	 * is clear, every interrupt on the list is in an LR (lr_irq), so any change to the list
	 * or to one of its interrupts sets it. */
	unsigned stale;
	unsigned used_lrs;
	unsigned list_len;
	struct vcpu *vcpu; /* back pointer, compared only: teardown may run after the vCPU died */
	struct vgic_irq priv[GIC_NR_PRIVATE];
	struct vgic_irq *list; /* sorted by vgic_irq_before(); dist lock */
	bool sleep;	       /* GICR_WAKER.ProcessorSleep */
	/* GICv2 front end only: per-source state of SGIs 0..15 (dist lock). Their latch is set
	 * while a source is pending; the LR handling and fold keep the two in step. */
	struct vgic_v2_sgi sgi[GIC_NR_SGIS];

	/* What the LRs hold: lr_irq[0..used_lrs) are in ICH_LR<n> (or lr_saved when switched out).
	 */
	struct vgic_irq *lr_irq[VGIC_MAX_LRS];

	/* ICH state of this vCPU; hcr is what we want in ICH_HCR_EL2 while it is loaded. */
	uint64_t lr_saved[VGIC_MAX_LRS];
	uint64_t hcr, vmcr;
	uint64_t ap0r[VGIC_MAX_APRS], ap1r[VGIC_MAX_APRS];
};

struct vgic_dist {
	struct k_spinlock lock;
	struct vm *vm;
	bool enabled;			     /* GICD_CTLR.EnableGrp1 */
	struct vgic_cpu *cpus[VM_MAX_VCPUS]; /* by vCPU id, so teardown frees them all */
	uint32_t present;		     /* ids whose cpus[] entry is set */
	struct vgic_irq spis[VGIC_NR_SPIS];
};

/* The host's virtual CPU interface (ICH_VTR_EL2), read once at boot. */
struct vgic_hw {
	unsigned nr_lr;	   /* ListRegs + 1 */
	unsigned pri_bits; /* virtual priority bits */
	unsigned nr_apr;   /* ICH_AP0R/AP1R registers in use: 2^(PREbits - 5) */
	unsigned maint_intid;
	bool refill_always; /* no maintenance interrupt: every entry folds and refills */
	bool v2;	    /* a GICv2 host: the ICH accessors go to GICH (vgic_v2_hw.c) */
};
extern struct vgic_hw vgic_hw;

/* ---- Register tables (vgic_logic.c looks them up, vgic_mmio.c fills them) ---- */

/* One access to a register, as the handlers see it. */
struct vgic_acc {
	struct vgic_dist *dist;
	struct vcpu *rdist;  /* redistributor's vCPU; NULL in the distributor */
	struct vcpu *caller; /* vCPU doing the access */
	uint32_t off;	     /* from the register's (or array's) first byte */
	unsigned intid;	     /* first INTID covered, for per-IRQ registers */
	unsigned size;	     /* bytes */
	uint32_t kick;	     /* vCPUs (bit = id) to kick once the lock is dropped */
};

/* Allowed access widths; each flag equals the access size in bytes. */
#define VGIC_W8	   1u
#define VGIC_W16   2u
#define VGIC_W32   4u
#define VGIC_W64   8u
#define VGIC_W_ALL (VGIC_W8 | VGIC_W16 | VGIC_W32 | VGIC_W64)

struct vgic_reg {
	uint32_t offset;
	uint32_t len;	/* bytes; arrays cover every INTID they can name */
	uint8_t bpi;	/* bits per INTID for per-IRQ arrays, 0 for plain registers */
	uint8_t widths; /* VGIC_W* allowed */
	uint64_t (*read)(struct vgic_acc *a);		 /* NULL: reads as zero */
	void (*write)(struct vgic_acc *a, uint64_t val); /* NULL: ignores writes */
};

/* An access the GIC architecture allows anywhere: 1, 2, 4 or 8 bytes, naturally aligned. Others
 * are answered with an external abort. */
static inline bool vgic_access_ok(uint64_t off, unsigned size)
{
	return size && size <= 8 && !(size & (size - 1)) && !(off & (size - 1));
}

/* The register of a sorted table that holds [off, off + size), or NULL for a hole, a width the
 * register does not allow, or an access vgic_access_ok() refuses (RAZ/WI). */
const struct vgic_reg *vgic_reg_find(const struct vgic_reg *tbl, unsigned n, uint64_t off,
				     unsigned size);

/* A register table, and the entry found last: guests tend to repeat an access. */
struct vgic_frame {
	const struct vgic_reg *regs;
	unsigned nr;
	unsigned hint; /* < nr (nr > 0); racy between vCPUs by design, any such value will do */
};

/* The frame's hint when it holds [off, off + size) in a width it allows, else NULL. Inline:
 * every vGIC access starts here. (widths & size implies size <= len, see vgic_regs_valid.) */
static inline const struct vgic_reg *vgic_frame_hit(struct vgic_frame *f, uint64_t off,
						    unsigned size)
{
	const struct vgic_reg *r = &f->regs[__atomic_load_n(&f->hint, __ATOMIC_RELAXED)];

	if ((r->widths & size) && off - r->offset <= r->len - size && vgic_access_ok(off, size))
		return r;
	return NULL;
}

/* vgic_reg_find() on the frame, trying the hint first; a hit becomes the next hint. */
const struct vgic_reg *vgic_frame_find(struct vgic_frame *f, uint64_t off, unsigned size);

/* True when a table is sorted, without overlaps, and each entry's widths are sane. */
bool vgic_regs_valid(const struct vgic_reg *tbl, unsigned n);

/* ---- Pure helpers (vgic_logic.c; the smallest inline, they are on every entry's path) ---- */

static inline bool vgic_irq_pending(const struct vgic_irq *irq)
{
	return irq->latch || (!irq->edge && irq->line);
}

/* List order: more urgent priority first, then lower INTID. */
bool vgic_irq_before(const struct vgic_irq *a, const struct vgic_irq *b);
void vgic_list_insert(struct vgic_irq **head, struct vgic_irq *irq);
bool vgic_list_remove(struct vgic_irq **head, struct vgic_irq *irq);

/* The LR value for irq put into LR n; marks it in_lr and consumes an edge latch. pending: the
 * pending state may be forwarded (enabled, distributor enabled). eoi: also ask for a
 * maintenance interrupt when the guest deactivates it. Inline: the virtual timer's path. */
static inline uint64_t vgic_lr_populate(struct vgic_irq *irq, unsigned n, bool pending, bool eoi)
{
	bool want = pending && vgic_irq_pending(irq);
	/* A level interrupt the guest has active becomes pending again only after it is
	 * deactivated and its line looked at anew: forwarded as active+pending, it would be taken
	 * again even when the guest has quieted its source meanwhile. */
	bool hold = want && irq->active && (!irq->edge || irq->hw);
	bool p = want && !hold;
	uint64_t lr = irq->intid | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT | ICH_LR_GROUP;

	if (p)
		lr |= ICH_LR_STATE_PENDING;
	if (irq->active)
		lr |= ICH_LR_STATE_ACTIVE;
	/* A level interrupt whose line is high (or held back above) must become pending again if
	 * it still is when the guest deactivates it: the EOI maintenance interrupt makes us look.
	 * (A line that rises later kicks the owner instead.) With HW set, bit 41 is part of the
	 * physical INTID and there is no EOI maintenance: a physical line still high fires again
	 * once deactivated, and that is the next injection. Never pending and active with HW
	 * (hold): the pending state of the source is the physical GIC's. */
	if (irq->hw)
		lr |= ICH_LR_HW | (uint64_t)irq->pintid << ICH_LR_PINTID_SHIFT;
	else if (eoi || hold || (!irq->edge && irq->line))
		lr |= ICH_LR_EOI;
	if (p && (irq->edge || irq->hw))
		irq->latch = false; /* the LR holds this edge now; new edges latch again */
	irq->in_lr = true;
	irq->lr = (uint8_t)n;
	irq->lr_pending = p;
	irq->drop_lr_pending = false;
	irq->keep_active = false;
	return lr;
}

/* Takes back what the guest did to irq's LR (value lr) and marks it out of the LRs. */
void vgic_lr_fold(struct vgic_irq *irq, uint64_t lr);
/* ICH_HCR_EL2 for a populated set of LRs. */
static inline uint64_t vgic_hcr_value(bool more_waiting, bool any_pending)
{
	uint64_t hcr = ICH_HCR_EN;

	/* More interrupts wait than LRs hold. With something pending in the LRs, ask to hear when
	 * the guest has taken all of it (NPIE); otherwise the LRs are all active and populate set
	 * their EOI bits, so the first deactivation brings us back. */
	if (more_waiting && any_pending)
		hcr |= ICH_HCR_NPIE;
	return hcr;
}

uint8_t vgic_prio_mask(uint8_t prio, unsigned pri_bits);
/* Index of the vCPU an SPI with this IROUTER goes to, or -1. present: the vCPUs that exist (bit =
 * id). IRM=1 (1-of-N): the first present vCPU. */
int vgic_route(uint64_t irouter, uint32_t present);
/* vCPUs (bit = id) an ICC_SGI1R_EL1 write by vCPU self targets. */
uint32_t vgic_sgi1r_targets(uint64_t sgi1r, uint32_t present, unsigned self);

/* ---- Common code for the register handlers (vgic.c; dist lock held) ---- */

/* The state of intid as seen from rdist's redistributor (SGI/PPI) or the distributor (SPI).
 * NULL when out of range or when the frame does not bank it. */
struct vgic_irq *vgic_get_irq(struct vgic_dist *d, struct vcpu *rdist, unsigned intid);
/* Each returns the vCPUs to kick. */
uint32_t vgic_irq_enable(struct vgic_dist *d, struct vgic_irq *irq, bool on);
uint32_t vgic_irq_pend(struct vgic_dist *d, struct vgic_irq *irq, bool on);
uint32_t vgic_irq_activate(struct vgic_dist *d, struct vgic_irq *irq, bool on);
uint32_t vgic_irq_set_priority(struct vgic_dist *d, struct vgic_irq *irq, uint8_t prio);
uint32_t vgic_irq_set_edge(struct vgic_dist *d, struct vgic_irq *irq, bool edge);
uint32_t vgic_irq_set_irouter(struct vgic_dist *d, struct vgic_irq *irq, uint64_t irouter);
uint32_t vgic_dist_enable(struct vgic_dist *d, bool on);
/* Re-files irq after a caller changed its pending state directly (the v2 SGI sources). */
uint32_t vgic_irq_update(struct vgic_dist *d, struct vgic_irq *irq);
/* What a guest read of ISPENDR/ISACTIVER reports. */
bool vgic_irq_read_pending(const struct vgic_irq *irq);
/* Kicks the vCPUs in mask except self. Call without the dist lock. */
void vgic_kick(struct vm *vm, uint32_t mask, const struct vcpu *self);

/* vgic_mmio_irq.c: the per-INTID handlers both front ends' tables use (dist lock held). The
 * interrupt an access names: SGIs/PPIs only through a->rdist's bank, SPIs only without one. */
struct vgic_irq *vgic_acc_irq(const struct vgic_acc *a, unsigned intid);
uint64_t vgic_group_read(struct vgic_acc *a);
uint64_t vgic_enable_read(struct vgic_acc *a);
void vgic_isenable_write(struct vgic_acc *a, uint64_t val);
void vgic_icenable_write(struct vgic_acc *a, uint64_t val);
uint64_t vgic_pending_read(struct vgic_acc *a);
void vgic_ispend_write(struct vgic_acc *a, uint64_t val);
void vgic_icpend_write(struct vgic_acc *a, uint64_t val);
uint64_t vgic_active_read(struct vgic_acc *a);
void vgic_isactive_write(struct vgic_acc *a, uint64_t val);
void vgic_icactive_write(struct vgic_acc *a, uint64_t val);
uint64_t vgic_prio_read(struct vgic_acc *a);
void vgic_prio_write(struct vgic_acc *a, uint64_t val);
uint64_t vgic_cfg_read(struct vgic_acc *a);
void vgic_cfg_write(struct vgic_acc *a, uint64_t val);
uint64_t vgic_iidr_read(struct vgic_acc *a);

/* vgic_mmio.c: registers the distributor and redistributor regions of a VM. */
int vgic_mmio_register(struct vm *vm, struct vgic_dist *d);
/* vgic_v2_mmio.c: the GICv2 distributor instead, on GICv2 hosts. */
int vgic_v2_mmio_register(struct vm *vm, struct vgic_dist *d);
bool vgic_v2_mmio_table_valid(void);
/* Boot-time self check of the register tables. */
bool vgic_mmio_tables_valid(void);

/* ---- ICH system registers (vgic_sr.c) ---- */

void vgic_hw_probe(void);
uint64_t vgic_hw_read_lr(unsigned n);
void vgic_hw_write_lr(unsigned n, uint64_t val);
void vgic_hw_write_hcr(uint64_t val);
/* Writes c's APRs, VMCR and HCR into the CPU interface (not the LRs). */
void vgic_hw_load_cpu_if(const struct vgic_cpu *c);
uint64_t vgic_hw_read_vmcr(void);
/* c's saved VMCR in ICH_VMCR_EL2 terms. */
uint64_t vgic_hw_saved_vmcr(const struct vgic_cpu *c);
/* The vCPU whose ICH state this CPU holds, or NULL. Interrupts masked. */
struct vcpu *vgic_hw_loaded(void);
/* Forgets v wherever it is recorded as loaded (teardown); v is not dereferenced. */
void vgic_hw_forget(const struct vcpu *v);

#endif
