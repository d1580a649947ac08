/* Virtual PL061: the register logic of vpl061_regs.c behind a lock, a vdev with its MMIO region
 * and its interrupt on a vGIC SPI. vm->gpio points at it for the power button. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/spinlock.h>
#include <zvm/mmio.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/vm.h>
#include <zvm/vm_fdt.h>

struct vpl061 {
	struct vdev vdev; /* first: the vdev ops get it */
	/* regs and line; held across the vGIC call so levels reach it in order (nothing the vGIC
	 * calls takes it). */
	struct k_spinlock lock;
	struct vpl061_regs regs;
	bool line;
	struct vm *vm;
};

/* Lock held: brings the SPI to MIS != 0. */
static void update_line(struct vpl061 *g)
{
	bool level = vpl061_regs_mis(&g->regs) != 0;

	if (level != g->line) {
		g->line = level;
		vgic_set_irq(g->vm, NULL, VPL061_INTID, level);
	}
}

static int vpl061_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct vpl061 *g = dev;
	k_spinlock_key_t key = k_spin_lock(&g->lock);
	int err = vpl061_regs_read(&g->regs, offset, size, val);

	(void)v;
	k_spin_unlock(&g->lock, key);
	return err;
}

static int vpl061_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct vpl061 *g = dev;
	k_spinlock_key_t key = k_spin_lock(&g->lock);
	int err = vpl061_regs_write(&g->regs, offset, size, val);

	(void)v;
	update_line(g);
	k_spin_unlock(&g->lock, key);
	return err;
}

static const struct mmio_ops vpl061_ops = {
    .read = vpl061_read,
    .write = vpl061_write,
};

static void vpl061_reset(struct vdev *d)
{
	struct vpl061 *g = (struct vpl061 *)d;
	k_spinlock_key_t key = k_spin_lock(&g->lock);

	vpl061_regs_reset(&g->regs);
	update_line(g);
	k_spin_unlock(&g->lock, key);
}

static void vpl061_destroy(struct vdev *d)
{
	if (d->vm->gpio == (struct vpl061 *)d)
		d->vm->gpio = NULL;
	k_free(d);
}

static int vpl061_fdt_node(struct vdev *d, void *fdt)
{
	(void)d;
	return vm_fdt_pl061_nodes(fdt, VPL061_BASE, VPL061_SPI, VPL061_POWER_PIN);
}

static const struct vdev_ops vpl061_vdev_ops = {
    .reset = vpl061_reset,
    .destroy = vpl061_destroy,
    .fdt_node = vpl061_fdt_node,
};

int vpl061_create(struct vm *vm)
{
	struct vpl061 *g;
	int err;

	if (vm->gpio)
		return -EEXIST;
	if (vm->board_gpio)
		return 0; /* the VM's PL061 is the board's, passed through: no power button here */
	g = k_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	vpl061_regs_reset(&g->regs);
	g->vm = vm;
	vdev_init(vm, &g->vdev, "pl061", &vpl061_vdev_ops);
	err = vdev_add_spi(&g->vdev, VPL061_SPI);
	if (err < 0)
		return err;
	err = vdev_add_mmio(&g->vdev, VPL061_BASE, VPL061_SIZE, &vpl061_ops, g);
	if (err)
		return err;
	vm->gpio = g;
	return 0;
}

void vpl061_set_input(struct vm *vm, unsigned pin, bool level)
{
	struct vpl061 *g = vm->gpio;

	if (!g)
		return;
	k_spinlock_key_t key = k_spin_lock(&g->lock);

	vpl061_regs_set_input(&g->regs, pin, level);
	update_line(g);
	k_spin_unlock(&g->lock, key);
}
