/* Virtual GICv3 core: interrupt state, the per-vCPU lists, injection, and moving interrupts
 * between the lists and the list registers. vgic_internal.h describes the model and the locking.
 * No system register is touched here directly (see vgic_sr.c), so the host tests run this file
 * against fake list registers. */
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/irq.h>
#include <kernel/printk.h>
#include <zvm/vcpu.h>
#include <zvm/vm.h>

#include "vgic_internal.h"

struct vgic_hw vgic_hw = {.pri_bits = 8};

/* The v2 front end's per-source SGI state: one predictable branch, in the refill and fold only. */
#define ON_V2 __builtin_expect(vgic_hw.v2, 0)

static uint32_t vcpu_bit(const struct vcpu *v)
{
	return v ? 1u << v->id : 0;
}

void vgic_kick(struct vm *vm, uint32_t mask, const struct vcpu *self)
{
	/* vCPU ids index vm->vcpus[], so bit i is vm->vcpus[i]; only set bits are visited. */
	for (mask &= (1u << VM_MAX_VCPUS) - 1; mask; mask &= mask - 1) {
		struct vcpu *v = vm->vcpus[__builtin_ctz(mask)];

		if (v && v != self)
			vcpu_kick(v);
	}
}

/* ---- Lists ---- */

/* v's LRs no longer match its list: its next entry folds and refills them. Stored before the
 * kick that follows the unlock, so the entry either sees it or is kicked (see vgic_flush). */
static void mark_stale(struct vgic_cpu *c)
{
	__atomic_store_n(&c->stale, 1, __ATOMIC_RELAXED);
}

static void list_add(struct vgic_irq *irq, struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;

	vgic_list_insert(&c->list, irq);
	c->list_len++;
	mark_stale(c);
	irq->owner = v;
}

static void list_del(struct vgic_irq *irq)
{
	struct vgic_cpu *c = irq->owner->vgic;

	if (vgic_list_remove(&c->list, irq))
		c->list_len--;
	mark_stale(c);
	irq->owner = NULL;
}

/* Where irq should go: its own vCPU for SGIs/PPIs, the IROUTER match for SPIs. Resolved on each
 * use, so a vCPU that appears later is picked up without bookkeeping. */
static struct vcpu *irq_target(struct vgic_dist *d, const struct vgic_irq *irq)
{
	if (irq->vcpu)
		return irq->vcpu;
	int i = vgic_route(irq->irouter, d->present);

	return i < 0 ? NULL : d->cpus[i]->vcpu;
}

static bool can_forward(const struct vgic_dist *d, const struct vgic_irq *irq)
{
	return d->enabled && irq->enabled;
}

/* The list irq belongs on: an active interrupt stays with the vCPU that took it until it is
 * deactivated; a pending one goes to its target when it may be forwarded. */
static struct vcpu *wanted_owner(struct vgic_dist *d, const struct vgic_irq *irq)
{
	if (irq->active && irq->owner)
		return irq->owner;
	if (irq->active || (can_forward(d, irq) && vgic_irq_pending(irq)))
		return irq_target(d, irq);
	return NULL;
}

/* Puts irq on the list its state calls for, after any change to it. An interrupt in an LR is
 * left alone: only its owner can fold the LR, which it does when kicked. Returns the vCPU to
 * kick. */
static uint32_t update(struct vgic_dist *d, struct vgic_irq *irq)
{
	if (irq->in_lr) {
		mark_stale(irq->owner->vgic);
		return vcpu_bit(irq->owner);
	}
	struct vcpu *want = wanted_owner(d, irq);

	/* On want's list already, out of the LRs: want is stale already (see vgic_cpu). */
	if (want != irq->owner) {
		if (irq->owner)
			list_del(irq);
		if (want)
			list_add(irq, want);
	}
	return vcpu_bit(want);
}

