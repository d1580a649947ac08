/* The interrupt-controller API's cold half: one switch on the version per call. */
#include <arch/gicv3_regs.h>
#include <arch/sysreg.h>
#include <drivers/gic.h>
#include <errno.h>
#include <kernel/board.h>
#include <kernel/printk.h>
#include <kernel/percpu.h>

bool gic_is_v2;
static unsigned version;

static int init_v3(const struct board *b)
{
	uint64_t base[BOARD_MAX_GICR], size[BOARD_MAX_GICR];

	for (unsigned i = 0; i < b->gic.nr_redist && i < BOARD_MAX_GICR; i++) {
		base[i] = b->gic.redist[i].base;
		size[i] = b->gic.redist[i].size;
	}
	return gicv3_init(b->gic.dist.base, base, size, b->gic.nr_redist);
}

int gic_init(const struct board *b)
{
	int err;

	if (b->gic.version != (gic_is_v2 ? 2u : 3u)) {
		pr_err("GIC: version %u but the driver selected is v%u\n", b->gic.version,
		       gic_is_v2 ? 2 : 3);
		return -EINVAL;
	}
	switch (b->gic.version) {
	case 3:
		err = init_v3(b);
		break;
	case 2:
		err = gicv2_init(b->gic.dist.base, b->gic.cpu_if.base, b->gic.cpu_if.size);
		break;
	default:
		pr_err("GIC: version %u is not driven\n", b->gic.version);
		return -ENODEV;
	}
	if (!err)
		version = b->gic.version;
	return err;
}

extern const struct gic_branch_site __start_gic_v2_sites[], __stop_gic_v2_sites[];

/* The MMU is off, so these stores go straight to memory: only stale copies in the caches
 * (a unified level may hold the old nop) have to go before the new code is fetched. */
void gic_select(unsigned version)
{
	if (version != 2)
		return;
	gic_is_v2 = true;
	for (const struct gic_branch_site *s = __start_gic_v2_sites; s < __stop_gic_v2_sites; s++) {
		uint32_t *insn = (uint32_t *)(uintptr_t)s->site;

		*insn = gic_branch_insn(s->site, s->target);
		__asm__ volatile("dc civac, %0" : : "r"(insn) : "memory");
	}
	dsb(ish);
	__asm__ volatile("ic ialluis" ::: "memory");
	dsb(ish);
	isb();
}

unsigned gic_version(void)
{
	return version;
}

int gic_cpu_init(void)
{
	return gic_v2_branch() ? gicv2_cpu_init() : gicv3_cpu_init();
}

void gic_irq_enable(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_irq_enable(intid);
	else
		gicv3_irq_enable(intid);
}

void gic_irq_disable(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_irq_disable(intid);
	else
		gicv3_irq_disable(intid);
}

void gic_irq_set_pending(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_irq_set_pending(intid);
	else
		gicv3_irq_set_pending(intid);
}

void gic_irq_clear_pending(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_irq_clear_pending(intid);
	else
		gicv3_irq_clear_pending(intid);
}

int gic_irq_set_priority(unsigned intid, uint8_t prio)
{
	return gic_v2_branch() ? gicv2_irq_set_priority(intid, prio)
			       : gicv3_irq_set_priority(intid, prio);
}

int gic_irq_set_trigger(unsigned intid, bool edge)
{
	return gic_v2_branch() ? gicv2_irq_set_trigger(intid, edge)
			       : gicv3_irq_set_trigger(intid, edge);
}

int gic_irq_route(unsigned intid, unsigned cpu)
{
	if (cpu >= CONFIG_MAX_CPUS)
		return -EINVAL;
	return gic_v2_branch() ? gicv2_irq_route(intid, cpu)
			       : gicv3_irq_set_affinity(intid, cpus[cpu].mpidr);
}

uintptr_t gic_private_frame(void)
{
	return gic_v2_branch() ? gicv2_private_frame() : gicv3_private_frame();
}

unsigned gic_running_priority(void)
{
	if (gic_v2_branch())
		return gicv2_running_priority();
	return read_sysreg_s(SYS_ICC_RPR_EL1) & 0xff;
}

unsigned gic_nr_irqs(void)
{
	return gic_v2_branch() ? gicv2_nr_irqs() : gicv3_nr_irqs();
}

/* Both drivers split EOImode (the v2 one when its CPU interface has GICC_DIR). */
void gic_priority_drop(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_priority_drop(intid);
	else
		gicv3_priority_drop(intid);
}

void gic_deactivate(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_deactivate(intid);
	else
		gicv3_deactivate(intid);
}

void gic_irq_clear_active(unsigned intid)
{
	if (gic_v2_branch())
		gicv2_irq_clear_active(intid);
	else
		gicv3_irq_clear_active(intid);
}

bool gic_eoi_split(void)
{
	return gic_v2_branch() ? gicv2_eoi_split() : true;
}
