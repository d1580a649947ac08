/* The hardware breakpoint and watchpoint registers by number: each one's name is part of the
 * instruction, so one switch case per register. Called at EL2 only, where none of them can
 * fire (MDCR_EL2.TDE = 0 and HCR_EL2.TGE = 0 put debug exceptions at EL1, and the host never
 * runs there), so they may be written in any order. */
#include <arch/sysreg.h>
#include <zvm/vdebug_hw.h>

#define SET_CASE(reg, n)                                                                           \
	case n:                                                                                    \
		write_sysreg(dbg##reg##n##_el1, v);                                                \
		break
#define SET_ALL(reg)                                                                               \
	SET_CASE(reg, 0);                                                                          \
	SET_CASE(reg, 1);                                                                          \
	SET_CASE(reg, 2);                                                                          \
	SET_CASE(reg, 3);                                                                          \
	SET_CASE(reg, 4);                                                                          \
	SET_CASE(reg, 5);                                                                          \
	SET_CASE(reg, 6);                                                                          \
	SET_CASE(reg, 7);                                                                          \
	SET_CASE(reg, 8);                                                                          \
	SET_CASE(reg, 9);                                                                          \
	SET_CASE(reg, 10);                                                                         \
	SET_CASE(reg, 11);                                                                         \
	SET_CASE(reg, 12);                                                                         \
	SET_CASE(reg, 13);                                                                         \
	SET_CASE(reg, 14);                                                                         \
	SET_CASE(reg, 15)

static void set_bcr(unsigned n, uint64_t v)
{
	switch (n) {
		SET_ALL(bcr);
	}
}

static void set_bvr(unsigned n, uint64_t v)
{
	switch (n) {
		SET_ALL(bvr);
	}
}

static void set_wcr(unsigned n, uint64_t v)
{
	switch (n) {
		SET_ALL(wcr);
	}
}

static void set_wvr(unsigned n, uint64_t v)
{
	switch (n) {
		SET_ALL(wvr);
	}
}

void vdebug_hw_off(const struct vdebug_limits *lim)
{
	for (unsigned n = 0; n < lim->brps; n++)
		set_bcr(n, 0);
	for (unsigned n = 0; n < lim->wrps; n++)
		set_wcr(n, 0);
}

void vdebug_hw_load(const struct vcpu_debug *d, const struct vdebug_limits *lim)
{
	for (unsigned n = 0; n < lim->brps; n++) {
		set_bvr(n, d->bvr[n]);
		set_bcr(n, vdebug_bcr_hw(d->bcr, n, lim));
	}
	for (unsigned n = 0; n < lim->wrps; n++) {
		set_wvr(n, d->wvr[n]);
		set_wcr(n, vdebug_wcr_hw(d->wcr[n], d->bcr, lim));
	}
}
