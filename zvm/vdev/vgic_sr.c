/* The hypervisor control interface of the GIC (ICH_*_EL2): list register access, the per-vCPU
 * save/restore done when a vCPU thread is switched, and per-CPU setup. Everything here runs
 * with interrupts masked on the CPU whose registers it touches, and takes no lock. */
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <kernel/config.h>
#include <kernel/percpu.h>
#include <zvm/vcpu.h>

#include "vgic_internal.h"
#include "vgic_v2.h"

/* On a GICv2 host the same accessors reach GICH (MMIO) instead: one predictable branch on a
 * value fixed at boot. */
#define ON_V2 __builtin_expect(vgic_hw.v2, 0)

/* Which vCPU's ICH state each CPU holds; only that CPU writes its entry (and teardown clears
 * entries of vCPUs that no longer run). */
static struct vcpu *loaded[CONFIG_MAX_CPUS];

/* The register name is part of the instruction, hence one case per LR. */
#define LR_READ(n)                                                                                 \
	case n:                                                                                    \
		return read_sysreg_s(SYS_ICH_LR##n##_EL2)
#define LR_WRITE(n)                                                                                \
	case n:                                                                                    \
		write_sysreg_s(SYS_ICH_LR##n##_EL2, val);                                          \
		break

uint64_t vgic_hw_read_lr(unsigned n)
{
	if (ON_V2)
		return n < vgic_hw.nr_lr ? vgic_v2_hw_read_lr(n) : 0;
	switch (n) {
		LR_READ(0);
		LR_READ(1);
		LR_READ(2);
		LR_READ(3);
		LR_READ(4);
		LR_READ(5);
		LR_READ(6);
		LR_READ(7);
		LR_READ(8);
		LR_READ(9);
		LR_READ(10);
		LR_READ(11);
		LR_READ(12);
		LR_READ(13);
		LR_READ(14);
		LR_READ(15);
	}
	return 0;
}

void vgic_hw_write_lr(unsigned n, uint64_t val)
{
	if (ON_V2) {
		if (n < vgic_hw.nr_lr)
			vgic_v2_hw_write_lr(n, val);
		return;
	}
	switch (n) {
		LR_WRITE(0);
		LR_WRITE(1);
		LR_WRITE(2);
		LR_WRITE(3);
		LR_WRITE(4);
		LR_WRITE(5);
		LR_WRITE(6);
		LR_WRITE(7);
		LR_WRITE(8);
		LR_WRITE(9);
		LR_WRITE(10);
		LR_WRITE(11);
		LR_WRITE(12);
		LR_WRITE(13);
		LR_WRITE(14);
		LR_WRITE(15);
	}
}

/* Active priority registers: group 0 or 1, index n < vgic_hw.nr_apr. */
static uint64_t apr_read(bool g1, unsigned n)
{
	switch (n) {
	case 0:
		return g1 ? read_sysreg_s(SYS_ICH_AP1R0_EL2) : read_sysreg_s(SYS_ICH_AP0R0_EL2);
	case 1:
		return g1 ? read_sysreg_s(SYS_ICH_AP1R1_EL2) : read_sysreg_s(SYS_ICH_AP0R1_EL2);
	case 2:
		return g1 ? read_sysreg_s(SYS_ICH_AP1R2_EL2) : read_sysreg_s(SYS_ICH_AP0R2_EL2);
	case 3:
		return g1 ? read_sysreg_s(SYS_ICH_AP1R3_EL2) : read_sysreg_s(SYS_ICH_AP0R3_EL2);
	}
	return 0;
}

static void apr_write(bool g1, unsigned n, uint64_t val)
{
	switch (n) {
	case 0:
		if (g1)
			write_sysreg_s(SYS_ICH_AP1R0_EL2, val);
		else
			write_sysreg_s(SYS_ICH_AP0R0_EL2, val);
		break;
	case 1:
		if (g1)
			write_sysreg_s(SYS_ICH_AP1R1_EL2, val);
		else
			write_sysreg_s(SYS_ICH_AP0R1_EL2, val);
		break;
	case 2:
		if (g1)
			write_sysreg_s(SYS_ICH_AP1R2_EL2, val);
		else
			write_sysreg_s(SYS_ICH_AP0R2_EL2, val);
		break;
	case 3:
		if (g1)
			write_sysreg_s(SYS_ICH_AP1R3_EL2, val);
		else
			write_sysreg_s(SYS_ICH_AP0R3_EL2, val);
		break;
	}
}

void vgic_hw_write_hcr(uint64_t val)
{
	if (ON_V2) {
		vgic_v2_hw_write_hcr(val);
		return;
	}
	write_sysreg_s(SYS_ICH_HCR_EL2, val);
}

uint64_t vgic_hw_read_vmcr(void)
{
	if (ON_V2)
		return vgic_v2_vmcr_to_v3(vgic_v2_hw_read_vmcr());
	return read_sysreg_s(SYS_ICH_VMCR_EL2);
}

uint64_t vgic_hw_saved_vmcr(const struct vgic_cpu *c)
{
	/* On v2, c->vmcr holds the raw GICH_VMCR (restored as it was saved). */
	return ON_V2 ? vgic_v2_vmcr_to_v3((uint32_t)c->vmcr) : c->vmcr;
}

void vgic_hw_probe(void)
{
	if (ON_V2) {
		vgic_hw.nr_lr = vgic_v2_hw_nr_lr();
		if (vgic_hw.nr_lr > VGIC_MAX_LRS)
			vgic_hw.nr_lr = VGIC_MAX_LRS;
		vgic_hw.pri_bits = 5; /* GICH_LR holds the top 5 priority bits */
		vgic_hw.nr_apr = 1;   /* GICH_APR, kept in ap0r[0] */
		return;
	}
	uint64_t vtr = read_sysreg_s(SYS_ICH_VTR_EL2);
	unsigned pre = ICH_VTR_PREBITS(vtr);

	vgic_hw.nr_lr = ICH_VTR_LISTREGS(vtr);
	if (vgic_hw.nr_lr > VGIC_MAX_LRS)
		vgic_hw.nr_lr = VGIC_MAX_LRS;
	vgic_hw.pri_bits = ICH_VTR_PRIBITS(vtr);
	/* 5 preemption bits need one APR per group, 6 two, 7 four. */
	vgic_hw.nr_apr = pre >= 7 ? 4 : pre == 6 ? 2 : 1; /* <= VGIC_MAX_APRS */
}

struct vcpu *vgic_hw_loaded(void)
{
	return loaded[cpu_id()];
}

void vgic_hw_forget(const struct vcpu *v)
{
	for (unsigned i = 0; i < CONFIG_MAX_CPUS; i++) {
		struct vcpu *expected = (struct vcpu *)v;

		__atomic_compare_exchange_n(&loaded[i], &expected, NULL, false, __ATOMIC_RELAXED,
					    __ATOMIC_RELAXED);
	}
}

void vgic_save(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;
	unsigned cpu = cpu_id();

	if (!c || loaded[cpu] != v)
		return;
	/* Empty the LRs as we go so the next vCPU loaded here finds no stale entry. */
	for (unsigned i = 0; i < c->used_lrs; i++) {
		c->lr_saved[i] = vgic_hw_read_lr(i);
		vgic_hw_write_lr(i, 0);
	}
	if (ON_V2) {
		c->vmcr = vgic_v2_hw_read_vmcr();
		c->ap0r[0] = vgic_v2_hw_read_apr();
	} else {
		c->vmcr = read_sysreg_s(SYS_ICH_VMCR_EL2);
		for (unsigned i = 0; i < vgic_hw.nr_apr && i < VGIC_MAX_APRS; i++) {
			c->ap0r[i] = apr_read(false, i);
			c->ap1r[i] = apr_read(true, i);
		}
	}
	/* En=0: no virtual interrupts and no maintenance interrupts until the next restore. */
	vgic_hw_write_hcr(0);
	loaded[cpu] = NULL;
	/* The first entry after the switch back goes through the full refill (and its restore). */
	__atomic_store_n(&c->stale, 1, __ATOMIC_RELAXED);
}

void vgic_hw_load_cpu_if(const struct vgic_cpu *c)
{
	if (ON_V2) {
		vgic_v2_hw_write_apr((uint32_t)c->ap0r[0]);
		vgic_v2_hw_write_vmcr((uint32_t)c->vmcr);
		vgic_v2_hw_write_hcr(c->hcr);
		return;
	}
	for (unsigned i = 0; i < vgic_hw.nr_apr && i < VGIC_MAX_APRS; i++) {
		apr_write(false, i, c->ap0r[i]);
		apr_write(true, i, c->ap1r[i]);
	}
	write_sysreg_s(SYS_ICH_VMCR_EL2, c->vmcr);
	vgic_hw_write_hcr(c->hcr);
}

void vgic_restore(struct vcpu *v)
{
	struct vgic_cpu *c = v->vgic;
	unsigned cpu = cpu_id();

	if (!c || loaded[cpu] == v)
		return; /* already live here: rewriting would drop the guest's progress */
	if (loaded[cpu])
		vgic_save(loaded[cpu]); /* the core forgot a save: keep the other vCPU intact */
	for (unsigned i = 0; i < c->used_lrs; i++)
		vgic_hw_write_lr(i, c->lr_saved[i]);
	vgic_hw_load_cpu_if(c);
	loaded[cpu] = v;
}

void vgic_init_cpu(void)
{
	if (!vgic_hw.nr_lr)
		vgic_hw_probe();
	if (ON_V2) {
		vgic_v2_hw_init_cpu();
		loaded[cpu_id()] = NULL;
		if (vgic_hw.maint_intid)
			gic_irq_enable(vgic_hw.maint_intid);
		return;
	}
	/* The ICH registers reset to UNKNOWN values: start from an empty, disabled interface. */
	vgic_hw_write_hcr(0);
	write_sysreg_s(SYS_ICH_VMCR_EL2, 0);
	for (unsigned i = 0; i < vgic_hw.nr_lr; i++)
		vgic_hw_write_lr(i, 0);
	for (unsigned i = 0; i < vgic_hw.nr_apr && i < VGIC_MAX_APRS; i++) {
		apr_write(false, i, 0);
		apr_write(true, i, 0);
	}
	isb();
	loaded[cpu_id()] = NULL;
	if (vgic_hw.maint_intid)
		gic_irq_enable(vgic_hw.maint_intid);
}
