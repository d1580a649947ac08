/* The per-VM device list (zvm/vdev/vdev.c): creation order, MMIO regions on the VM's bus, the
 * SPI allocator, reset and DT walks, and destroy (last first, everything freed, SPIs back). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vdev/vdev_worker.h>
#include <zvm/vm.h>

/* Worker fakes: a log of calls in order, "q<id>" quiesce, "r<id>" resume, "s<id>" stop, and
 * "R<id>"/"D<id>" for the devices' reset and destroy, to check the order vdev.c keeps. */
static char calls[64];

static void note(char what, int id)
{
	size_t n = strlen(calls);

	calls[n] = what;
	calls[n + 1] = (char)('0' + id);
	calls[n + 2] = 0;
}

static int dev_id(const struct vdev *d);

void vdev_worker_quiesce(struct vdev *d)
{
	note('q', dev_id(d));
}

void vdev_worker_resume(struct vdev *d)
{
	note('r', dev_id(d));
}

void vdev_worker_stop(struct vdev *d)
{
	note('s', dev_id(d));
	d->worker = NULL;
}

struct fake {
	struct vdev vdev;
	int resets;
	int id;
};

static int destroyed[8], nr_destroyed;

static int dev_id(const struct vdev *d)
{
	return ((const struct fake *)d)->id;
}

static void fake_reset(struct vdev *d)
{
	((struct fake *)d)->resets++;
	note('R', dev_id(d));
}

static void fake_destroy(struct vdev *d)
{
	assert_null(d->worker); /* stopped before */
	destroyed[nr_destroyed++] = ((struct fake *)d)->id;
	note('D', dev_id(d));
	free(d);
}

static int fake_fdt(struct vdev *d, void *fdt)
{
	char *order = fdt;

	order[strlen(order)] = (char)('0' + ((struct fake *)d)->id);
	return ((struct fake *)d)->id == 9 ? -1 : 0;
}

static const struct vdev_ops fake_ops = {
    .reset = fake_reset,
    .destroy = fake_destroy,
    .fdt_node = fake_fdt,
};
static const struct vdev_ops bare_ops = {.destroy = fake_destroy};

static void fake_stop(struct vdev *d)
{
	note('p', dev_id(d));
}

/* A device other VMs can reach (a switch port): it leaves them in stop. */
static const struct vdev_ops port_ops = {
    .stop = fake_stop,
    .destroy = fake_destroy,
};

static int rd(struct vcpu *v, void *dev, uint64_t off, unsigned size, uint64_t *val)
{
	(void)v, (void)dev, (void)off, (void)size;
	*val = 0;
	return 0;
}

static const struct mmio_ops mops = {.read = rd};

static struct fake *add(struct vm *vm, int id, const struct vdev_ops *ops)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->id = id;
	vdev_init(vm, &f->vdev, "fake", ops);
	return f;
}

static void test_list_order_reset_fdt_destroy(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	char order[8] = "";
	struct fake *a, *b, *c;

	(void)state;
	nr_destroyed = 0;
	assert_int_equal(vdev_fdt_nodes(order, vm), 0); /* no devices: nothing */
	vdev_reset_all(vm);
	a = add(vm, 1, &fake_ops);
	b = add(vm, 2, &bare_ops); /* no reset, no node: skipped */
	c = add(vm, 3, &fake_ops);
	vdev_reset_all(vm);
	vdev_reset_all(vm);
	assert_int_equal(a->resets, 2);
	assert_int_equal(b->resets, 0);
	assert_int_equal(c->resets, 2);
	assert_int_equal(vdev_fdt_nodes(order, vm), 0);
	assert_string_equal(order, "13");
	add(vm, 9, &fake_ops); /* its node fails: the walk stops with its error */
	assert_int_equal(vdev_fdt_nodes(order, vm), -1);
	vdev_destroy_all(vm);
	assert_int_equal(nr_destroyed, 4);
	assert_int_equal(destroyed[0], 9);
	assert_int_equal(destroyed[1], 3);
	assert_int_equal(destroyed[2], 2);
	assert_int_equal(destroyed[3], 1);
	assert_null(vm->vdevs.head);
	vdev_destroy_all(vm); /* empty: nothing */
	assert_int_equal(nr_destroyed, 4);
	add(vm, 4, &fake_ops); /* the list works again after a destroy */
	assert_non_null(vm->vdevs.head);
	vdev_destroy_all(vm);
	assert_int_equal(nr_destroyed, 5);
	free(vm);
}

