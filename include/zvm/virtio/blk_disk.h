/* Which part of which host disk a VM's virtio-blk device is (`zvm new --disk SPEC`), and who
 * owns what: pure logic, unit-tested on the host.
 *
 * SPEC is NAME[@FIRST+COUNT][:ro]: a host disk as `kernel blk` lists it (vda...), optionally a
 * range of 512-byte sectors of it (decimal), optionally read-only. Without a range the VM gets
 * the whole disk. Two VMs may share sectors only when both have them read-only. */
#ifndef ZVM_VIRTIO_BLK_DISK_H
#define ZVM_VIRTIO_BLK_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLK_DISK_NAME_MAX 8 /* with the NUL */
#define BLK_CLAIMS_MAX	  64

struct blk_spec {
	char name[BLK_DISK_NAME_MAX];
	bool whole;	       /* no @FIRST+COUNT */
	uint64_t first, count; /* sectors, when !whole */
	bool ro;
};

/* 0, or -EINVAL with *why pointing to the reason in words. */
int blk_spec_parse(const char *s, struct blk_spec *out, const char **why);

struct blk_claim {
	const void *disk; /* the host disk; NULL: a free slot */
	uint64_t first, count;
	unsigned vm;
	bool ro;
};

/* Records that vm uses [first, first + count) of disk: 0, -EBUSY (a claim of another VM
 * overlaps and one of the two writes; *owner says whose), -ENOSPC (table full). count > 0, no
 * wrap: the caller checked the range against the disk. */
int blk_claim_take(struct blk_claim *t, size_t n, const void *disk, uint64_t first, uint64_t count,
		   unsigned vm, bool ro, unsigned *owner);
/* Drops vm's claim on exactly [first, first + count) of disk, ro as taken (nothing if there is
 * none): a VM id reused while the old VM is freed must not lose the new VM's claim. */
void blk_claim_drop(struct blk_claim *t, size_t n, const void *disk, uint64_t first, uint64_t count,
		    unsigned vm, bool ro);

#endif