static uint32_t update_all(struct vgic_dist *d)
{
	uint32_t kick = 0;

	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		kick |= update(d, &d->spis[i]);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		struct vcpu *v = d->vm->vcpus[i];

		if (!v || !v->vgic)
			continue;
		for (unsigned j = 0; j < GIC_NR_PRIVATE; j++)
			kick |= update(d, &v->vgic->priv[j]);
	}
	return kick;
}

/* ---- State changes for the register handlers ---- */

struct vgic_irq *vgic_get_irq(struct vgic_dist *d, struct vcpu *rdist, unsigned intid)
{
	if (intid < GIC_NR_PRIVATE)
		return rdist && rdist->vgic ? &rdist->vgic->priv[intid] : NULL;
	if (intid < VGIC_NR_IRQS)
		return &d->spis[intid - GIC_NR_PRIVATE];
	return NULL;
}

uint32_t vgic_irq_enable(struct vgic_dist *d, struct vgic_irq *irq, bool on)
{
	irq->enabled = on;
	return update(d, irq);
}

uint32_t vgic_irq_pend(struct vgic_dist *d, struct vgic_irq *irq, bool on)
{
	if (on) {
		irq->latch = true;
	} else {
		/* A HW-linked latch is a physical interrupt held active for the guest: a guest
		 * that clears it instead of taking it lets the source fire again. */
		if (irq->hw && irq->latch && !irq->active && !irq->in_lr)
			gic_irq_clear_active(irq->pintid);
		irq->latch = false;
		if (irq->in_lr)
			irq->drop_lr_pending = true;
	}
	return update(d, irq);
}

uint32_t vgic_irq_activate(struct vgic_dist *d, struct vgic_irq *irq, bool on)
{
	/* ICACTIVER of a HW-linked interrupt deactivates the physical one too, as the guest's
	 * deactivation through an LR would. */
	if (irq->hw && irq->active && !on)
		gic_irq_clear_active(irq->pintid);
	irq->active = on;
	if (irq->in_lr)
		irq->keep_active = true;
	return update(d, irq);
}

uint32_t vgic_irq_set_priority(struct vgic_dist *d, struct vgic_irq *irq, uint8_t prio)
{
	prio = vgic_prio_mask(prio, vgic_hw.pri_bits);
	if (prio == irq->priority)
		return 0;
	irq->priority = prio;
	if (irq->owner && vgic_list_remove(&irq->owner->vgic->list, irq))
		vgic_list_insert(&irq->owner->vgic->list, irq); /* keep the list sorted */
	return update(d, irq);
}

uint32_t vgic_irq_set_edge(struct vgic_dist *d, struct vgic_irq *irq, bool edge)
{
	if (irq->intid < GIC_NR_SGIS || irq->edge == edge)
		return 0; /* SGIs are always edge */
	irq->edge = edge;
	return update(d, irq);
}

uint32_t vgic_irq_set_irouter(struct vgic_dist *d, struct vgic_irq *irq, uint64_t irouter)
{
	irq->irouter = irouter & (GICD_IROUTER_AFF_MASK | GICD_IROUTER_IRM);
	return update(d, irq);
}

uint32_t vgic_irq_update(struct vgic_dist *d, struct vgic_irq *irq)
{
	return update(d, irq);
}

uint32_t vgic_dist_enable(struct vgic_dist *d, bool on)
{
	if (d->enabled == on)
		return 0;
	d->enabled = on;
	return update_all(d);
}

bool vgic_irq_read_pending(const struct vgic_irq *irq)
{
	return vgic_irq_pending(irq) || (irq->in_lr && irq->lr_pending && !irq->drop_lr_pending);
}

/* Input line of an interrupt. */
static uint32_t set_line(struct vgic_dist *d, struct vgic_irq *irq, bool level)
{
	if (irq->line == level)
		return 0; /* no edge, no change of level */
	if (irq->edge && level)
		irq->latch = true;
	irq->line = level;
	if (!irq->edge && irq->in_lr && !vgic_irq_pending(irq))
		irq->drop_lr_pending = true; /* a level interrupt went away while in an LR */
	return update(d, irq);
}

