/* GICv3 host driver. Every interrupt is Non-secure group 1 with affinity routing; the hypervisor
 * runs at EL2 without VHE, so the ICC_*_EL1 registers reach the physical CPU interface. */
#include <arch/gicv3_regs.h>
#include <arch/mmio.h>
#include <arch/el.h>
#include <arch/sysreg.h>
#include <drivers/gicv3.h>
#include <errno.h>
#include <kernel/config.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>

#define MAX_RDIST_REGIONS 8
#define POLL_LIMIT	  1000000 /* RWP/ChildrenAsleep clear within microseconds */
#define PRIO_X4		  (0x01010101u * GICV3_PRIO_DEFAULT)

static uintptr_t gicd;
static unsigned nr_irqs;
static uint64_t region_base[MAX_RDIST_REGIONS], region_size[MAX_RDIST_REGIONS];
static unsigned nr_regions;
static uintptr_t rdist[CONFIG_MAX_CPUS]; /* RD_base of each CPU's redistributor */
/* EOImode 1 from boot on: the priority drop (ICC_EOIR1) and the deactivation (ICC_DIR) are
 * separate, so a passed-through device's SPI can be left active for its guest to deactivate
 * through a HW list register. Switched before any CPU interface is enabled: changing it with
 * interrupts active would leave them in a state neither mode ends. */
static bool eoi_split = true;
static bool sgi_rss = true;	   /* cleared if any CPU interface lacks ICC_CTLR.RSS */
static struct k_spinlock cfg_lock; /* read-modify-write of shared config registers */

static int poll_clear(uintptr_t reg, uint32_t bits, const char *what)
{
	for (unsigned i = 0; i < POLL_LIMIT; i++)
		if (!(readl(reg) & bits))
			return 0;
	pr_err("GICv3: timeout waiting for %s\n", what);
	return -ETIMEDOUT;
}

static int gicd_wait_rwp(void)
{
	return poll_clear(gicd + GICD_CTLR, GICD_CTLR_RWP, "GICD_CTLR.RWP");
}

/* The SGI frame lays out INTIDs 0..31 at the same offsets as the distributor's arrays, so one
 * set of GICD_* offsets serves both: this picks the frame that holds intid. 0 = not usable. */
static uintptr_t frame_of(unsigned intid)
{
	if (intid >= GIC_NR_PRIVATE)
		return intid < nr_irqs ? gicd : 0;
	uintptr_t rd = rdist[cpu_id()];

	return rd ? rd + GICR_SGI_OFFSET : 0;
}

/* Waits until a disable has taken effect, in whichever block tracks it. */
static void wait_rwp_of(unsigned intid)
{
	if (intid >= GIC_NR_PRIVATE)
		gicd_wait_rwp();
	else
		poll_clear(rdist[cpu_id()] + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP");
}

int gicv3_init(uintptr_t gicd_base, const uint64_t *gicr_bases, const uint64_t *gicr_sizes,
	       unsigned n_gicr)
{
	if (!gicd_base || !n_gicr || n_gicr > MAX_RDIST_REGIONS)
		return -EINVAL;

	unsigned rev = GIC_PIDR2_ARCHREV(readl(gicd_base + GICD_PIDR2));

	if (rev != GIC_ARCHREV_GICV3 && rev != GIC_ARCHREV_GICV4) {
		pr_err("GICv3: distributor at 0x%llx has ArchRev %u\n",
		       (unsigned long long)gicd_base, rev);
		return -ENODEV;
	}
	for (unsigned i = 0; i < n_gicr; i++) {
		region_base[i] = gicr_bases[i];
		region_size[i] = gicr_sizes[i];
	}
	nr_regions = n_gicr;
	gicd = gicd_base;
	nr_irqs = gicv3_typer_nr_irqs(readl(gicd + GICD_TYPER));

	/* Affinity routing may only change while both groups are disabled. */
	writel(0, gicd + GICD_CTLR);
	if (gicd_wait_rwp())
		return -ETIMEDOUT;
	writel(GICD_CTLR_ARE_NS, gicd + GICD_CTLR);
	if (gicd_wait_rwp())
		return -ETIMEDOUT;

	uint64_t route = gicv3_mpidr_to_irouter(read_sysreg(mpidr_el1));

	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 32) {
		writel(~0u, gicd + GICD_ICENABLER(i));
		writel(~0u, gicd + GICD_ICACTIVER(i));
		writel(~0u, gicd + GICD_ICPENDR(i));
		writel(~0u, gicd + GICD_IGROUPR(i));
		writel(0, gicd + GICD_IGRPMODR(i)); /* with IGROUPR=1: Non-secure group 1 */
	}
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 16)
		writel(0, gicd + GICD_ICFGR(i)); /* level */
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i += 4)
		writel(PRIO_X4, gicd + GICD_IPRIORITYR(i));
	for (unsigned i = GIC_SPI_BASE; i < nr_irqs; i++)
		writeq(route, gicd + GICD_IROUTER(i));
	if (gicd_wait_rwp())
		return -ETIMEDOUT;

	writel(GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A | GICD_CTLR_ENABLE_G1, gicd + GICD_CTLR);
	if (gicd_wait_rwp())
		return -ETIMEDOUT;
	pr_info("GICv3: distributor at 0x%llx, %u SPIs, %u redistributor region(s)\n",
		(unsigned long long)gicd_base, nr_irqs - GIC_SPI_BASE, n_gicr);
	return 0;
}

