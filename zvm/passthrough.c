/* Passthrough of MMIO devices with their interrupts (include/zvm/passthrough.h). The DT checks
 * are passthrough_dt.c's (host unit-tested); this is the claims, the stage-2 mapping and the
 * interrupt forwarding. */
#include <drivers/gicv3.h>
#include <errno.h>
#include <kernel/board.h>
#include <kernel/heap.h>
#include <kernel/init.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/spinlock.h>
#include <string.h>
#include <zvm/passthrough.h>
#include <zvm/passthrough_dt.h>
#include <zvm/stage2.h>
#include <zvm/vcpu.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

#define PT_MAX 8 /* devices passed through since boot, each keeping its slot */

/* One device of the board, once claimed: its slot stays (with its path) after the VM goes, as
 * its forwarded interrupt handler stays connected with the slot as argument (the IRQ table has
 * no disconnect). */
struct pt_claim {
	char path[PT_PATH_MAX]; /* "" while the slot was never used */
	uint64_t base, size;	/* claims_lock */
	struct vm *owner;	/* claims_lock; NULL when free */
	struct k_spinlock lock; /* the fields below: the handler reads them */
	struct vm *vm;		/* whom its interrupts go to, NULL: nobody */
	unsigned vintid;	/* the guest's INTID */
	int pintid;		/* the physical one, -1 when none */
	int route_cpu;		/* where the SPI is routed, -1: not yet set here */
	uint64_t forwarded;	/* interrupts injected into the current owner */
	bool connected;		/* handler installed (for good) */
};

static struct pt_claim claims[PT_MAX];
static struct k_spinlock claims_lock;

struct pt_dev {
	struct vdev vdev; /* first: the vdev pointer is the device's */
	struct pt_claim *claim;
	struct pt_node node;
};

/* ---- The forwarded interrupt ---- */

/* Moves the SPI to the CPU of the vCPU it targets, when that vCPU's thread moved. c->lock. */
static void route(struct pt_claim *c, struct vm *vm)
{
	int i = vgic_spi_target(vm, c->vintid);

	if (i < 0 || (unsigned)i >= vm->nr_vcpus || !vm->vcpus[i])
		return;
	int cpu = __atomic_load_n(&vm->vcpus[i]->thread.cpu, __ATOMIC_RELAXED);

	if (cpu < 0 || cpu >= CONFIG_MAX_CPUS || cpu == c->route_cpu)
		return;
	gicv3_irq_set_affinity((unsigned)c->pintid, cpus[cpu].mpidr);
	c->route_cpu = cpu;
}

/* Interrupt context: the dispatch drops the priority only, so the physical SPI stays active
 * until the guest deactivates the virtual one (HW bit) and cannot fire meanwhile. */
static void pt_irq(unsigned intid, void *arg)
{
	struct pt_claim *c = arg;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	struct vm *vm = c->vm;

	if (vm && c->pintid == (int)intid) {
		c->forwarded++;
		vgic_inject(vm, NULL, c->vintid);
		route(c, vm);
	} else {
		/* Released meanwhile: nobody will deactivate it. */
		gicv3_irq_disable(intid);
		gicv3_irq_clear_active(intid);
	}
	k_spin_unlock(&c->lock, key);
}

/* The physical SPI off, inactive, not pending (delete, reset). */
static void irq_quiet(int pintid)
{
	if (pintid < 0)
		return;
	gicv3_irq_disable((unsigned)pintid);
	gicv3_irq_clear_active((unsigned)pintid);
	gicv3_irq_clear_pending((unsigned)pintid);
}

/* ---- Claims ---- */

static bool overlaps(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return b1 < b2 + s2 && b2 < b1 + s1;
}

/* The slot for path, owned by vm from now; NULL with the reason printed. */
static struct pt_claim *claim(struct vm *vm, const char *path, const struct pt_node *n)
{
	struct pt_claim *slot = NULL, *c;
	k_spinlock_key_t key = k_spin_lock(&claims_lock);

	for (c = claims; c < claims + PT_MAX; c++) {
		if (c->owner &&
		    (!strcmp(c->path, path) || overlaps(c->base, c->size, n->base, n->size))) {
			printk("error: --pass %s: it belongs to vm %u (%s)\n", path, c->owner->id,
			       c->owner->name);
			k_spin_unlock(&claims_lock, key);
			return NULL;
		}
		if (!strcmp(c->path, path))
			slot = c;
	}
	for (c = claims; !slot && c < claims + PT_MAX; c++)
		if (!c->path[0])
			slot = c;
	if (slot) {
		strcpy(slot->path, path);
		slot->base = n->base;
		slot->size = n->size;
		slot->owner = vm;
	}
	k_spin_unlock(&claims_lock, key);
	if (!slot)
		printk("error: --pass %s: at most %u devices can be passed through\n", path,
		       PT_MAX);
	return slot;
}

