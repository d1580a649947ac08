/* 8250/16550 UART, including the Synopsys DesignWare APB UART of Rockchip and many other SoCs.
 * The line settings (divisor, 8N1, FIFO enable) are left as the boot loader set them, with
 * LCR.DLAB clear: this driver writes only THR and IER. Register n lies at base + (n << shift)
 * and is accessed `width` bytes wide (the tree's reg-shift and reg-io-width). One interrupt
 * serves receive and transmit. */
#include <arch/mmio.h>
#include <drivers/gic.h>
#include <drivers/ns16550.h>
#include <kernel/irq.h>

#define RBR 0x00 /* read: receive buffer */
#define THR 0x00 /* write: transmit holding */
#define IER 0x01
#define IIR 0x02 /* read: interrupt identification */
#define LSR 0x05
#define USR 0x1f /* DesignWare: UART status */

#define IER_ERBFI      (1u << 0) /* received data, and the RX timeout */
#define IER_ETBEI      (1u << 1) /* THR (or the TX FIFO) empty */
#define IIR_NO_INT     0x01
#define IIR_ID	       0x0f
#define IIR_BUSY       0x07 /* DesignWare busy detect: bit 0 set, yet an interrupt */
#define IIR_RX_TIMEOUT 0x0c
#define IIR_FIFOS_ON   0xc0 /* both bits: a 16550A with its FIFOs enabled */
#define LSR_DR	       (1u << 0)
#define LSR_THRE       (1u << 5)

/* A 16550A's; a DesignWare FIFO is as deep or deeper. */
#define FIFO_SIZE 16

static struct {
	uintptr_t base;
	unsigned shift, width;
	bool dw;
	unsigned fifo;	  /* bytes THR takes once LSR.THRE is seen: FIFO_SIZE, 1 without FIFOs */
	unsigned tx_room; /* bytes it still takes before LSR must be read again: under tx_lock */
	uint8_t ier;	  /* written only under the caller's console locks */
	void (*rx)(uint8_t byte);
	void (*tx)(void);
} u;

#ifdef UNIT_TEST
/* tests/unit/test_ns16550.c models the device: its reads have side effects (RBR pops the
 * FIFO, IIR clears a THRE interrupt, USR clears busy detect) that plain memory cannot show. */
uint32_t ns16550_test_read(uintptr_t addr, unsigned width);
void ns16550_test_write(uint32_t v, uintptr_t addr, unsigned width);
#endif

static uint32_t rd(unsigned reg)
{
	uintptr_t a = u.base + ((uintptr_t)reg << u.shift);

#ifdef UNIT_TEST
	return ns16550_test_read(a, u.width);
#else
	return u.width == 4 ? readl(a) : readb(a);
#endif
}

static void wr(unsigned reg, uint32_t v)
{
	uintptr_t a = u.base + ((uintptr_t)reg << u.shift);

#ifdef UNIT_TEST
	ns16550_test_write(v, a, u.width);
#else
	if (u.width == 4)
		writel(v, a);
	else
		writeb((uint8_t)v, a);
#endif
}

void ns16550_init(uintptr_t base, unsigned reg_shift, unsigned io_width, bool dw)
{
	u.base = base;
	u.shift = reg_shift;
	u.width = io_width;
	u.dw = dw;
	u.ier = 0;
	u.tx_room = 0;
	wr(IER, 0); /* polled until enable_irq, whatever the boot loader enabled */
	if (dw)
		(void)rd(USR); /* a busy detect the boot loader's LCR writes left pending */
	/* FCR cannot be read back; IIR says whether the boot loader turned the FIFOs on. */
	u.fifo = (rd(IIR) & IIR_FIFOS_ON) == IIR_FIFOS_ON ? FIFO_SIZE : 1;
}

/* THRE means the whole TX FIFO is empty: after seeing it, that many bytes go without reading
 * LSR again, so one TX interrupt moves a FIFO's worth, not one byte. */
static bool ns16550_tx_ready(void)
{
	if (!u.base)
		return false;
	if (!u.tx_room && (rd(LSR) & LSR_THRE))
		u.tx_room = u.fifo;
	return u.tx_room != 0;
}

static void ns16550_tx_byte(uint8_t c)
{
	wr(THR, c);
	if (u.tx_room)
		u.tx_room--;
}

/* Waits at most a FIFO's worth of line time: only before interrupts work and on the way down,
 * as the PL011 driver does. */
static void ns16550_putc(char c)
{
	if (!u.base)
		return;
	while (!ns16550_tx_ready())
		;
	ns16550_tx_byte((uint8_t)c);
}

static int ns16550_try_getc(void)
{
	if (!u.base || !(rd(LSR) & LSR_DR))
		return -1;
	return (int)(rd(RBR) & 0xff);
}

static void ns16550_set_tx_irq(bool on)
{
	uint8_t want = on ? u.ier | IER_ETBEI : u.ier & ~IER_ETBEI;

	/* Turning ETBEI on with THR already empty raises the interrupt at once: no byte waits. */
	if (want != u.ier) {
		u.ier = want;
		wr(IER, want);
	}
}

static void ns16550_irq(unsigned intid, void *arg)
{
	uint32_t iir = rd(IIR) & IIR_ID, lsr;

	(void)intid;
	(void)arg;
	/* A DesignWare UART raises busy detect when LCR is written while it sends or receives
	 * (a boot loader or firmware changing the line). It is level, outranks every other
	 * source, and only a read of USR drops it: unread, the line stays high and this CPU
	 * takes the interrupt again and again, running nothing else. Any other source still
	 * pending raises the interrupt again once this one is gone. */
	if (u.dw && iir == IIR_BUSY) {
		(void)rd(USR);
		return;
	}
	if (iir & IIR_NO_INT)
		return;
	lsr = rd(LSR);
	/* A DesignWare UART can signal an RX timeout with nothing in the FIFO; the timeout stays
	 * until RBR is read (Linux's dw8250_handle_irq does the same). */
	if (u.dw && iir == IIR_RX_TIMEOUT && !(lsr & LSR_DR))
		(void)rd(RBR);
	/* Drained until empty: a byte landing after the last read keeps the RX source up. */
	for (; lsr & LSR_DR; lsr = rd(LSR))
		u.rx((uint8_t)rd(RBR));
	/* Reading IIR cleared a THRE interrupt; the refill (or ETBEI off) settles it too. */
	if ((u.ier & IER_ETBEI) && (lsr & LSR_THRE))
		u.tx();
}

static void ns16550_enable_irq(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void))
{
	u.rx = rx;
	u.tx = tx;
	irq_connect(intid, ns16550_irq, NULL);
	u.ier = IER_ERBFI;
	wr(IER, u.ier);
	gic_irq_enable(intid);
}

const struct uart_ops ns16550_ops = {
    .putc = ns16550_putc,
    .try_getc = ns16550_try_getc,
    .tx_ready = ns16550_tx_ready,
    .tx_byte = ns16550_tx_byte,
    .enable_irq = ns16550_enable_irq,
    .set_tx_irq = ns16550_set_tx_irq,
};