/* ---- List registers ---- */

/* Takes the guest's progress out of v's LRs into the software state. The LRs keep their stale
 * values and used_lrs its count: the caller refills or empties them (clear_lrs). Runs on the
 * CPU where v's ICH state is loaded, dist lock held. */
static uint32_t fold(struct vgic_dist *d, struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;
	uint32_t kick = 0;

	for (unsigned i = 0; i < c->used_lrs; i++) {
		struct vgic_irq *irq = c->lr_irq[i];
		uint64_t lr = vgic_hw_read_lr(i);

		c->lr_irq[i] = NULL;
		if (!irq)
			continue;
		if (ON_V2 && irq->intid < GIC_NR_SGIS)
			vgic_v2_sgi_fold(&c->sgi[irq->intid], lr, irq->drop_lr_pending);
		vgic_lr_fold(irq, lr);
		kick |= update(d, irq);
	}
	/* With the LRs empty, NPIE would fire at once: drop it until the next populate. */
	if (c->hcr != ICH_HCR_EN) {
		c->hcr = ICH_HCR_EN;
		vgic_hw_write_hcr(c->hcr);
	}
	return kick & ~vcpu_bit(v);
}

/* Zeroes the live LRs from..used_lrs-1 (left over from a fold) and sets used_lrs = from. */
static void clear_lrs(struct vgic_cpu *c, unsigned from)
{
	for (unsigned i = from; i < c->used_lrs; i++)
		vgic_hw_write_lr(i, 0);
	c->used_lrs = from;
}

/* Folds v's live LRs and empties them. */
static uint32_t fold_live(struct vgic_dist *d, struct vcpu *v)
{
	uint32_t kick = fold(d, v);

	clear_lrs(v->vgic, 0);
	mark_stale(v->vgic);
	return kick;
}

/* Folds and empties v's live LRs under the lock, then kicks whoever the fold concerns. */
static void fold_and_kick(struct vcpu *v)
{
	struct vgic_dist *d = v->vm->vgic;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	uint32_t kick = fold_live(d, v);

	k_spin_unlock(&d->lock, key);
	vgic_kick(v->vm, kick, v);
}

/* Picks the LR contents from v's list into lr_irq[]: every active interrupt first (the guest
 * must find it to deactivate it), then the most urgent pending ones. Returns how many; *more:
 * some did not fit, *any_pending: one of them goes in pending. */
static unsigned choose(struct vgic_dist *d, struct vgic_cpu *c, bool *more, bool *any_pending)
{
	unsigned n = 0;

	*more = *any_pending = false;
	for (int pass = 0; pass < 2; pass++) {
		for (struct vgic_irq *irq = c->list; irq; irq = irq->next) {
			/* When all fit, one pass in list order will do. */
			if (c->list_len <= vgic_hw.nr_lr ? pass : irq->active != (pass == 0))
				continue;
			if (n == vgic_hw.nr_lr) {
				*more = true;
				return n;
			}
			c->lr_irq[n++] = irq;
			if (can_forward(d, irq) && vgic_irq_pending(irq))
				*any_pending = true;
		}
	}
	return n;
}

/* v2: lr, built for SGI irq, with the source it carries. When populate consumed the latch, it
 * stays set while other sources wait, and an LR that cannot take the pending state (another
 * source's instance is active) leaves it with us: *held is then set. */
static uint64_t v2_sgi_lr(struct vgic_cpu *c, struct vgic_irq *irq, uint64_t lr, bool *held)
{
	struct vgic_v2_sgi *s = &c->sgi[irq->intid];

	lr = vgic_v2_sgi_lr(s, lr);
	if (irq->lr_pending) {
		irq->lr_pending = (lr & ICH_LR_STATE_PENDING) != 0;
		irq->latch = s->pend != 0;
		*held |= !irq->lr_pending;
	}
	return lr;
}

