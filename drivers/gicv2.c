/* GICv2 host driver: distributor and memory-mapped CPU interface (GICC). Interrupt groups are
 * left as reset or firmware made them (include/drivers/gicv2.h); priorities, enables, targets
 * and trigger modes are ours. */
#include <arch/sysreg.h>
#include <arch/gicv3_regs.h>
#include <arch/mmio.h>
#include <drivers/gic.h>
#include <drivers/gicv2.h>
#include <errno.h>
#include <kernel/config.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

#define PRIO_X4	      (0x01010101u * GIC_PRIO_DEFAULT)
#define GICD_PIDR2_V2 0x0fe8 /* the v2 distributor's ID block sits at the end of 4 KiB */

static uintptr_t gicd, gicc;
static unsigned nr_irqs;
static bool eoi_split; /* GICC_CTLR.EOImode set: EOIR drops the priority, DIR deactivates */
static uint8_t cpu_mask[CONFIG_MAX_CPUS]; /* each CPU's GICv2 interface bit; 0 = not yet */
/* Source CPU of the SGI each CPU acknowledged last, per SGI number (header: why one is enough). */
static uint8_t sgi_src[CONFIG_MAX_CPUS][GIC_NR_SGIS];
static struct k_spinlock cfg_lock; /* read-modify-write of ICFGR */

static uint8_t read_cpu_mask(void)
{
	uint32_t t[GICD_NR_ITARGETSR_PRIV];

	for (unsigned i = 0; i < GICD_NR_ITARGETSR_PRIV; i++)
		t[i] = readl(gicd + GICD_ITARGETSR(4 * i));
	uint8_t m = gicv2_cpu_mask(t);

	/* A uniprocessor GIC reads ITARGETSR as zero: its one interface is bit 0. */
	if (!m && GICD_TYPER_CPUNUM(readl(gicd + GICD_TYPER)) == 0)
		m = 1;
	return m;
}

int gicv2_init(uintptr_t gicd_base, uintptr_t gicc_base, uint64_t gicc_size)
{
	if (!gicd_base || !gicc_base)
		return -EINVAL;
	unsigned rev = GIC_PIDR2_ARCHREV(readl(gicd_base + GICD_PIDR2_V2));

	/* The ID block is optional in v2, but a v3 one means the tree named the wrong driver. */
	if (rev == GIC_ARCHREV_GICV3 || rev == GIC_ARCHREV_GICV4) {
		pr_err("GICv2: distributor at 0x%llx has ArchRev %u\n",
		       (unsigned long long)gicd_base, rev);
		return -ENODEV;
	}
	gicd = gicd_base;
	gicc = gicc_base;
	/* Only the plain 8 KiB layout (QEMU's region is larger but not aliased): a GIC-400 mapped
	 * with its pages aliased every 64 KiB has something else at 0x1000. */
	eoi_split = gicc_size >= GICC_DIR_SIZE && gicc_size < GICC_ALIAS_SIZE;
	unsigned n = 32 * (GICD_TYPER_ITLINES(readl(gicd + GICD_TYPER)) + 1);

	nr_irqs = n > GIC_INTID_SPECIAL ? GIC_INTID_SPECIAL : n;
	writel(0, gicd + GICD_CTLR);

	uint8_t boot = read_cpu_mask();

	if (!boot)
		return -ENODEV;
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 32) {
		writel(~0u, gicd + GICD_ICENABLER(i));
		writel(~0u, gicd + GICD_ICACTIVER(i));
		writel(~0u, gicd + GICD_ICPENDR(i));
	}
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 16)
		writel(0, gicd + GICD_ICFGR(i)); /* level */
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 4) {
		writel(PRIO_X4, gicd + GICD_IPRIORITYR(i));
		writel(0x01010101u * boot, gicd + GICD_ITARGETSR(i));
	}
	writel(GICD_CTLR_EN_V2, gicd + GICD_CTLR);
	pr_info("GICv2: distributor at 0x%llx, CPU interface at 0x%llx, %u SPIs\n",
		(unsigned long long)gicd_base, (unsigned long long)gicc_base,
		nr_irqs - GIC_SPI_BASE);
	return 0;
}

int gicv2_cpu_init(void)
{
	unsigned cpu = cpu_id();
	uint8_t m = read_cpu_mask();

	if (!gicd || !m || cpu >= CONFIG_MAX_CPUS) {
		pr_err("GICv2: no CPU interface number for CPU %u\n", cpu);
		return -ENODEV;
	}
	/* The banked SGI/PPI registers: all disabled, inactive, not pending, default priority. */
	writel(~0u, gicd + GICD_ICENABLER(0));
	writel(~0u, gicd + GICD_ICACTIVER(0));
	writel(~0u, gicd + GICD_ICPENDR(0));
	for (unsigned i = 0; i < GIC_NR_SGIS; i += 4)
		writel(~0u, gicd + GICD_CPENDSGIR(i));
	for (unsigned i = 0; i < GIC_NR_PRIVATE; i += 4)
		writel(PRIO_X4, gicd + GICD_IPRIORITYR(i));

	writel(0xff, gicc + GICC_PMR); /* every priority through */
	writel(0, gicc + GICC_BPR);    /* the minimum: all implemented bits preempt */
	writel(GICC_CTLR_EN | (eoi_split ? GICC_CTLR_EOIMODE : 0), gicc + GICC_CTLR);
	__atomic_store_n(&cpu_mask[cpu], m, __ATOMIC_RELEASE);
	return 0;
}

