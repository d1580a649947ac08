/* struct virtq_mem_ops over a VM's RAM (include/zvm/virtio/virtq_vm.h). Runs on device
 * workers (threads): a static VM's RAM blocks are fixed while the VM exists, so no lock is
 * needed; a dynamic VM's ring pages are pinned (virtq_vm_pin) and reached without its memory
 * lock, other guest memory through vm_read/vm_write, which may sleep. */
#include <errno.h>
#include <zvm/virtio/virtq_vm.h>
#include <zvm/vm.h>
#ifndef UNIT_TEST
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <zvm/mem/dyn.h>
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
/* A dynamic VM's memory outside the pinned rings: vm_read/vm_write take its sleeping memory
 * lock, which a caller with IRQs masked (the transport's lock held) must not. Such an access
 * is refused: the queue breaks rather than the host stalling. */
static int dyn_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest)
{
	if (!mem_dyn_pinned_copy(vm, ipa, buf, len, to_guest))
		return 0;
	if (arch_irqs_masked())
		return -EFAULT;
	return to_guest ? vm_write(vm, ipa, buf, len) : vm_read(vm, ipa, buf, len);
}

static int vm_ops_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
	struct vm *vm = ctx;

	return vm->mem.dynamic ? dyn_copy(vm, ipa, buf, len, false) : vm_read(vm, ipa, buf, len);
}

static int vm_ops_write(void *ctx, uint64_t ipa, const void *buf, size_t len)
{
	struct vm *vm = ctx;

	return vm->mem.dynamic ? dyn_copy(vm, ipa, (void *)buf, len, true)
			       : vm_write(vm, ipa, buf, len);
}

/* A 2-aligned halfword never straddles a block or page, and one ldrh/strh is single-copy
 * atomic: the driver's concurrent update is seen whole or not at all. A dynamic VM's indices
 * are in its pinned rings. */
static volatile uint16_t *index_ptr(void *ctx, uint64_t ipa)
{
	struct vm *vm = ctx;

	if (ipa & 1)
		return NULL;
	return vm->mem.dynamic ? mem_dyn_pinned16(vm, ipa) : vm_ipa_to_host(vm, ipa, 2);
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

	if (vm->mem.dynamic) /* one range, no blocks; pages come on access */
		return len && ipa >= vm->mem.ipa_base && ipa - vm->mem.ipa_base <= vm->mem.size &&
			       len <= vm->mem.size - (ipa - vm->mem.ipa_base)
			   ? 0
			   : -EFAULT;
	return virtq_vm_covers(vm->mem.blocks, ipa, len) ? 0 : -EFAULT;
}

/* The ring areas of a queue of n entries (virtio 1.x 2.7): descriptors, driver, device. */
static void ring_ranges(const struct virtq *q, uint64_t ipa[3], uint64_t len[3])
{
	ipa[0] = q->desc, len[0] = 16ULL * q->size;
	ipa[1] = q->avail, len[1] = 6 + 2ULL * q->size;
	ipa[2] = q->used, len[2] = 6 + 8ULL * q->size;
}

int virtq_vm_pin(struct vm *vm, const struct virtq *q)
{
	uint64_t ipa[3], len[3];
	int err = 0;
	unsigned i;

	if (!vm->mem.dynamic)
		return 0;
	ring_ranges(q, ipa, len);
	for (i = 0; i < 3 && !err; i++)
		err = mem_dyn_pin(vm, ipa[i], len[i]);
	while (err && --i > 0)
		mem_dyn_unpin(vm, ipa[i - 1], len[i - 1]);
	return err;
}

void virtq_vm_unpin(struct vm *vm, const struct virtq *q)
{
	uint64_t ipa[3], len[3];

	if (!vm->mem.dynamic)
		return;
	ring_ranges(q, ipa, len);
	for (unsigned i = 0; i < 3; i++)
		mem_dyn_unpin(vm, ipa[i], len[i]);
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