/* Before NPIE is asked for: choose() counts active+pending LRs (and v2 SGIs whose pending
 * state was held back) as pending, but the maintenance interrupt's NP ("no pending", GICv2
 * and GICv3 alike) looks at LRs in the pending state alone. Whether LRs 0..n-1 hold one; when
 * none does and more wait, NPIE would fire at once on every entry (a livelock: a guest that
 * made its interrupts active, by acking them with IRQs masked or through ISACTIVER, and never
 * deactivates them), so every LR asks for the EOI maintenance instead, as for an all-active
 * set. Only when more wait than the LRs hold: not on the common path. */
static bool lrs_pending(unsigned n, bool more)
{
	bool any = false;

	for (unsigned i = 0; i < n; i++)
		any |= (vgic_hw_read_lr(i) & ICH_LR_STATE_MASK) == ICH_LR_STATE_PENDING;
	for (unsigned i = 0; !any && more && i < n; i++) {
		uint64_t lr = vgic_hw_read_lr(i);

		if (!(lr & ICH_LR_HW))
			vgic_hw_write_lr(i, lr | ICH_LR_EOI);
	}
	return any;
}

/* Refills v's LRs from its list after a fold (the old contents are overwritten or zeroed).
 * v's ICH state is live on this CPU. */
static void populate(struct vgic_dist *d, struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;
	bool more, any_pending, held = false;
	unsigned n = choose(d, c, &more, &any_pending);

	for (unsigned i = 0; i < n; i++) {
		struct vgic_irq *irq = c->lr_irq[i];
		uint64_t lr = vgic_lr_populate(irq, i, can_forward(d, irq), more && !any_pending);

		if (ON_V2 && irq->intid < GIC_NR_SGIS)
			lr = v2_sgi_lr(c, irq, lr, &held);
		vgic_hw_write_lr(i, lr);
	}
	if (held || (more && any_pending))
		any_pending = lrs_pending(n, more);
	clear_lrs(c, n);
	uint64_t hcr = vgic_hcr_value(more, any_pending);

	if (hcr != c->hcr) {
		c->hcr = hcr;
		vgic_hw_write_hcr(hcr);
	}
	/* The LRs now hold the whole list, unless some did not fit (or without a maintenance
	 * interrupt, when the next entry must look at the guest's progress anyway). */
	__atomic_store_n(&c->stale, more || vgic_hw.refill_always, __ATOMIC_RELAXED);
}

_Static_assert(offsetof(struct vgic_cpu, stale) == offsetof(struct vgic_cpu_head, stale),
	       "vgic_flush() reads struct vgic_cpu through struct vgic_cpu_head");

/* v's LRs are live on this CPU and hold its whole list, which has just gained irq: irq goes
 * into the next free LR directly, so the next entry has nothing to fold or refill. The LRs may
 * be in any order (the CPU interface picks by priority). False when this does not apply, and
 * the next entry does the full refill. Dist lock held, IRQs masked. On v2 an SGI written here
 * carries source 0 without v2_sgi_lr(): only the host pends SGIs this way, with no source (a
 * guest's come through the distributor, whose accesses refill instead). */
static inline __attribute__((always_inline)) bool append_live(struct vgic_dist *d, struct vcpu *v,
							      struct vgic_irq *irq, bool was_stale)
{
	struct vgic_cpu *c = v->vgic;
	unsigned n = c->used_lrs;

	if (was_stale || irq->owner != v || irq->in_lr || n >= vgic_hw.nr_lr ||
	    c->list_len != n + 1 || vgic_hw_loaded() != v)
		return false;
	c->lr_irq[n] = irq;
	vgic_hw_write_lr(n, vgic_lr_populate(irq, n, can_forward(d, irq), false));
	c->used_lrs = n + 1;
	__atomic_store_n(&c->stale, 0, __ATOMIC_RELAXED);
	return true;
}

