/* Host stand-ins for what the vGIC core uses from the kernel, the vCPU core and the ICH system
 * registers: one fake physical CPU whose list registers are an array the tests play guest on. */
#include <stdlib.h>
#include <string.h>

#include "vgic_fakes.h"

struct fake_cpu fake;

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	/* Single-threaded tests: a nested take would be a deadlock on the target. */
	if (l->locked)
		abort();
	l->locked = 1;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	(void)key;
	l->locked = 0;
}

void k_spin_acquire(struct k_spinlock *l)
{
	(void)k_spin_lock(l);
}

void k_spin_release(struct k_spinlock *l)
{
	k_spin_unlock(l, 0);
}

void *k_calloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void k_free(void *p)
{
	free(p);
}

void vcpu_kick(struct vcpu *v)
{
	fake.kicked |= 1u << v->id;
}

int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *dev)
{
	if (bus->nr == MMIO_MAX_REGIONS)
		return -1;
	bus->regions[bus->nr++] = (struct mmio_region){base, size, ops, dev};
	return 0;
}

/* HW-linked interrupts deactivated through the distributor, last INTID first. */
unsigned fake_clear_active_last, fake_clear_active_count;

void gic_irq_clear_active(unsigned intid)
{
	fake_clear_active_last = intid;
	fake_clear_active_count++;
}

int irq_connect(unsigned intid, irq_handler_t handler, void *arg)
{
	fake.maint_intid = intid;
	fake.maint = handler;
	fake.maint_arg = arg;
	return 0;
}

/* ---- ICH registers of the fake CPU ---- */

void vgic_hw_probe(void)
{
	vgic_hw.nr_lr = 4;
	vgic_hw.pri_bits = 5;
	vgic_hw.nr_apr = 1;
}

uint64_t vgic_hw_read_lr(unsigned n)
{
	return fake.lr[n];
}

void vgic_hw_write_lr(unsigned n, uint64_t val)
{
	if (n >= vgic_hw.nr_lr)
		abort();
	fake.lr[n] = val;
}

void vgic_hw_write_hcr(uint64_t val)
{
	fake.hcr = val;
}

uint64_t vgic_hw_read_vmcr(void)
{
	return fake.vmcr;
}

uint64_t vgic_hw_saved_vmcr(const struct vgic_cpu *c)
{
	return c->vmcr;
}

void vgic_hw_load_cpu_if(const struct vgic_cpu *c)
{
	fake.vmcr = c->vmcr;
	fake.hcr = c->hcr;
}

struct vcpu *vgic_hw_loaded(void)
{
	return fake.loaded;
}

void vgic_hw_forget(const struct vcpu *v)
{
	if (fake.loaded == v)
		fake.loaded = NULL;
}

void vgic_save(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;

	if (!c || fake.loaded != v)
		return;
	for (unsigned i = 0; i < c->used_lrs; i++) {
		c->lr_saved[i] = fake.lr[i];
		fake.lr[i] = 0;
	}
	c->vmcr = fake.vmcr;
	fake.hcr = 0;
	fake.loaded = NULL;
	c->stale = 1; /* as the real vgic_save */
}

void vgic_restore(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;

	if (!c || fake.loaded == v)
		return;
	if (fake.loaded)
		vgic_save(fake.loaded);
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		if (fake.lr[i])
			abort(); /* a previous vCPU left an entry behind */
	for (unsigned i = 0; i < c->used_lrs; i++)
		fake.lr[i] = c->lr_saved[i];
	fake.vmcr = c->vmcr;
	fake.hcr = c->hcr;
	fake.loaded = v;
}

bool fake_maint_asserted(void)
{
	unsigned valid = 0, pending = 0;
	bool eoi = false;

	if (!(fake.hcr & ICH_HCR_EN))
		return false;
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++) {
		uint64_t lr = fake.lr[i];

		valid += (lr & ICH_LR_STATE_MASK) != 0;
		pending += (lr & ICH_LR_STATE_PENDING) != 0;
		if (!(lr & ICH_LR_STATE_MASK) && (lr & ICH_LR_EOI) && !(lr & ICH_LR_HW))
			eoi = true;
	}
	return eoi || ((fake.hcr & ICH_HCR_NPIE) && !pending) ||
	       ((fake.hcr & ICH_HCR_UIE) && valid <= 1);
}

const char *fake_vgic_broken(struct vcpu *const *vcpus, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		struct vgic_cpu *c = vcpus[i]->vgic;
		unsigned len = 0;

		for (struct vgic_irq *irq = c->list; irq; irq = irq->next, len++) {
			if (irq->owner != vcpus[i])
				return "an interrupt on a list it does not own";
			if (!c->stale && !irq->in_lr)
				return "LRs marked in step, yet a listed interrupt is not in one";
			if (irq->next && vgic_irq_before(irq->next, irq))
				return "a list out of priority order";
		}
		if (len != c->list_len)
			return "list_len differs from the list";
		if (c->used_lrs > vgic_hw.nr_lr)
			return "more LRs used than exist";
		for (unsigned j = 0; j < c->used_lrs; j++)
			if (!c->lr_irq[j] || !c->lr_irq[j]->in_lr ||
			    c->lr_irq[j]->owner != vcpus[i])
				return "an LR slot without its listed interrupt";
	}
	return NULL;
}

unsigned fake_visible_lrs(uint64_t out[VGIC_MAX_LRS])
{
	unsigned n = 0;

	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		if (fake.lr[i] & ICH_LR_STATE_MASK)
			out[n++] = (fake.lr[i] & ICH_LR_VINTID_MASK) << 2 | fake.lr[i] >> 62;
	for (unsigned i = 1; i < n; i++) /* insertion sort: at most 16 */
		for (unsigned j = i; j && out[j - 1] > out[j]; j--) {
			uint64_t t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}
