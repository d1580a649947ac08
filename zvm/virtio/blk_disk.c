/* `--disk` specs and the claims on host disks (include/zvm/virtio/blk_disk.h). */
#include <errno.h>
#include <string.h>
#include <zvm/virtio/blk_disk.h>

/* A decimal number up to the next non-digit: *s moved past it; false on none or overflow. */
static bool number(const char **s, uint64_t *v)
{
	const char *p = *s;
	uint64_t n = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	*v = n;
	return true;
}

int blk_spec_parse(const char *s, struct blk_spec *out, const char **why)
{
	size_t len = 0;

	memset(out, 0, sizeof(*out));
	out->whole = true;
	while ((s[len] >= 'a' && s[len] <= 'z') || (s[len] >= '0' && s[len] <= '9'))
		len++;
	if (!len || len >= BLK_DISK_NAME_MAX) {
		*why = "a disk name is 1-7 of a-z, 0-9 (see 'kernel blk')";
		return -EINVAL;
	}
	memcpy(out->name, s, len);
	s += len;
	if (*s == '@') {
		s++;
		if (!number(&s, &out->first) || *s++ != '+' || !number(&s, &out->count) ||
		    !out->count || out->first + out->count < out->first) {
			*why = "a range is @FIRST+COUNT, in 512-byte sectors, COUNT at least 1";
			return -EINVAL;
		}
		out->whole = false;
	}
	if (!strcmp(s, ":ro")) {
		out->ro = true;
		s += 3;
	}
	if (*s) {
		*why = "after the name and range only ':ro' may follow";
		return -EINVAL;
	}
	return 0;
}

int blk_claim_take(struct blk_claim *t, size_t n, const void *disk, uint64_t first, uint64_t count,
		   unsigned vm, bool ro, unsigned *owner)
{
	struct blk_claim *free_slot = NULL;

	for (size_t i = 0; i < n; i++) {
		struct blk_claim *c = &t[i];

		if (!c->disk) {
			if (!free_slot)
				free_slot = c;
			continue;
		}
		/* Half-open ranges overlap when each starts before the other ends. */
		if (c->disk == disk && c->first < first + count && first < c->first + c->count &&
		    !(c->ro && ro)) {
			*owner = c->vm;
			return -EBUSY;
		}
	}
	if (!free_slot)
		return -ENOSPC;
	*free_slot = (struct blk_claim){disk, first, count, vm, ro};
	return 0;
}

void blk_claim_drop(struct blk_claim *t, size_t n, const void *disk, uint64_t first, uint64_t count,
		    unsigned vm, bool ro)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].disk == disk && t[i].first == first && t[i].count == count &&
		    t[i].vm == vm && t[i].ro == ro) {
			t[i].disk = NULL;
			return;
		}
}