void vgic_flush_slow(struct vcpu *v)
{
	if (vgic_hw_loaded() != v)
		vgic_restore(v); /* first entry on this CPU: the core may not have loaded it yet */
	struct vgic_dist *d = v->vm->vgic;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	uint32_t kick = fold(d, v);

	populate(d, v);
	k_spin_unlock(&d->lock, key);
	if (kick)
		vgic_kick(v->vm, kick, v);
}

void vgic_sync(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;

	if (!c || !c->used_lrs || vgic_hw_loaded() != v)
		return;
	fold_and_kick(v);
}

bool vgic_has_pending(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;
	bool found = false;
	uint32_t kick = 0;

	if (!c)
		return false;
	struct vgic_dist *d = v->vm->vgic;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	bool live = vgic_hw_loaded() == v;

	if (live && c->used_lrs)
		kick = fold_live(d, v);
	uint64_t vmcr = live ? vgic_hw_read_vmcr() : vgic_hw_saved_vmcr(c);
	unsigned pmr = (unsigned)((vmcr & ICH_VMCR_VPMR_MASK) >> ICH_VMCR_VPMR_SHIFT);

	/* What the virtual CPU interface would signal: group 1 enabled, pending, not already
	 * active, above the priority mask. */
	for (struct vgic_irq *irq = c->list; irq && (vmcr & ICH_VMCR_VENG1); irq = irq->next) {
		if (irq->priority >= pmr)
			break; /* sorted: the rest are masked too */
		if (!irq->active && vgic_irq_read_pending(irq) && can_forward(d, irq)) {
			found = true;
			break;
		}
	}
	k_spin_unlock(&d->lock, key);
	vgic_kick(v->vm, kick, v);
	return found;
}

/* The maintenance interrupt: the guest took the last pending LR while more wait (NPIE) or
 * deactivated an LR with the EOI bit (a level interrupt, or all LRs were active). Folding empties
 * the LRs, which ends the condition; the refill is the vgic_flush before the next entry. */
static void maint_irq(unsigned intid, void *arg)
{
	(void)intid;
	(void)arg;
	struct vcpu *v = vgic_hw_loaded();

	if (!v || !v->vgic || !v->vm || !v->vm->vgic) {
		vgic_hw_write_hcr(0); /* a stale state: silence it until a vCPU is loaded */
		return;
	}
	fold_and_kick(v);
}

/* ---- Injection ---- */

/* Finds the interrupt, changes it under the lock, and kicks whoever must look at it. A pulse
 * latches pending whatever the configured trigger (an edge); otherwise the line follows level. */
static int update_irq(struct vm *vm, struct vcpu *target, unsigned intid, bool pulse, bool level)
{
	struct vgic_dist *d = vm ? vm->vgic : NULL;

	if (!d || (intid < GIC_NR_PRIVATE && (!target || target->vm != vm)))
		return -EINVAL;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	struct vgic_irq *irq = vgic_get_irq(d, target, intid);
	/* The vCPU whose LRs are live on this CPU, if it is one of this VM's. */
	struct vcpu *here = vgic_hw_loaded();

	if (here && (here->vm != vm || !here->vgic))
		here = NULL;
	bool was_stale = !here || here->vgic->stale;
	uint32_t kick = !irq ? 0 : pulse ? vgic_irq_pend(d, irq, true) : set_line(d, irq, level);

	/* here keeps its kick: its thread may be on its way to block in WFI (a kick on the CPU
	 * where it is in guest mode costs nothing). */
	if (kick && here)
		(void)append_live(d, here, irq, was_stale);
	k_spin_unlock(&d->lock, key);
	if (!irq)
		return -EINVAL;
	vgic_kick(vm, kick, NULL);
	return 0;
}

int vgic_set_irq(struct vm *vm, struct vcpu *target, unsigned intid, bool level)
{
	return update_irq(vm, target, intid, false, level);
}

int vgic_inject(struct vm *vm, struct vcpu *target, unsigned intid)
{
	return update_irq(vm, target, intid, true, true);
}