static void program_eoi_mode(void)
{
	uint64_t ctlr = read_sysreg_s(SYS_ICC_CTLR_EL1);

	ctlr = eoi_split ? ctlr | ICC_CTLR_EOIMODE : ctlr & ~(uint64_t)ICC_CTLR_EOIMODE;
	write_sysreg_s(SYS_ICC_CTLR_EL1, ctlr);
	isb();
}

static int cpu_interface_init(void)
{
	/* SRE: this CPU uses the system registers; Enable: EL1 may choose them too (a guest's
	 * ICC_* accesses then go to the virtual interface). */
	write_sysreg_s(EL_ICC_SRE, read_sysreg_s(EL_ICC_SRE) | EL_ICC_SRE_BITS);
	isb();
	if (!(read_sysreg_s(EL_ICC_SRE) & ICC_SRE_SRE))
		return -ENODEV;

	write_sysreg_s(SYS_ICC_PMR_EL1, 0xff); /* let every priority through */
	write_sysreg_s(SYS_ICC_BPR1_EL1, 0);   /* no subpriority: all bits preempt */
	if (!(read_sysreg_s(SYS_ICC_CTLR_EL1) & ICC_CTLR_RSS))
		sgi_rss = false;
	program_eoi_mode();
	write_sysreg_s(SYS_ICC_IGRPEN1_EL1, ICC_IGRPEN_ENABLE);
	isb();
	return 0;
}

