/* The MMIO bus of a VM (the syndrome decoder is inline in the header). */
#include <errno.h>
#include <zvm/mmio.h>

int mmio_register(struct mmio_bus *bus, uint64_t base, uint64_t size, const struct mmio_ops *ops,
		  void *dev)
{
	unsigned i;

	if (!size || base + size < base)
		return -EINVAL;
	if (bus->nr == MMIO_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < bus->nr; i++) {
		const struct mmio_region *r = &bus->regions[i];

		if (base < r->base + r->size && r->base < base + size)
			return -EBUSY;
		if (r->base > base)
			break;
	}
	for (unsigned j = bus->nr; j > i; j--)
		bus->regions[j] = bus->regions[j - 1];
	bus->regions[i] = (struct mmio_region){base, size, ops, dev};
	bus->nr++;
	return 0;
}

const struct mmio_region *mmio_search(struct mmio_bus *bus, uint64_t ipa)
{
	unsigned lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct mmio_region *r = &bus->regions[mid];

		if (ipa < r->base)
			hi = mid;
		else if (ipa - r->base >= r->size)
			lo = mid + 1;
		else {
			__atomic_store_n(&bus->hint, mid, __ATOMIC_RELAXED);
			return r;
		}
	}
	return NULL;
}
