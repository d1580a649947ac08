/* Guest RAM: a list of physically contiguous blocks from the page allocator, each mapped at
 * consecutive IPAs from VM_RAM_BASE (the seed design's vm_mem_partition / vm_mem_block). */
#include <errno.h>
#include <kernel/buddy.h>
#include <kernel/heap.h>
#include <kernel/page_alloc.h>
#include <kernel/printk.h>
#include <string.h>
#include <zvm/vm.h>
#include <zvm/vm_internal.h>

#define BLOCK_MIN_ORDER 9  /* 2 MiB: the stage-2 block size */
#define BLOCK_MAX_ORDER 18 /* 1 GiB */

/* The largest naturally aligned block that still fits in `left`, falling back to smaller ones
 * when memory is fragmented. */
static struct vm_mem_block *alloc_block(size_t left)
{
	unsigned order = BLOCK_MAX_ORDER;
	struct vm_mem_block *b;
	void *mem = NULL;

	while (order > BLOCK_MIN_ORDER && (BUDDY_PAGE_SIZE << order) > left)
		order--;
	for (;; order--) {
		mem = page_alloc(order);
		if (mem || order == BLOCK_MIN_ORDER)
			break;
	}
	if (!mem)
		return NULL;
	b = k_calloc(1, sizeof(*b));
	if (!b) {
		page_free(mem);
		return NULL;
	}
	b->pa = (uintptr_t)mem;
	b->size = BUDDY_PAGE_SIZE << order;
	return b;
}

int vm_mem_init(struct vm *vm, size_t size, bool dynamic)
{
	struct vm_mem_block **tail = &vm->mem.blocks;
	uint64_t ipa = VM_RAM_BASE;
	size_t left = size;

	vm->mem.ipa_base = VM_RAM_BASE;
	vm->mem.size = 0;
	vm->mem.dynamic = dynamic;
	if (dynamic)
		return mem_dyn_init(vm, size);
	while (left) {
		struct vm_mem_block *b = alloc_block(left);

		if (!b)
			return -ENOMEM;
		b->ipa = ipa;
		pr_debug("vm%u: RAM 0x%llx-0x%llx at host 0x%llx\n", vm->id,
			 (unsigned long long)ipa, (unsigned long long)(ipa + b->size),
			 (unsigned long long)b->pa);
		*tail = b;
		tail = &b->next;
		vm->mem.size += b->size;
		int err = stage2_map(&vm->s2, b->ipa, b->pa, b->size, S2_RAM);

		if (err)
			return err;
		ipa += b->size;
		left -= b->size;
	}
	return 0;
}

/* In 2 MiB steps, so a delete does not wait for gigabytes to be cleared first. */
int vm_mem_clear(struct vm *vm)
{
	const size_t step = 2u << 20;

	if (vm->mem.dynamic) {
		mem_dyn_release(vm); /* every page back: never touched reads as zero */
		return 0;
	}

	for (struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		for (size_t off = 0; off < b->size; off += step) {
			if (vm->state == VM_DELETING)
				return -ECANCELED;
			memset((void *)(b->pa + off), 0,
			       b->size - off < step ? b->size - off : step);
		}
	return 0;
}

void vm_mem_free(struct vm *vm)
{
	struct vm_mem_block *b = vm->mem.blocks;

	if (vm->mem.dynamic)
		mem_dyn_free(vm);
	while (b) {
		struct vm_mem_block *next = b->next;

		page_free((void *)b->pa);
		k_free(b);
		b = next;
	}
	vm->mem.blocks = NULL;
	vm->mem.size = 0;
}

void *vm_ipa_to_host(struct vm *vm, uint64_t ipa, size_t len)
{
	if (vm->mem.dynamic)
		return NULL; /* pages appear and move: vm_read/vm_write only */
	for (struct vm_mem_block *b = vm->mem.blocks; b; b = b->next)
		if (ipa >= b->ipa && ipa - b->ipa < b->size)
			return len <= b->size - (ipa - b->ipa) ? (void *)(b->pa + (ipa - b->ipa))
							       : NULL;
	return NULL;
}

/* Copies piecewise, as consecutive IPAs may live in different blocks. */
static int vm_copy(struct vm *vm, uint64_t ipa, void *buf, size_t len, bool to_guest)
{
	char *p = buf;

	if (vm->mem.dynamic)
		return mem_dyn_copy(vm, ipa, buf, len, to_guest);
	if (ipa + len < ipa)
		return -EFAULT;
	while (len) {
		struct vm_mem_block *b;

		for (b = vm->mem.blocks; b; b = b->next)
			if (ipa >= b->ipa && ipa - b->ipa < b->size)
				break;
		if (!b)
			return -EFAULT;
		size_t n = b->size - (ipa - b->ipa);

		if (n > len)
			n = len;
		char *host = (char *)(b->pa + (ipa - b->ipa));

		if (to_guest)
			memcpy(host, p, n);
		else
			memcpy(p, host, n);
		ipa += n;
		p += n;
		len -= n;
	}
	return 0;
}

int vm_read(struct vm *vm, uint64_t ipa, void *buf, size_t len)
{
	return vm_copy(vm, ipa, buf, len, false);
}

int vm_write(struct vm *vm, uint64_t ipa, const void *buf, size_t len)
{
	return vm_copy(vm, ipa, (void *)buf, len, true);
}

int vm_mem_age(struct vm *vm, uint64_t *accessed)
{
	*accessed = 0;
	if (vm->mem.dynamic)
		return stage2_clear_af(&vm->s2, vm->mem.ipa_base, vm->mem.size, accessed);
	for (struct vm_mem_block *b = vm->mem.blocks; b; b = b->next) {
		int err = stage2_clear_af(&vm->s2, b->ipa, b->size, accessed);

		if (err)
			return err;
	}
	return 0;
}