/* Takes the device back from its VM: no interrupt reaches the VM any more, the physical one is
 * off and inactive, and another VM may claim it. Idempotent. */
static void release(struct pt_dev *p)
{
	struct pt_claim *c = p->claim;

	if (!c)
		return;
	k_spinlock_key_t key = k_spin_lock(&c->lock);
	int pintid = c->pintid;

	c->vm = NULL;
	k_spin_unlock(&c->lock, key);
	irq_quiet(pintid);
	key = k_spin_lock(&claims_lock);
	c->owner = NULL;
	k_spin_unlock(&claims_lock, key);
	p->claim = NULL;
}

/* ---- The vdev ---- */

static struct pt_dev *pt_of(struct vdev *d)
{
	return (struct pt_dev *)d;
}

/* Before the vCPUs are freed: the handler reaches them through the vGIC. */
static void pt_stop(struct vdev *d)
{
	release(pt_of(d));
}

static void pt_destroy(struct vdev *d)
{
	release(pt_of(d));
	k_free(d);
}

/* VM reset: the vGIC forgot what the guest had taken (LRs emptied without a deactivation), so
 * the physical SPI is deactivated here, then enabled again for the next boot. The device
 * itself keeps its state: ZVM cannot reset an arbitrary device. */
static void pt_reset(struct vdev *d)
{
	struct pt_claim *c = pt_of(d)->claim;

	if (!c || c->pintid < 0)
		return;
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	irq_quiet(c->pintid);
	/* A firing latched between the vGIC's reset and here belongs to the old boot. */
	vgic_spi_unpend(d->vm, c->vintid);
	gicv3_irq_enable((unsigned)c->pintid);
	k_spin_unlock(&c->lock, key);
}

static int pt_fdt_node(struct vdev *d, void *fdt)
{
	struct pt_dev *p = pt_of(d);

	return pt_node_write(fdt, host_dtb(), &p->node, d->nr_spis ? d->spis[0] : 0,
			     VM_FDT_PHANDLE_CLK);
}

static void pt_info(struct vdev *d, void (*print)(const char *fmt, ...))
{
	struct pt_dev *p = pt_of(d);
	struct pt_claim *c = p->claim;

	if (!c)
		return;
	if (c->pintid < 0) {
		print("passthrough %s: 0x%llx size 0x%llx, no interrupt\n", c->path,
		      (unsigned long long)p->node.base, (unsigned long long)p->node.size);
		return;
	}
	print("passthrough %s: 0x%llx size 0x%llx, SPI %u = host INTID %d (routed to CPU %d), "
	      "%llu interrupts\n",
	      c->path, (unsigned long long)p->node.base, (unsigned long long)p->node.size,
	      d->spis[0], c->pintid, c->route_cpu,
	      (unsigned long long)__atomic_load_n(&c->forwarded, __ATOMIC_RELAXED));
}

static const struct vdev_ops pt_ops = {
    .stop = pt_stop,
    .reset = pt_reset,
    .destroy = pt_destroy,
    .fdt_node = pt_fdt_node,
    .info = pt_info,
};

/* ---- Creation ---- */

/* The guest must have nothing at [base, base + size): no emulated device, no RAM, no map. */
static const char *guest_conflict(struct vm *vm, uint64_t base, uint64_t size)
{
	if (overlaps(base, size, vm->mem.ipa_base, vm->mem.size))
		return "its address is guest RAM in this VM";
	if (base + size > (1ULL << stage2_ipa_bits()))
		return "its address is beyond the VM's IPA space";
	for (uint64_t a = base; a < base + size; a += S2_PAGE_SIZE)
		if (mmio_search(&vm->mmio, a) || stage2_translate(&vm->s2, a) != (uint64_t)-1)
			return "the VM has an emulated device at that address";
	/* A region that starts below base and covers it is found by the search too; one that
	 * starts inside is found at its page. */
	return NULL;
}

/* The host's own devices: the console UART and the GIC. */
static unsigned host_regions(struct pt_region *r, unsigned max)
{
	const struct board *b = host_board();
	unsigned n = 0;

	if (b->uart.present && n < max)
		r[n++] = (struct pt_region){b->uart.reg.base, b->uart.reg.size};
	if (n < max)
		r[n++] = (struct pt_region){b->gic.dist.base, b->gic.dist.size};
	for (unsigned i = 0; i < b->gic.nr_redist && n < max; i++)
		r[n++] = (struct pt_region){b->gic.redist[i].base, b->gic.redist[i].size};
	return n;
}

/* The physical SPI configured for forwarding and enabled, its interrupts going to vm's
 * vintid. */
