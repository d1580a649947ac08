/* The MMIO bus of a VM and the decoding of data-abort syndromes. */
#include <errno.h>
#include <zvm/mmio.h>

#define ISS_ISV	     (1ULL << 24)
#define ISS_SAS(iss) (((iss) >> 22) & 3)
#define ISS_SSE	     (1ULL << 21)
#define ISS_SRT(iss) (((iss) >> 16) & 0x1f)
#define ISS_SF	     (1ULL << 15)
#define ISS_WNR	     (1ULL << 6)

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

const struct mmio_region *mmio_find(const struct mmio_bus *bus, uint64_t ipa)
{
	unsigned lo = 0, hi = bus->nr;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;
		const struct mmio_region *r = &bus->regions[mid];

		if (ipa < r->base)
			hi = mid;
		else if (ipa - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

int mmio_decode(uint64_t esr, uint64_t ipa, struct mmio_access *a)
{
	if (!(esr & ISS_ISV))
		return -EINVAL;
	a->ipa = ipa;
	a->size = 1u << ISS_SAS(esr);
	a->reg = ISS_SRT(esr);
	a->write = esr & ISS_WNR;
	a->sign_extend = esr & ISS_SSE;
	a->sixty_four = esr & ISS_SF;
	return 0;
}