int gicv3_cpu_init(void)
{
	uint64_t mpidr = read_sysreg(mpidr_el1);
	unsigned cpu = cpu_id();
	uintptr_t rd = gicv3_rdist_find(region_base, region_size, nr_regions, mpidr);

	if (!rd || cpu >= CONFIG_MAX_CPUS) {
		pr_err("GICv3: no redistributor for MPIDR 0x%llx\n", (unsigned long long)mpidr);
		return -ENODEV;
	}

	/* A redistributor starts asleep: it forwards nothing until woken. */
	writel(readl(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP, rd + GICR_WAKER);
	if (poll_clear(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, "GICR_WAKER.ChildrenAsleep"))
		return -ETIMEDOUT;

	uintptr_t sgi = rd + GICR_SGI_OFFSET;

	writel(~0u, sgi + GICR_ICENABLER0);
	writel(~0u, sgi + GICR_ICACTIVER0);
	writel(~0u, sgi + GICR_IGROUPR0);
	writel(0, sgi + GICR_IGRPMODR0);
	for (unsigned i = 0; i < GIC_NR_PRIVATE; i += 4)
		writel(PRIO_X4, sgi + GICR_IPRIORITYR(i));
	if (poll_clear(rd + GICR_CTLR, GICR_CTLR_RWP, "GICR_CTLR.RWP"))
		return -ETIMEDOUT;
	rdist[cpu] = rd;

	int err = cpu_interface_init();

	if (err) {
		pr_err("GICv3: CPU %u cannot use the system register interface\n", cpu);
		rdist[cpu] = 0;
	}
	return err;
}

void gicv3_set_eoi_split(bool split)
{
	eoi_split = split;
	if (rdist[cpu_id()])
		program_eoi_mode();
}

/* The set/clear registers take one bit per INTID and ignore zeros: no lock needed. */
static void write_bit(unsigned intid, unsigned off)
{
	uintptr_t base = frame_of(intid);

	if (base)
		writel(1u << (intid % 32), base + off);
}

uintptr_t gicv3_private_frame(void)
{
	return frame_of(0);
}

void gicv3_irq_enable(unsigned intid)
{
	write_bit(intid, GICD_ISENABLER(intid));
}

void gicv3_irq_disable(unsigned intid)
{
	if (!frame_of(intid))
		return;
	write_bit(intid, GICD_ICENABLER(intid));
	wait_rwp_of(intid); /* once back, the interrupt is no longer signalled */
}

void gicv3_irq_clear_active(unsigned intid)
{
	write_bit(intid, GICD_ICACTIVER(intid));
}

bool gicv3_irq_is_active(unsigned intid)
{
	uintptr_t base = frame_of(intid);

	return base && (readl(base + GICD_ISACTIVER(intid)) >> (intid % 32) & 1);
}

void gicv3_irq_set_pending(unsigned intid)
{
	write_bit(intid, GICD_ISPENDR(intid));
}

void gicv3_irq_clear_pending(unsigned intid)
{
	write_bit(intid, GICD_ICPENDR(intid));
}

int gicv3_irq_set_priority(unsigned intid, uint8_t prio)
{
	uintptr_t base = frame_of(intid);

	if (!base)
		return -EINVAL;
	writeb(prio, base + GICD_IPRIORITYR(intid)); /* byte access is architected here */
	return 0;
}

int gicv3_irq_set_trigger(unsigned intid, bool edge)
{
	uintptr_t base = frame_of(intid);

	if (!base || intid < GIC_PPI_BASE)
		return -EINVAL;
	uintptr_t reg = base + GICD_ICFGR(intid);
	uint32_t bit = GIC_ICFGR_EDGE << (2 * (intid % 16));
	k_spinlock_key_t key = k_spin_lock(&cfg_lock);
	uint32_t v = readl(reg);

	writel(edge ? v | bit : v & ~bit, reg);
	k_spin_unlock(&cfg_lock, key);
	return 0;
}

int gicv3_irq_set_affinity(unsigned intid, uint64_t mpidr)
{
	if (intid < GIC_SPI_BASE || intid >= nr_irqs)
		return -EINVAL;
	writeq(gicv3_mpidr_to_irouter(mpidr), gicd + GICD_IROUTER(intid));
	return 0;
}

unsigned gicv3_ack(void)
{
	return read_sysreg_s(SYS_ICC_IAR1_EL1) & ICC_IAR_INTID_MASK;
}

void gicv3_priority_drop(unsigned intid)
{
	write_sysreg_s(SYS_ICC_EOIR1_EL1, intid);
	isb();
}

void gicv3_deactivate(unsigned intid)
{
	write_sysreg_s(SYS_ICC_DIR_EL1, intid);
	isb();
}

void gicv3_eoi_relaxed(unsigned intid)
{
	write_sysreg_s(SYS_ICC_EOIR1_EL1, intid);
	if (eoi_split)
		write_sysreg_s(SYS_ICC_DIR_EL1, intid);
}

void gicv3_end(unsigned intid, bool deactivate)
{
	write_sysreg_s(SYS_ICC_EOIR1_EL1, intid);
	if (deactivate)
		write_sysreg_s(SYS_ICC_DIR_EL1, intid);
	isb();
}

void gicv3_eoi(unsigned intid)
{
	gicv3_eoi_relaxed(intid);
	isb();
}

void gicv3_send_sgi(unsigned sgi, uint64_t target_mpidr)
{
	if (sgi >= GIC_NR_SGIS)
		return;
	if ((target_mpidr & 0xff) >= 16 && !sgi_rss) {
		pr_err("GICv3: cannot target Aff0 %u without ICC_CTLR.RSS\n",
		       (unsigned)(target_mpidr & 0xff));
		return;
	}
	/* The sender's earlier stores (the message) must be visible before the SGI arrives; a
	 * system register write is not a memory access, so only a DSB orders it. */
	dsb(ishst);
	write_sysreg_s(SYS_ICC_SGI1R_EL1, gicv3_sgi1r_value(sgi, target_mpidr));
	isb();
}

unsigned gicv3_nr_irqs(void)
{
	return nr_irqs;
}
