/* struct virtq_mem_ops over a VM's RAM (include/zvm/virtio/virtq_vm.h). Runs on device
 * workers (threads): RAM blocks are fixed while the VM exists, so no lock is needed. */
#include <errno.h>
#include <zvm/virtio/virtq_vm.h>
#include <zvm/vm.h>
#ifndef UNIT_TEST
#include <arch/sysreg.h>
#endif

bool virtq_vm_covers(const struct vm_mem_block *blocks, uint64_t ipa, uint64_t len)
{
	if (!len || ipa > UINT64_MAX - len)
		return false;
	/* Each step eats a block's share from ipa on; at most one pass per block (a block cannot
	 * match twice, as ipa only grows past its end), so this ends for any list. */
	while (len) {
		const struct vm_mem_block *b;

		for (b = blocks; b; b = b->next)
			if (ipa >= b->ipa && ipa - b->ipa < b->size)
				break;
		if (!b)
			return false;
		uint64_t n = b->size - (ipa - b->ipa);

		if (n >= len)
			return true;
		ipa += n;
		len -= n;
	}
	return true;
}

#ifndef UNIT_TEST
static int vm_ops_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
	return vm_read(ctx, ipa, buf, len);
}

static int vm_ops_write(void *ctx, uint64_t ipa, const void *buf, size_t len)
{
	return vm_write(ctx, ipa, buf, len);
}

/* A 2-aligned halfword never straddles a block (blocks are page multiples), and one ldrh/strh
 * is single-copy atomic: the driver's concurrent update is seen whole or not at all. */
static volatile uint16_t *index_ptr(void *ctx, uint64_t ipa)
{
	if (ipa & 1)
		return NULL;
	return vm_ipa_to_host(ctx, ipa, 2);
}

static int vm_ops_read16(void *ctx, uint64_t ipa, uint16_t *val)
{
	volatile uint16_t *p = index_ptr(ctx, ipa);

	if (!p)
		return -EFAULT;
	*val = *p; /* little-endian host, little-endian ring */
	return 0;
}

static int vm_ops_write16(void *ctx, uint64_t ipa, uint16_t val)
{
	volatile uint16_t *p = index_ptr(ctx, ipa);

	if (!p)
		return -EFAULT;
	*p = val;
	return 0;
}

static int vm_ops_check(void *ctx, uint64_t ipa, uint64_t len)
{
	const struct vm *vm = ctx;

	return virtq_vm_covers(vm->mem.blocks, ipa, len) ? 0 : -EFAULT;
}

static void vm_ops_barrier(void *ctx, enum virtq_barrier kind)
{
	(void)ctx;
	if (kind == VIRTQ_RMB)
		dmb(ishld);
	else if (kind == VIRTQ_WMB)
		dmb(ishst);
	else
		dmb(ish);
}

const struct virtq_mem_ops virtq_vm_ops = {
    .read = vm_ops_read,
    .write = vm_ops_write,
    .read16 = vm_ops_read16,
    .write16 = vm_ops_write16,
    .check = vm_ops_check,
    .barrier = vm_ops_barrier,
};
#endif
