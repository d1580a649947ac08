/* Virtual PL011: the register logic of vpl011_regs.c behind a lock, on the VM's MMIO bus, with
 * its interrupt on a vGIC SPI and its output in the VM's console. */
#include <errno.h>
#include <kernel/heap.h>
#include <kernel/spinlock.h>
#include <zvm/mmio.h>
#include <zvm/vdev/vgic.h>
#include <zvm/vdev/vpl011.h>
#include <zvm/vm.h>

struct vpl011 {
	struct k_spinlock lock; /* regs and line */
	struct vpl011_regs regs;
	bool line; /* the level last sent to the vGIC */
	/* Held across the vGIC call so that two CPUs cannot deliver levels out of order; the
	 * register lock never is. Nothing the vGIC calls takes it. */
	struct k_spinlock line_lock;
	struct vm *vm;
};

/* Lock held: whether the SPI no longer matches MIS. */
static bool line_stale(const struct vpl011 *u)
{
	return (vpl011_regs_mis(&u->regs) != 0) != u->line;
}

/* Brings the SPI to MIS != 0. Whoever sees the line stale calls this; a CPU that finds it
 * current needs nothing, because any caller still in here re-reads MIS after taking
 * line_lock, so the last level delivered is always the latest one. */
static void update_line(struct vpl011 *u)
{
	k_spinlock_key_t line_key = k_spin_lock(&u->line_lock);
	k_spinlock_key_t key = k_spin_lock(&u->lock);
	bool changed = line_stale(u);

	if (changed)
		u->line = !u->line;
	bool level = u->line;

	k_spin_unlock(&u->lock, key);
	if (changed)
		vgic_set_irq(u->vm, NULL, VPL011_INTID, level);
	k_spin_unlock(&u->line_lock, line_key);
}

static int vpl011_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	struct vpl011 *u = dev;
	k_spinlock_key_t key = k_spin_lock(&u->lock);
	int err = vpl011_regs_read(&u->regs, offset, size, val);
	bool stale = line_stale(u); /* a DR read may have emptied the RX FIFO */

	(void)v;
	k_spin_unlock(&u->lock, key);
	if (stale)
		update_line(u);
	return err;
}

static int vpl011_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	struct vpl011 *u = dev;
	struct vpl011_effect eff;
	k_spinlock_key_t key = k_spin_lock(&u->lock);
	int err = vpl011_regs_write(&u->regs, offset, size, val, &eff);
	bool stale = line_stale(u);

	(void)v;
	k_spin_unlock(&u->lock, key);
	if (eff.tx) {
		char c = (char)eff.tx_char;

		vm_console_write(u->vm, &c, 1);
	}
	if (stale)
		update_line(u);
	return err;
}

static const struct mmio_ops vpl011_ops = {
    .read = vpl011_read,
    .write = vpl011_write,
};

int vpl011_create(struct vm *vm)
{
	struct vpl011 *u;
	int err;

	if (vm->uart)
		return -EEXIST;
	u = k_calloc(1, sizeof(*u));
	if (!u)
		return -ENOMEM;
	vpl011_regs_reset(&u->regs);
	u->vm = vm;
	err = mmio_register(&vm->mmio, VPL011_BASE, VPL011_SIZE, &vpl011_ops, u);
	if (err) {
		k_free(u);
		return err;
	}
	vm->uart = u;
	return 0;
}

void vpl011_reset(struct vm *vm)
{
	struct vpl011 *u = vm->uart;
	k_spinlock_key_t key;
	bool stale;

	if (!u)
		return;
	key = k_spin_lock(&u->lock);
	vpl011_regs_reset(&u->regs);
	stale = line_stale(u);
	k_spin_unlock(&u->lock, key);
	if (stale)
		update_line(u);
}

void vpl011_destroy(struct vm *vm)
{
	k_free(vm->uart);
	vm->uart = NULL;
}

bool vpl011_receive(struct vm *vm, uint8_t c)
{
	struct vpl011 *u = vm->uart;
	k_spinlock_key_t key;
	bool stale, stored;

	if (!u)
		return false;
	key = k_spin_lock(&u->lock);
	stored = vpl011_regs_input(&u->regs, c);
	stale = line_stale(u);
	k_spin_unlock(&u->lock, key);
	if (stale)
		update_line(u);
	return stored;
}
