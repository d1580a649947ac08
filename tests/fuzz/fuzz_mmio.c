/* The MMIO bus (zvm/mmio.c) and the data-abort syndrome decoder (include/zvm/mmio.h): regions
 * registered in any order, sizes and overlaps; every lookup must agree with a linear search,
 * and every decoded syndrome must name a real width and register. */
#include <stdlib.h>
#include <zvm/mmio.h>

#include "fuzz_input.h"

static const struct mmio_region *linear(const struct mmio_bus *bus, uint64_t ipa)
{
	for (unsigned i = 0; i < bus->nr; i++)
		if (ipa >= bus->regions[i].base &&
		    ipa - bus->regions[i].base < bus->regions[i].size)
			return &bus->regions[i];
	return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mmio_bus bus = {0};
	struct fuzz_in in = {data, size};

	while (in.n) {
		uint8_t op = fuzz_u8(&in);
		/* Addresses from a small space, so that regions meet and overlap. */
		uint64_t ipa = op & 0x80 ? fuzz_u64(&in) : fuzz_u32(&in) & 0xffff;
		struct mmio_access a;

		switch (op & 3) {
		case 0: {
			uint64_t len = op & 0x40 ? fuzz_u64(&in) : fuzz_u32(&in) & 0xfff;
			int err = mmio_register(&bus, ipa, len, NULL, NULL);

			if (!err && linear(&bus, ipa) == NULL && len)
				abort(); /* registered, yet not found */
			break;
		}
		case 1:
		case 2:
			if (mmio_find(&bus, ipa) != linear(&bus, ipa))
				abort();
			break;
		default:
			if (!mmio_decode(fuzz_u64(&in), ipa, &a) &&
			    (a.ipa != ipa || a.reg > 31 ||
			     (a.size != 1 && a.size != 2 && a.size != 4 && a.size != 8)))
				abort();
			break;
		}
		for (unsigned i = 1; i < bus.nr; i++) /* sorted, disjoint */
			if (bus.regions[i - 1].base + bus.regions[i - 1].size > bus.regions[i].base)
				abort();
	}
	return 0;
}
