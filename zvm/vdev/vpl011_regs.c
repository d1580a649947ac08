/* PL011 register logic (ARM PrimeCell UART, DDI 0183). The model is what Linux's amba-pl011
 * and earlycon drivers need: transmit is instant, so TXFE is always set and the TX interrupt
 * is a level that stays asserted while TXIM is enabled; RX and RX-timeout are asserted while
 * the RX FIFO holds data. Error, modem and DMA features are absent. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <zvm/vdev/vpl011.h>

enum {
	UARTDR = 0x000,
	UARTRSR = 0x004, /* write: UARTECR */
	UARTFR = 0x018,
	UARTILPR = 0x020,
	UARTIBRD = 0x024,
	UARTFBRD = 0x028,
	UARTLCR_H = 0x02c,
	UARTCR = 0x030,
	UARTIFLS = 0x034,
	UARTIMSC = 0x038,
	UARTRIS = 0x03c,
	UARTMIS = 0x040,
	UARTICR = 0x044,
	UARTDMACR = 0x048,
	UARTPERIPHID0 = 0xfe0, /* ..0xfec, then PCELLID0..3 at 0xff0..0xffc */
};

#define FR_RXFE (1u << 4)
#define FR_RXFF (1u << 6)
#define FR_TXFE (1u << 7)

#define INT_RX	 (1u << 4)
#define INT_TX	 (1u << 5)
#define INT_RT	 (1u << 6)
#define INT_MASK 0x7ffu

#define CR_LBE	 (1u << 7)
#define CR_RESET 0x300u /* TXE | RXE */

#define IFLS_RESET 0x12u /* both FIFOs at half */

/* PeriphID 0x00141011 (part 0x011, designer 0x41 = ARM, revision 1) and the PrimeCell ID
 * 0xb105f00d: what the AMBA bus reads to match Linux's pl011 driver (id 0x00041011, mask
 * 0x000fffff). One byte per register. */
static const uint8_t id_regs[8] = {0x11, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1};

void vpl011_regs_reset(struct vpl011_regs *r)
{
	memset(r, 0, offsetof(struct vpl011_regs, input_buf));
	byte_ring_init(&r->input, r->input_buf, VPL011_INPUT_SIZE);
	r->cr = CR_RESET;
	r->ifls = IFLS_RESET;
}

bool vpl011_regs_rx_push(struct vpl011_regs *r, uint8_t c)
{
	if (r->rx_count == VPL011_FIFO_SIZE) {
		r->rx_dropped++;
		return false;
	}
	r->rx[(r->rx_head + r->rx_count) % VPL011_FIFO_SIZE] = c;
	r->rx_count++;
	return true;
}

bool vpl011_regs_input(struct vpl011_regs *r, uint8_t c)
{
	if (!byte_ring_used(&r->input) && r->rx_count < VPL011_FIFO_SIZE)
		return vpl011_regs_rx_push(r, c);
	if (!byte_ring_put(&r->input, c)) {
		r->rx_dropped++;
		return false;
	}
	return true;
}

static uint32_t rx_pop(struct vpl011_regs *r)
{
	uint8_t c;
	int next;

	if (!r->rx_count)
		return 0;
	c = r->rx[r->rx_head];
	r->rx_head = (r->rx_head + 1) % VPL011_FIFO_SIZE;
	r->rx_count--;
	if ((next = byte_ring_get(&r->input)) >= 0)
		vpl011_regs_rx_push(r, (uint8_t)next); /* the FIFO has room: one byte just left */
	return c;
}

static uint32_t raw_status(const struct vpl011_regs *r)
{
	uint32_t ris = INT_TX;

	if (r->rx_count)
		ris |= INT_RX | INT_RT;
	return ris;
}

uint32_t vpl011_regs_mis(const struct vpl011_regs *r)
{
	return raw_status(r) & r->imsc;
}

static uint32_t flags(const struct vpl011_regs *r)
{
	uint32_t fr = FR_TXFE;

	if (!r->rx_count)
		fr |= FR_RXFE;
	if (r->rx_count == VPL011_FIFO_SIZE)
		fr |= FR_RXFF;
	return fr;
}

/* Every register is one 32-bit word. Narrower accesses reach its byte lanes (U-Boot's md.b
 * reads FR+1); an access may not straddle two words. */
