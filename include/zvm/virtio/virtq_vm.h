/* The virtqueue's guest memory (struct virtq_mem_ops) for a ZVM VM: ctx is the struct vm.
 * read/write go through vm_read/vm_write (bounds-checked, piecewise over RAM blocks); the
 * 16-bit ring indices are single 16-bit accesses to the host copy of a 2-aligned IPA (never a
 * memcpy, which could tear avail->idx); check() asks that every byte lies in some RAM block
 * (a dynamic VM: in its RAM range; its rings are pinned: virtq_vm_pin);
 * barriers are inner-shareable dmbs (the guest's vCPUs run on other CPUs). */
#ifndef ZVM_VIRTIO_VIRTQ_VM_H
#define ZVM_VIRTIO_VIRTQ_VM_H

#include <stdint.h>
#include <zvm/virtio/virtq.h>

struct vm_mem_block;

extern const struct virtq_mem_ops virtq_vm_ops;

struct vm;
/* A dynamic VM's rings of q (size and addresses set) resident and pinned, so the transport
 * reaches them with IRQs masked: 0 or mem_dyn_pin's errno (nothing stays pinned then). Worker
 * thread. Static VMs: nothing to do. Each pin is undone by one unpin with the same q setup. */
int virtq_vm_pin(struct vm *vm, const struct virtq *q);
void virtq_vm_unpin(struct vm *vm, const struct virtq *q);

/* True if [ipa, ipa + len) is covered by the blocks (in any order, adjacent ones chained) and
 * does not wrap; len 0 is false. Pure: unit tested. */
bool virtq_vm_covers(const struct vm_mem_block *blocks, uint64_t ipa, uint64_t len);

#endif
