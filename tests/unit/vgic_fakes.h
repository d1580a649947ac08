/* The fake CPU of the vGIC tests (vgic_fakes.c). */
#ifndef TESTS_UNIT_VGIC_FAKES_H
#define TESTS_UNIT_VGIC_FAKES_H

#include <kernel/heap.h>
#include <kernel/irq.h>
#include <kernel/spinlock.h>
#include <zvm/mmio.h>
#include <zvm/vcpu.h>
#include <zvm/vm.h>

#include "../../zvm/vdev/vgic_internal.h"

struct fake_cpu {
	uint64_t lr[VGIC_MAX_LRS];
	uint64_t hcr, vmcr;
	struct vcpu *loaded;
	uint32_t kicked; /* vcpu_kick() calls, bit = vCPU id */
	unsigned maint_intid;
	irq_handler_t maint;
	void *maint_arg;
};

extern struct fake_cpu fake;

/* What the guest can see in the LRs: the valid entries (INTID << 2 | state), sorted, so two
 * LR sets compare equal whatever their order. Returns how many. */
unsigned fake_visible_lrs(uint64_t out[VGIC_MAX_LRS]);
/* ICH_MISR as the hardware would compute it for the enabled conditions. */
bool fake_maint_asserted(void);
/* NULL when every list is sorted, owned and counted, the LR bookkeeping is within bounds and
 * a vCPU whose LRs are marked in step has its whole list in them; else what is wrong. */
const char *fake_vgic_broken(struct vcpu *const *vcpus, unsigned n);

#endif
