/* PL061 register logic (include/zvm/vdev/vpl061.h); the offsets and ID values are the PL061
 * TRM's (DDI 0190B, section 3.3). */
#include <errno.h>
#include <string.h>
#include <zvm/vdev/vpl061.h>

#define GPIODATA_END 0x400 /* 0x000-0x3fc: address bits [9:2] mask the data */
#define GPIODIR	     0x400
#define GPIOIS	     0x404
#define GPIOIBE	     0x408
#define GPIOIEV	     0x40c
#define GPIOIE	     0x410
#define GPIORIS	     0x414
#define GPIOMIS	     0x418
#define GPIOIC	     0x41c
#define GPIOAFSEL    0x420
#define GPIO_ID	     0xfe0 /* PeriphID0-3, PCellID0-3 at 0xfe0-0xffc */

static const uint8_t id_regs[8] = {0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void vpl061_regs_reset(struct vpl061_regs *r)
{
	memset(r, 0, sizeof(*r));
}

static uint8_t pins(const struct vpl061_regs *r)
{
	return (uint8_t)((r->out & r->dir) | (r->in & ~r->dir));
}

/* Level-sensitive pins: RIS follows the pin (high when it matches IEV). */
static void update_levels(struct vpl061_regs *r)
{
	uint8_t match = (uint8_t) ~(pins(r) ^ r->iev);

	r->ris = (uint8_t)((r->ris & ~r->is) | (match & r->is));
}

int vpl061_regs_read(struct vpl061_regs *r, uint64_t offset, unsigned size, uint64_t *val)
{
	if ((size != 1 && size != 4) || (offset & 3))
		return -EINVAL;
	if (offset < GPIODATA_END) {
		*val = pins(r) & (offset >> 2);
		return 0;
	}
	switch (offset) {
	case GPIODIR:
		*val = r->dir;
		return 0;
	case GPIOIS:
		*val = r->is;
		return 0;
	case GPIOIBE:
		*val = r->ibe;
		return 0;
	case GPIOIEV:
		*val = r->iev;
		return 0;
	case GPIOIE:
		*val = r->ie;
		return 0;
	case GPIORIS:
		*val = r->ris;
		return 0;
	case GPIOMIS:
		*val = vpl061_regs_mis(r);
		return 0;
	case GPIOAFSEL:
		*val = r->afsel;
		return 0;
	case GPIOIC:
		*val = 0; /* write-only: reads as zero */
		return 0;
	}
	if (offset >= GPIO_ID && offset < GPIO_ID + 4 * sizeof(id_regs)) {
		*val = id_regs[(offset - GPIO_ID) / 4];
		return 0;
	}
	return -EINVAL;
}

int vpl061_regs_write(struct vpl061_regs *r, uint64_t offset, unsigned size, uint64_t val)
{
	uint8_t v = (uint8_t)val;

	if ((size != 1 && size != 4) || (offset & 3))
		return -EINVAL;
	if (offset < GPIODATA_END) {
		uint8_t mask = (uint8_t)(offset >> 2);

		r->out = (uint8_t)((r->out & ~mask) | (v & mask));
		update_levels(r);
		return 0;
	}
	switch (offset) {
	case GPIODIR:
		r->dir = v;
		break;
	case GPIOIS:
		r->is = v;
		break;
	case GPIOIBE:
		r->ibe = v;
		break;
	case GPIOIEV:
		r->iev = v;
		break;
	case GPIOIE:
		r->ie = v;
		break;
	case GPIOIC:
		r->ris &= (uint8_t)(~v | r->is); /* clears edge-detected bits only */
		break;
	case GPIOAFSEL:
		r->afsel = v;
		break;
	case GPIORIS:
	case GPIOMIS:
		return 0; /* read-only: writes ignored */
	default:
		return -EINVAL;
	}
	update_levels(r);
	return 0;
}

void vpl061_regs_set_input(struct vpl061_regs *r, unsigned pin, bool level)
{
	uint8_t bit = (uint8_t)(1u << (pin & 7));
	uint8_t before = pins(r);

	r->in = level ? (uint8_t)(r->in | bit) : (uint8_t)(r->in & ~bit);
	uint8_t changed = (uint8_t)((before ^ pins(r)) & bit & ~r->is);

	/* Edge-sensitive: both edges, or the one IEV names (1: rising). */
	if (changed && ((r->ibe & bit) || !!(r->iev & bit) == level))
		r->ris |= bit;
	update_levels(r);
}