int vgic_spi_link_hw(struct vm *vm, unsigned intid, int pintid)
{
	struct vgic_dist *d = vm ? vm->vgic : NULL;

	if (!d || intid < GIC_NR_PRIVATE || intid >= VGIC_NR_IRQS || pintid >= 1020 ||
	    (pintid >= 0 && pintid < GIC_NR_PRIVATE))
		return -EINVAL;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	struct vgic_irq *irq = &d->spis[intid - GIC_NR_PRIVATE];

	irq->hw = pintid >= 0;
	irq->pintid = pintid >= 0 ? (uint16_t)pintid : 0;
	k_spin_unlock(&d->lock, key);
	return 0;
}

int vgic_spi_unpend(struct vm *vm, unsigned intid)
{
	struct vgic_dist *d = vm ? vm->vgic : NULL;

	if (!d || intid < GIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return -EINVAL;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	uint32_t kick = vgic_irq_pend(d, &d->spis[intid - GIC_NR_PRIVATE], false);

	k_spin_unlock(&d->lock, key);
	vgic_kick(vm, kick, NULL);
	return 0;
}

int vgic_spi_target(struct vm *vm, unsigned intid)
{
	struct vgic_dist *d = vm ? vm->vgic : NULL;

	if (!d || intid < GIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return -1;
	/* Unlocked: a torn value is impossible (one 64-bit load), a stale one only a hint. */
	uint64_t irouter =
	    __atomic_load_n(&d->spis[intid - GIC_NR_PRIVATE].irouter, __ATOMIC_RELAXED);

	return vgic_route(irouter, __atomic_load_n(&d->present, __ATOMIC_RELAXED));
}

bool vgic_ppi_raise_live(struct vcpu *v, unsigned intid)
{
	struct vgic_cpu *c = v->vgic;

	if (!c)
		return false;
	struct vgic_dist *d = v->vm->vgic;
	struct vgic_irq *irq = &c->priv[intid];
	bool raised = false;

	k_spin_acquire(&d->lock); /* IRQs are masked */
	unsigned n = c->used_lrs;

	/* Low, idle (so inactive: an active one has an owner) and deliverable, with the LRs in
	 * step and one free: set_line() would queue it on v alone, and populate() would write
	 * what is written below (pending, and EOI as the line stays high). */
	if (!c->stale && !irq->line && !irq->edge && !irq->owner && can_forward(d, irq) &&
	    n < vgic_hw.nr_lr) {
		irq->line = true;
		list_add(irq, v);
		c->lr_irq[n] = irq;
		irq->in_lr = true;
		irq->lr = (uint8_t)n;
		irq->lr_pending = true;
		irq->drop_lr_pending = false;
		irq->keep_active = false;
		vgic_hw_write_lr(n, irq->intid | (uint64_t)irq->priority << ICH_LR_PRIORITY_SHIFT |
					ICH_LR_GROUP | ICH_LR_STATE_PENDING | ICH_LR_EOI);
		c->used_lrs = n + 1;
		__atomic_store_n(&c->stale, 0, __ATOMIC_RELAXED);
		raised = true;
	}
	k_spin_release(&d->lock);
	return raised;
}

void vgic_write_sgi1r(struct vcpu *v, uint64_t val)
{
	struct vgic_dist *d = v && v->vgic ? v->vm->vgic : NULL;
	unsigned sgi = (unsigned)(val >> ICC_SGI1R_INTID_SHIFT) & 0xf;
	uint32_t kick = 0;

	if (!d)
		return;
	k_spinlock_key_t key = k_spin_lock(&d->lock);

	for (uint32_t t = vgic_sgi1r_targets(val, d->present, v->id); t; t &= t - 1)
		kick |= vgic_irq_pend(d, &d->cpus[__builtin_ctz(t)]->priv[sgi], true);
	k_spin_unlock(&d->lock, key);
	vgic_kick(v->vm, kick, v);
}

/* ---- Reset ---- */

/* An interrupt out of reset: SGIs edge and, as on KVM, enabled; PPIs and SPIs level and
 * disabled; all inactive, priority 0, SPIs routed to affinity 0.0.0.0. */
static struct vgic_irq irq_reset_state(unsigned intid, struct vcpu *vcpu, bool line)
{
	return (struct vgic_irq){
	    .intid = (uint16_t)intid,
	    .vcpu = vcpu,
	    .line = line,
	    .edge = intid < GIC_NR_SGIS,
	    .enabled = intid < GIC_NR_SGIS,
	};
}

/* Back to the state out of reset; the input line is the device's and stays. Dist lock held. */
static void irq_reset(struct vgic_irq *irq)
{
	bool hw = irq->hw;
	uint16_t pintid = irq->pintid;

	if (irq->owner)
		list_del(irq);
	*irq = irq_reset_state(irq->intid, irq->vcpu, irq->line);
	irq->hw = hw; /* the link is the device's, as the line is */
	irq->pintid = pintid;
}

void vgic_reset(struct vm *vm)
{
	struct vgic_dist *d = vm->vgic;

	if (!d)
		return;
	k_spinlock_key_t key = k_spin_lock(&d->lock);

	d->enabled = false;
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		irq_reset(&d->spis[i]);
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		struct vgic_cpu *c = d->cpus[i];

		if (!c)
			continue;
		for (unsigned j = 0; j < GIC_NR_PRIVATE; j++)
			irq_reset(&c->priv[j]);
		for (unsigned j = 0; j < GIC_NR_SGIS; j++)
			c->sgi[j] = (struct vgic_v2_sgi){0};
		/* The LRs still hold what they held: their vCPU empties them (vgic_vcpu_reset);
		 * until then nothing may fold them back into the fresh state. */
		for (unsigned j = 0; j < c->used_lrs; j++)
			c->lr_irq[j] = NULL;
		c->sleep = true;
	}
	k_spin_unlock(&d->lock, key);
}

void vgic_vcpu_reset(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;

	if (!c)
		return;
	struct vgic_dist *d = v->vm->vgic;
	k_spinlock_key_t key = k_spin_lock(&d->lock);
	bool live = vgic_hw_loaded() == v;

	for (unsigned i = 0; i < c->used_lrs; i++) {
		c->lr_irq[i] = NULL;
		c->lr_saved[i] = 0;
	}
	if (live)
		clear_lrs(c, 0);
	c->used_lrs = 0;
	mark_stale(c);
	c->hcr = ICH_HCR_EN;
	c->vmcr = 0;
	for (unsigned i = 0; i < VGIC_MAX_APRS; i++)
		c->ap0r[i] = c->ap1r[i] = 0;
	if (live)
		vgic_hw_load_cpu_if(c);
	k_spin_unlock(&d->lock, key);
}

/* ---- Life cycle ---- */

/* The guest-visible register front end, chosen once at boot from the host GIC's version. */
struct vgic_frontend {
	int (*mmio_register)(struct vm *vm, struct vgic_dist *d);
};
static const struct vgic_frontend frontend_v3 = {.mmio_register = vgic_mmio_register};
static const struct vgic_frontend frontend_v2 = {.mmio_register = vgic_v2_mmio_register};
static const struct vgic_frontend *frontend = &frontend_v3;

void vgic_select_v2(void)
{
	frontend = &frontend_v2;
	vgic_hw.v2 = true;
	if (!vgic_v2_mmio_table_valid())
		pr_err("vgic: GICv2 register table is malformed\n");
}

bool vgic_is_v2(void)
{
	return vgic_hw.v2;
}

int vgic_vm_init(struct vm *vm)
{
	if (!vm || vm->vgic)
		return -EINVAL;
	struct vgic_dist *d = k_calloc(1, sizeof(*d));

	if (!d)
		return -ENOMEM;
	d->vm = vm;
	for (unsigned i = 0; i < VGIC_NR_SPIS; i++)
		d->spis[i] = irq_reset_state(GIC_NR_PRIVATE + i, NULL, false);
	vm->vgic = d;
	/* On failure d stays attached (a region may already point at it): the caller tears the
	 * VM down with vgic_vm_destroy(). */
	return frontend->mmio_register(vm, d);
}

int vgic_vcpu_init(struct vcpu *v)
{
	if (!v || !v->vm || !v->vm->vgic || v->vgic || v->id >= VM_MAX_VCPUS)
		return -EINVAL;
	struct vgic_dist *d = v->vm->vgic;

	if (d->cpus[v->id])
		return -EBUSY;
	struct vgic_cpu *c = k_calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->vcpu = v;
	for (unsigned i = 0; i < GIC_NR_PRIVATE; i++)
		c->priv[i] = irq_reset_state(i, v, false);
	c->hcr = ICH_HCR_EN;
	c->stale = 1;
	c->sleep = true; /* GICR_WAKER.ProcessorSleep resets to 1 */

	k_spinlock_key_t key = k_spin_lock(&d->lock);

	d->cpus[v->id] = c;
	d->present |= 1u << v->id;
	v->vgic = c;
	/* Pending SPIs that matched no vCPU until now may route here; v does not run yet, so
	 * nobody needs a kick. */
	(void)update_all(d);
	k_spin_unlock(&d->lock, key);
	return 0;
}

void vgic_vcpu_destroy(struct vcpu *v)
{
	struct vgic_dist *d = v && v->vm ? v->vm->vgic : NULL;
	struct vgic_cpu *c = v ? v->vgic : NULL;

	if (!d || !c)
		return;
	k_spinlock_key_t key = k_spin_lock(&d->lock);

	v->vgic = NULL; /* routing stops seeing v */
	d->cpus[v->id] = NULL;
	d->present &= ~(1u << v->id);
	/* Only the VM's teardown destroys vCPUs: SPIs left here are dropped, not re-routed (the
	 * other vCPUs may be freed already, so nobody is kicked). */
	while (c->list) {
		struct vgic_irq *irq = c->list;

		c->list = irq->next;
		irq->next = NULL;
		irq->owner = NULL;
		irq->in_lr = false;
	}
	c->list_len = 0;
	k_spin_unlock(&d->lock, key);
	vgic_hw_forget(v);
	k_free(c);
}

void vgic_vm_destroy(struct vm *vm)
{
	struct vgic_dist *d = vm ? vm->vgic : NULL;

	if (!d)
		return;
	/* The vCPUs may be gone already: free their state through our own table. */
	for (unsigned i = 0; i < VM_MAX_VCPUS; i++) {
		struct vgic_cpu *c = d->cpus[i];

		if (!c)
			continue;
		vgic_hw_forget(c->vcpu);
		k_free(c);
	}
	k_free(d);
	vm->vgic = NULL;
}

void vgic_init_global(int maint_intid)
{
	vgic_hw_probe();
	if (!vgic_mmio_tables_valid())
		pr_err("vgic: register tables are malformed\n");
	int err = maint_intid < 0 ? -ENOENT : irq_connect((unsigned)maint_intid, maint_irq, NULL);

	vgic_hw.refill_always = err != 0;
	if (err) {
		/* Correct without it, only slower: nothing but an exit brings back a level
		 * interrupt the guest ended while its line stayed high. */
		pr_err("vgic: no maintenance interrupt (%s): list registers are refilled at "
		       "every guest entry\n",
		       maint_intid < 0 ? "the GIC node gives none" : "INTID refused");
		maint_intid = 0;
	}
	vgic_hw.maint_intid = (unsigned)maint_intid;
	pr_info("vgic: %u list registers, %u priority bits, maintenance INTID %u\n", vgic_hw.nr_lr,
		vgic_hw.pri_bits, maint_intid);
}
