/* Virtual PL061: the register logic of vpl061_regs.c behind a lock, on the VM's MMIO bus, with
 * its interrupt on a vGIC SPI. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/spinlock.h>
#include <zvm/mmio.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl061.h>
#include <zvm/vm.h>

struct vpl061 {
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

int vpl061_create(struct vm *vm)
{
	struct vpl061 *g;
	int err;

	if (vm->gpio)
		return -EEXIST;
	g = k_calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	vpl061_regs_reset(&g->regs);
	g->vm = vm;
	err = mmio_register(&vm->mmio, VPL061_BASE, VPL061_SIZE, &vpl061_ops, g);
	if (err) {
		k_free(g);
		return err;
	}
	vm->gpio = g;
	return 0;
}

void vpl061_destroy(struct vm *vm)
{
	k_free(vm->gpio);
	vm->gpio = NULL;
}

void vpl061_reset(struct vm *vm)
{
	struct vpl061 *g = vm->gpio;

	if (!g)
		return;
	k_spinlock_key_t key = k_spin_lock(&g->lock);

	vpl061_regs_reset(&g->regs);
	update_line(g);
	k_spin_unlock(&g->lock, key);
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