static bool valid(unsigned intid)
{
	return gicd && intid < nr_irqs;
}

/* The set/clear registers take one bit per INTID and ignore zeros: no lock needed. */
static void write_bit(unsigned intid, unsigned off)
{
	if (valid(intid))
		writel(1u << (intid % 32), gicd + off);
}

void gicv2_irq_enable(unsigned intid)
{
	write_bit(intid, GICD_ISENABLER(intid));
}

void gicv2_irq_disable(unsigned intid)
{
	if (!valid(intid))
		return;
	write_bit(intid, GICD_ICENABLER(intid));
	/* v2 has no RWP: a read from the same register returns after the write reached it. */
	(void)readl(gicd + GICD_ICENABLER(intid));
}

void gicv2_irq_set_pending(unsigned intid)
{
	if (intid < GIC_NR_SGIS) /* SGI pending bits are per source: send it to ourselves */
		gicv2_send_sgi(intid, cpu_id());
	else
		write_bit(intid, GICD_ISPENDR(intid));
}

void gicv2_irq_clear_pending(unsigned intid)
{
	if (intid < GIC_NR_SGIS && valid(intid))
		writeb(0xff, gicd + GICD_CPENDSGIR(intid));
	else
		write_bit(intid, GICD_ICPENDR(intid));
}

int gicv2_irq_set_priority(unsigned intid, uint8_t prio)
{
	if (!valid(intid))
		return -EINVAL;
	writeb(prio, gicd + GICD_IPRIORITYR(intid)); /* byte access is architected here */
	return 0;
}

int gicv2_irq_set_trigger(unsigned intid, bool edge)
{
	if (!valid(intid) || intid < GIC_PPI_BASE)
		return -EINVAL;
	uintptr_t reg = gicd + GICD_ICFGR(intid);
	uint32_t bit = GIC_ICFGR_EDGE << (2 * (intid % 16));
	k_spinlock_key_t key = k_spin_lock(&cfg_lock);
	uint32_t v = readl(reg);

	writel(edge ? v | bit : v & ~bit, reg);
	k_spin_unlock(&cfg_lock, key);
	return 0;
}

int gicv2_irq_route(unsigned intid, unsigned cpu)
{
	if (!valid(intid) || intid < GIC_SPI_BASE || cpu >= CONFIG_MAX_CPUS)
		return -EINVAL;
	uint8_t m = __atomic_load_n(&cpu_mask[cpu], __ATOMIC_ACQUIRE);

	if (!m)
		return -ENODEV;
	writeb(m, gicd + GICD_ITARGETSR(intid)); /* byte access is architected here too */
	return 0;
}

uintptr_t gicv2_private_frame(void)
{
	return gicd;
}

unsigned gicv2_ack(void)
{
	uint32_t iar = readl(gicc + GICC_IAR);
	unsigned intid = iar & GICC_IAR_INTID;

	if (intid < GIC_NR_SGIS)
		sgi_src[cpu_id()][intid] = (uint8_t)GICC_IAR_CPUID(iar);
	return intid;
}

static uint32_t eoir_value(unsigned intid)
{
	return gicv2_eoir_value(intid, intid < GIC_NR_SGIS ? sgi_src[cpu_id()][intid] : 0);
}

void gicv2_priority_drop(unsigned intid)
{
	writel(eoir_value(intid), gicc + GICC_EOIR);
}

void gicv2_deactivate(unsigned intid)
{
	if (eoi_split)
		writel(eoir_value(intid), gicc + GICC_DIR);
}

void gicv2_eoi(unsigned intid)
{
	uint32_t v = eoir_value(intid);

	writel(v, gicc + GICC_EOIR);
	if (eoi_split)
		writel(v, gicc + GICC_DIR);
}

bool gicv2_eoi_split(void)
{
	return eoi_split;
}

void gicv2_irq_clear_active(unsigned intid)
{
	write_bit(intid, GICD_ICACTIVER(intid));
}

void gicv2_send_sgi(unsigned sgi, unsigned cpu)
{
	if (sgi >= GIC_NR_SGIS || cpu >= CONFIG_MAX_CPUS || !gicd)
		return;
	uint8_t m = __atomic_load_n(&cpu_mask[cpu], __ATOMIC_ACQUIRE);

	if (!m)
		return; /* not up yet: it has nothing to be told */
	/* The sender's earlier stores (the message) are visible before the SGI arrives. */
	dsb(ishst);
	writel(gicv2_sgir_value(sgi, m), gicd + GICD_SGIR);
}

unsigned gicv2_running_priority(void)
{
	return gicc ? readl(gicc + GICC_RPR) & 0xff : GIC_PRIO_IDLE;
}

unsigned gicv2_nr_irqs(void)
{
	return nr_irqs;
}