static void test_mmio_regions(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct fake *a, *b;

	(void)state;
	nr_destroyed = 0;
	a = add(vm, 1, &fake_ops);
	b = add(vm, 2, &fake_ops);
	assert_int_equal(vdev_add_mmio(&a->vdev, 0x1000, 0x100, &mops, a), 0);
	assert_int_equal(vdev_add_mmio(&b->vdev, 0x1080, 0x100, &mops, b), -EBUSY);
	assert_int_equal(b->vdev.nr_regions, 0);
	assert_int_equal(vdev_add_mmio(&a->vdev, 0x2000, 0x100, &mops, a), 0);
	assert_int_equal(vdev_add_mmio(&a->vdev, 0x3000, 0x100, &mops, a), -ENOSPC);
	assert_int_equal(a->vdev.nr_regions, 2);
	assert_int_equal(a->vdev.regions[1].base, 0x2000);
	assert_ptr_equal(mmio_find(&vm->mmio, 0x2010)->dev, a);
	assert_int_equal(vm->mmio.nr, 2);
	vdev_destroy_all(vm);
	free(vm);
}

static void test_spi_allocator(void **state)
{
	struct vdev_set s;

	(void)state;
	memset(&s, 0, sizeof(s));
	assert_int_equal(vdev_spi_take(&s, 1), 0);
	assert_int_equal(vdev_spi_take(&s, 1), -EBUSY);
	assert_int_equal(vdev_spi_take(&s, VDEV_NR_SPIS), -EINVAL);
	assert_int_equal(vdev_spi_take(&s, 95), 0);
	assert_int_equal(vdev_spi_take_any(&s, 16), 16);
	assert_int_equal(vdev_spi_take_any(&s, 16), 17);
	assert_int_equal(vdev_spi_take(&s, 18), 0);
	assert_int_equal(vdev_spi_take_any(&s, 16), 19); /* skips a taken one */
	vdev_spi_release(&s, 17);
	assert_int_equal(vdev_spi_take_any(&s, 16), 17); /* reused */
	vdev_spi_release(&s, 1000);			 /* out of range: ignored */
	for (int i = 20; i < 95; i++)
		assert_int_equal(vdev_spi_take_any(&s, 16), i);
	assert_int_equal(vdev_spi_take_any(&s, 16), -ENOSPC); /* 95 is taken: full */
	assert_int_equal(vdev_spi_take_any(&s, 0), 0);
}

static void test_device_spis(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct fake *a, *b;

	(void)state;
	nr_destroyed = 0;
	a = add(vm, 1, &fake_ops);
	b = add(vm, 2, &fake_ops);
	assert_int_equal(vdev_add_spi(&a->vdev, 7), 7);
	assert_int_equal(vdev_add_spi(&b->vdev, 7), -EBUSY); /* fixed SPIs collide */
	assert_int_equal(vdev_add_spi(&b->vdev, VDEV_NR_SPIS), -EINVAL);
	assert_int_equal(vdev_add_spi(&b->vdev, -5), -EINVAL);
	assert_int_equal(vdev_add_spi(&b->vdev, VDEV_SPI_ANY), VDEV_SPI_DYN_BASE);
	assert_int_equal(vdev_add_spi(&b->vdev, VDEV_SPI_ANY), VDEV_SPI_DYN_BASE + 1);
	assert_int_equal(vdev_add_spi(&b->vdev, VDEV_SPI_ANY), -ENOSPC); /* b holds its max */
	assert_int_equal(b->vdev.nr_spis, 2);
	assert_int_equal(b->vdev.spis[1], VDEV_SPI_DYN_BASE + 1);
	vdev_destroy_all(vm);
	/* Every SPI went back with its device. */
	for (unsigned i = 0; i < VDEV_NR_SPIS / 32; i++)
		assert_int_equal(vm->vdevs.spi_used[i], 0);
	free(vm);
}

/* Workers: all quiet before any device resets, all stopped before any device is destroyed. */
static void test_worker_order(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	struct fake *a, *b;
	static struct vdev_worker *token = (struct vdev_worker *)&token;

	(void)state;
	nr_destroyed = 0;
	a = add(vm, 1, &fake_ops);
	add(vm, 2, &port_ops);
	b = add(vm, 3, &fake_ops);
	a->vdev.worker = token;
	b->vdev.worker = token;
	calls[0] = 0;
	vdev_reset_all(vm);
	assert_string_equal(calls, "q1q3R1R3r1r3");
	calls[0] = 0;
	vdev_quiesce_all(vm); /* before a VM's RAM is reloaded: no reset, no resume yet */
	assert_string_equal(calls, "q1q3");
	calls[0] = 0;
	/* Every stop before any worker goes: no other VM's thread may kick a stopped worker. */
	vdev_destroy_all(vm);
	assert_string_equal(calls, "p2s1s3D3D2D1");
	free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_list_order_reset_fdt_destroy),
	    cmocka_unit_test(test_mmio_regions),
	    cmocka_unit_test(test_spi_allocator),
	    cmocka_unit_test(test_device_spis),
	    cmocka_unit_test(test_worker_order),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
