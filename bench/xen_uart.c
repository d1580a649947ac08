/* Xen's dom0less guests get their console as a vpl011 that the guest DTB calls
 * "arm,sbsa-uart"; the test runtime's DTB reader (guests/tests/fdt.c) knows only "arm,pl011"
 * and would fall back to QEMU's PL011 address, which a Xen guest does not have. Linked with
 * --wrap=zt_fdt_parse: after the runtime's parse, an SBSA UART takes the place of a missing
 * PL011. (Drop this once fdt.c accepts "arm,sbsa-uart" itself.) */
#include "zt.h"

void __real_zt_fdt_parse(uint64_t dtb);
void __wrap_zt_fdt_parse(uint64_t dtb);

#define FDT_BEGIN_NODE 1
#define FDT_END_NODE   2
#define FDT_PROP       3
#define FDT_NOP	       4

static uint32_t be32(uint64_t a)
{
	return __builtin_bswap32(zt_r32(a));
}

static bool has_string(uint64_t list, uint32_t len, const char *want)
{
	size_t wl = strlen(want);
	for (uint32_t i = 0; i < len;) {
		const char *s = (const char *)(list + i);
		size_t l = strlen(s);
		if (l == wl && !memcmp(s, want, wl))
			return true;
		i += l + 1;
	}
	return false;
}

/* The first node compatible with "arm,sbsa-uart" (a child of the root: 2 address cells). */
static uint64_t find_sbsa_uart(uint64_t dtb)
{
	uint64_t p = dtb + be32(dtb + 8), end = p + be32(dtb + 36);
	uint64_t strs = dtb + be32(dtb + 12);
	uint64_t compat = 0, reg = 0;
	uint32_t compat_len = 0, reg_len = 0;
	int depth = 0;

	while (p < end) {
		uint32_t tok = be32(p);
		p += 4;
		if (tok == FDT_BEGIN_NODE) {
			p += (strlen((const char *)p) + 1 + 3) & ~3ULL;
			depth++;
			compat = reg = 0;
		} else if (tok == FDT_END_NODE) {
			if (depth == 2 && compat && reg && reg_len >= 8 &&
			    has_string(compat, compat_len, "arm,sbsa-uart"))
				return (uint64_t)be32(reg) << 32 | be32(reg + 4);
			compat = reg = 0;
			depth--;
		} else if (tok == FDT_PROP) {
			uint32_t len = be32(p);
			const char *name = (const char *)(strs + be32(p + 4));
			if (!strcmp(name, "compatible"))
				compat = p + 8, compat_len = len;
			else if (!strcmp(name, "reg"))
				reg = p + 8, reg_len = len;
			p += 8 + ((len + 3) & ~3u);
		} else if (tok != FDT_NOP) {
			break;
		}
	}
	return 0;
}

void __wrap_zt_fdt_parse(uint64_t dtb)
{
	__real_zt_fdt_parse(dtb);
	if (zt_plat.dtb_ok && zt_plat.uart == ZT_UART_BASE) {
		uint64_t u = find_sbsa_uart(dtb);
		if (u)
			zt_plat.uart = u;
	}
}
