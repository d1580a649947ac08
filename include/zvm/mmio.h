/* Emulated MMIO: a VM's devices register IPA ranges; a stage-2 data abort in one of them is
 * decoded once and handed to the device's read or write function. */
#ifndef ZVM_MMIO_H
#define ZVM_MMIO_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vcpu;

/* Handlers get the offset from the region base and an access size of 1, 2, 4 or 8 bytes; a
 * written value fits the size, a read one may carry bits above it (the bus masks them).
 * Return 0, or a negative errno: the access is then answered with an external abort. */
struct mmio_ops {
	int (*read)(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t *val);
	int (*write)(struct vcpu *v, void *dev, uint64_t offset, unsigned size, uint64_t val);
};

#define MMIO_MAX_REGIONS 16

struct mmio_region {
	uint64_t base;
	uint64_t size;
	const struct mmio_ops *ops;
	void *dev;
};

/* Regions sorted by base; the set only changes while the VM is created or destroyed. */
struct mmio_bus {
	struct mmio_region regions[MMIO_MAX_REGIONS];
	unsigned nr;
	unsigned hint; /* index of the last region found: guests hit one device many times */
};

/* Adds a region; -EBUSY when it overlaps another, -ENOSPC when the bus is full. */
int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *dev);
/* The region holding ipa, or NULL. Searches the sorted regions; mmio_find() first tries the
 * last one found, inline, as guests hit one device many times. */
const struct mmio_region *mmio_search(struct mmio_bus *bus, uint64_t ipa);
static inline const struct mmio_region *mmio_find(struct mmio_bus *bus, uint64_t ipa)
{
	/* Racy between vCPUs by design: any index below nr is a valid guess, checked here. */
	unsigned hint = __atomic_load_n(&bus->hint, __ATOMIC_RELAXED);

	if (hint < bus->nr && ipa - bus->regions[hint].base < bus->regions[hint].size)
		return &bus->regions[hint];
	return mmio_search(bus, ipa);
}

/* One decoded data abort (ESR_EL2 ISS with ISV=1). */
struct mmio_access {
	uint64_t ipa;
	unsigned size; /* bytes */
	unsigned reg;  /* SRT: 31 is xzr/wzr */
	bool write;
	bool sign_extend;
	bool sixty_four; /* SF: the register is 64 bits wide */
};

/* The bits an access of size bytes moves. */
static inline uint64_t mmio_size_mask(unsigned size)
{
	return size >= 8 ? ~0ULL : (1ULL << (8 * size)) - 1;
}

/* Decodes the syndrome; -EINVAL when it carries no instruction syndrome (ISV=0). Inline: it is
 * on the path of every emulated access. */
static inline int mmio_decode(uint64_t esr, uint64_t ipa, struct mmio_access *a)
{
	if (!(esr & (1ULL << 24))) /* ISV */
		return -EINVAL;
	a->ipa = ipa;
	a->size = 1u << ((esr >> 22) & 3);   /* SAS */
	a->reg = (esr >> 16) & 0x1f;	     /* SRT */
	a->write = esr & (1ULL << 6);	     /* WnR */
	a->sign_extend = esr & (1ULL << 21); /* SSE */
	a->sixty_four = esr & (1ULL << 15);  /* SF */
	return 0;
}

#endif