static bool valid_access(uint64_t offset, unsigned size)
{
	return (size == 1 || size == 2 || size == 4) && offset < VPL011_SIZE &&
	       (offset & 3) + size <= 4;
}

static uint32_t size_mask(unsigned size)
{
	return size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1;
}

/* The word at reg (4-byte aligned) without side effects, except that pop reads UARTDR's
 * FIFO. -EINVAL for the holes between registers. */
static int read_word(struct vpl011_regs *r, uint64_t reg, bool pop, uint32_t *v)
{
	switch (reg) {
	case UARTDR:
		*v = pop ? rx_pop(r) : 0;
		break;
	case UARTRSR: /* no receive errors are ever recorded */
	case UARTICR:
	case UARTDMACR:
		*v = 0;
		break;
	case UARTFR:
		*v = flags(r);
		break;
	case UARTILPR:
		*v = r->ilpr;
		break;
	case UARTIBRD:
		*v = r->ibrd;
		break;
	case UARTFBRD:
		*v = r->fbrd;
		break;
	case UARTLCR_H:
		*v = r->lcr_h;
		break;
	case UARTCR:
		*v = r->cr;
		break;
	case UARTIFLS:
		*v = r->ifls;
		break;
	case UARTIMSC:
		*v = r->imsc;
		break;
	case UARTRIS:
		*v = raw_status(r);
		break;
	case UARTMIS:
		*v = vpl011_regs_mis(r);
		break;
	default:
		if (reg < UARTPERIPHID0)
			return -EINVAL;
		*v = id_regs[(reg - UARTPERIPHID0) / 4];
		break;
	}
	return 0;
}

int vpl011_regs_read(struct vpl011_regs *r, uint64_t offset, unsigned size, uint64_t *val)
{
	unsigned shift = (offset & 3) * 8;
	uint32_t v;
	int err;

	if (!valid_access(offset, size))
		return -EINVAL;
	/* Only a read of DR's data byte (lane 0) takes a character from the FIFO; its upper
	 * lanes hold the error bits, and none are ever recorded. */
	err = read_word(r, offset & ~3ull, !shift, &v);
	if (err)
		return err;
	*val = (v >> shift) & size_mask(size);
	return 0;
}

int vpl011_regs_write(struct vpl011_regs *r, uint64_t offset, unsigned size, uint64_t val,
		      struct vpl011_effect *eff)
{
	uint32_t v;

	eff->tx = false;
	if (!valid_access(offset, size))
		return -EINVAL;
	v = (uint32_t)val & size_mask(size);
	if (offset & 3 || size < 4) {
		/* A narrow write changes its own lanes only: the others keep their value. DR's
		 * upper lanes are read-only error bits, so only its lane 0 transmits. */
		unsigned shift = (offset & 3) * 8;
		uint32_t cur;

		offset &= ~3ull;
		if (offset == UARTDR && shift)
			return 0;
		if (offset != UARTDR) {
			int err = read_word(r, offset, false, &cur);
			if (err)
				return err;
			v = (cur & ~(size_mask(size) << shift)) | (v << shift);
		}
	}
	switch (offset) {
	case UARTDR:
		/* Enable bits are ignored: earlycon writes before anyone sets UARTEN. Loopback
		 * turns the byte around into the RX FIFO, as the hardware does. */
		if (r->cr & CR_LBE) {
			vpl011_regs_rx_push(r, (uint8_t)v);
		} else {
			eff->tx = true;
			eff->tx_char = (uint8_t)v;
		}
		break;
	case UARTILPR:
		r->ilpr = v & 0xff;
		break;
	case UARTIBRD:
		r->ibrd = v & 0xffff;
		break;
	case UARTFBRD:
		r->fbrd = v & 0x3f;
		break;
	case UARTLCR_H:
		r->lcr_h = v & 0xff;
		break;
	case UARTCR:
		r->cr = v & 0xffff;
		break;
	case UARTIFLS:
		r->ifls = v & 0x3f;
		break;
	case UARTIMSC:
		r->imsc = v & INT_MASK;
		break;
	case UARTRSR: /* ECR: clears errors, and there are none */
	case UARTICR: /* every modelled source is a level that follows the FIFOs */
	case UARTDMACR:
	case UARTFR: /* read-only registers ignore writes */
	case UARTRIS:
	case UARTMIS:
		break;
	default:
		if (offset < UARTPERIPHID0)
			return -EINVAL;
		break;
	}
	return 0;
}
