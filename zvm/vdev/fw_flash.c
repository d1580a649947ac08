/* The firmware flash banks (include/zvm/vdev/fw_flash.h). */
#include <arch/mmu.h>
#include <errno.h>
#include <kernel/heap.h>
#include <zvm/images.h>
#include <zvm/mmio.h>
#include <zvm/stage2.h>
#include <zvm/vdev/fw_flash.h>
#include <zvm/vdev/vdev.h>
#include <zvm/vm.h>

struct fw_flash {
	struct vdev vdev;
	uint64_t rom_size; /* bytes of bank 0 mapped: the image, rounded up to pages */
};

/* Erased NOR flash reads as all ones in every lane. */
static int erased_read(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val)
{
	(void)v;
	(void)dev;
	(void)offset;
	*val = size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
	return 0;
}

/* Write-protected: commands and data alike are ignored. */
static int ignored_write(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val)
{
	(void)v;
	(void)dev;
	(void)offset;
	(void)size;
	(void)val;
	return 0;
}

static const struct mmio_ops erased_ops = {
    .read = erased_read,
    .write = ignored_write,
};

static void fw_flash_destroy(struct vdev *d)
{
	struct fw_flash *f = (struct fw_flash *)d;

	/* The VM's stage 2 goes with it; unmapped anyway so nothing outlives the device. The
	 * pages are the board's reserved image: not ours to free. */
	if (f->rom_size)
		stage2_unmap(&d->vm->s2, FW_FLASH0_BASE, f->rom_size);
	k_free(f);
}

static void fw_flash_info(struct vdev *d, void (*print)(const char *fmt, ...))
{
	struct fw_flash *f = (struct fw_flash *)d;

	print("  fw-flash: firmware image %llu KiB read-only at 0x%llx, erased bank at 0x%llx\n",
	      (unsigned long long)(f->rom_size >> 10), (unsigned long long)FW_FLASH0_BASE,
	      (unsigned long long)FW_FLASH1_BASE);
}

static const struct vdev_ops fw_flash_ops = {
    .destroy = fw_flash_destroy,
    .info = fw_flash_info,
};

int fw_flash_create(struct vm *vm)
{
	const struct guest_image *img = &vm->type->kernel;
	uint64_t size = (img->size + S2_PAGE_SIZE - 1) & ~(S2_PAGE_SIZE - 1);
	struct fw_flash *f;
	int err;

	if (!vm->type->firmware)
		return 0;
	/* board-dtb.py places images on 2 MiB boundaries, and kernel/mem_init.c never hands
	 * out a page a reservation touches: the rest of the last page holds no host data. */
	if (img->pa % S2_PAGE_SIZE || size > FW_FLASH_BANK_SIZE)
		return -EINVAL;
	f = k_calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	vdev_init(vm, &f->vdev, "fw-flash", &fw_flash_ops);
	/* The guest starts with its MMU and caches off: it must see the image in memory. */
	dcache_clean_range((uintptr_t)img->pa, size);
	err = stage2_map(&vm->s2, FW_FLASH0_BASE, img->pa, size, S2_RAM_RO);
	if (err)
		return err;
	f->rom_size = size;
	return vdev_add_mmio(&f->vdev, FW_FLASH1_BASE, FW_FLASH_BANK_SIZE, &erased_ops, f);
}