static int connect_irq(struct pt_claim *c, struct vm *vm, const struct pt_node *n, unsigned vintid)
{
	unsigned pintid = (unsigned)n->intid;

	if (!c->connected) {
		if (irq_connected(pintid) || irq_connect_forwarded(pintid, pt_irq, c))
			return -EBUSY;
		c->connected = true;
	}
	gicv3_irq_disable(pintid);
	gicv3_irq_set_trigger(pintid, pt_irq_edge(n->irq_type));
	gicv3_irq_clear_active(pintid);
	gicv3_irq_clear_pending(pintid);
	gicv3_irq_set_affinity(pintid, cpus[cpu_id()].mpidr);
	k_spinlock_key_t key = k_spin_lock(&c->lock);

	c->vintid = vintid;
	c->pintid = n->intid;
	c->route_cpu = (int)cpu_id();
	c->forwarded = 0;
	c->vm = vm;
	k_spin_unlock(&c->lock, key);
	gicv3_irq_enable(pintid);
	return 0;
}

static int create_one(struct vm *vm, const char *path)
{
	struct pt_region host[2 + BOARD_MAX_GICR];
	struct pt_node n;
	const char *why;
	int err, spi;

	err =
	    pt_node_check(host_dtb(), path, host, host_regions(host, 2 + BOARD_MAX_GICR), &n, &why);
	/* The forwarding drives the host's GICv3 (IROUTER, HW list registers); on a GICv2 host
	 * the GICv3 driver knows no interrupt and the check below would say "beyond". */
	if (!err && vgic_is_v2()) {
		why = "passthrough needs a GICv3 host (not done for GICv2)";
		err = -ENOTSUP;
	}
	if (!err && n.intid >= (int)gicv3_nr_irqs()) {
		why = "its interrupt is beyond the GIC's";
		err = -EINVAL;
	}
	if (!err && (why = guest_conflict(vm, n.base, n.size)))
		err = -EBUSY;
	if (err) {
		printk("error: --pass %s: %s\n", path, why);
		return err;
	}
	struct pt_dev *p = k_calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->node = n;
	vdev_init(vm, &p->vdev, "passthrough", &pt_ops); /* from here the VM frees it */
	p->claim = claim(vm, path, &n);
	if (!p->claim)
		return -EBUSY;
	p->claim->pintid = -1;
	if (n.intid >= 0) {
		/* The host's SPI number when the guest has it free, as on the board. */
		spi = vdev_add_spi(&p->vdev, n.intid - 32);
		if (spi < 0)
			spi = vdev_add_spi(&p->vdev, VDEV_SPI_ANY);
		if (spi < 0) {
			printk("error: --pass %s: no free SPI in the VM\n", path);
			return spi;
		}
	}
	err = stage2_map(&vm->s2, n.base, n.base, n.size, S2_DEVICE);
	if (err) {
		printk("error: --pass %s: cannot map it: %d\n", path, err);
		return err;
	}
	if (n.intid < 0)
		return 0;
	err = vgic_spi_link_hw(vm, 32 + (unsigned)spi, n.intid);
	if (!err)
		err = connect_irq(p->claim, vm, &n, 32 + (unsigned)spi);
	if (err)
		printk("error: --pass %s: the host uses its interrupt (INTID %d)\n", path, n.intid);
	return err;
}

/* The next path of a "/a,/b" list into path: 1, 0 at the end, -EINVAL (too long; *list then
 * stays). */
static int next_path(const char **list, char path[PT_PATH_MAX])
{
	const char *end = strstr(*list, ",/");
	size_t len = end ? (size_t)(end - *list) : strlen(*list);

	if (!**list)
		return 0;
	if (len >= PT_PATH_MAX)
		return -EINVAL;
	memcpy(path, *list, len);
	path[len] = '\0';
	*list += len + (end ? 1 : 0);
	return 1;
}

int passthrough_create(struct vm *vm, const char *list)
{
	char path[PT_PATH_MAX];
	int r;

	while ((r = next_path(&list, path)) > 0) {
		int err = create_one(vm, path);

		if (err)
			return err;
	}
	if (r < 0)
		printk("error: --pass: a node path has at most %u characters\n", PT_PATH_MAX - 1);
	return r;
}

bool passthrough_covers(const char *list, uint64_t addr)
{
	struct pt_region host[2 + BOARD_MAX_GICR];
	char path[PT_PATH_MAX];
	struct pt_node n;
	const char *why;

	while (next_path(&list, path) > 0)
		if (!pt_node_check(host_dtb(), path, host, host_regions(host, 2 + BOARD_MAX_GICR),
				   &n, &why) &&
		    addr >= n.base && addr - n.base < n.size)
			return true;
	return false;
}
