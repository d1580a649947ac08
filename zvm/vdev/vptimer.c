/* The guest's EL1 physical timer: see include/zvm/vdev/vptimer.h. */
#include <drivers/arch_timer.h>
#include <kernel/timeout.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vptimer.h>
#include <zvm/vdev/vtimer.h>

/* Gives the vGIC the current level and arms the kernel timer for the next rise. Lock held.
 * An expiry left armed after a disable or a later CVAL is harmless: it re-evaluates. */
static void update(struct vcpu *v, uint64_t now)
{
	struct vptimer *t = &v->ptimer;
	bool level = vptimer_regs_level(&t->regs, now);
	uint64_t deadline = vptimer_regs_deadline(&t->regs);

	if (level != t->line) {
		t->line = level;
		vgic_set_irq(v->vm, v, VTIMER_GUEST_PHYS_INTID, level);
	}
	/* Armed under the lock: two arms racing outside it could leave the later CVAL's. Not
	 * again for the deadline it already has: a write that leaves CVAL and the enables as
	 * they were (an IMASK toggle back, a TVAL read-modify) costs no scheduler lock. */
	if (!level && deadline != UINT64_MAX && deadline != t->armed_at) {
		k_timer_start(&t->expiry, K_ABS_TICKS(deadline), K_NO_WAIT);
		t->armed_at = deadline;
	}
}

static void expiry(struct k_timer *timer)
{
	struct vcpu *v = timer->user_data;
	k_spinlock_key_t key = k_spin_lock(&v->ptimer.lock);

	v->ptimer.armed_at = UINT64_MAX; /* it fired: no longer pending */
	update(v, arch_timer_now());
	k_spin_unlock(&v->ptimer.lock, key);
}

void vptimer_vcpu_init(struct vcpu *v)
{
	v->ptimer = (struct vptimer){.lock = K_SPINLOCK_INIT, .armed_at = UINT64_MAX};
	k_timer_init(&v->ptimer.expiry, expiry, v);
}

void vptimer_vcpu_destroy(struct vcpu *v)
{
	k_timer_stop(&v->ptimer.expiry);
	v->ptimer.armed_at = UINT64_MAX;
}

void vptimer_reset(struct vcpu *v)
{
	k_spinlock_key_t key = k_spin_lock(&v->ptimer.lock);

	v->ptimer.regs = (struct vptimer_regs){0};
	update(v, arch_timer_now());
	k_spin_unlock(&v->ptimer.lock, key);
}

void vptimer_access(struct vcpu *v, enum vptimer_reg reg, bool read, unsigned rt)
{
	k_spinlock_key_t key = k_spin_lock(&v->ptimer.lock);
	uint64_t now = arch_timer_now();

	if (read) {
		vcpu_set_reg(v, rt, vptimer_regs_read(&v->ptimer.regs, reg, now));
	} else {
		vptimer_regs_write(&v->ptimer.regs, reg, vcpu_get_reg(v, rt), now);
		update(v, now);
	}
	k_spin_unlock(&v->ptimer.lock, key);
}
