/* PL011 UART, or an SBSA generic UART (its subset: DR, FR, IMSC, MIS, ICR). The line settings
 * (baud, 8N1) are left as the boot loader set them. One interrupt serves receive and transmit. */
#include <arch/mmio.h>
#include <drivers/gic.h>
#include <drivers/pl011.h>
#include <drivers/uart.h>
#include <kernel/irq.h>

#define UART_DR	  0x00
#define UART_FR	  0x18
#define UART_CR	  0x30
#define UART_IMSC 0x38
#define UART_MIS  0x40
#define UART_ICR  0x44

#define FR_RXFE	  (1u << 4)
#define FR_TXFF	  (1u << 5)
#define INT_RX	  (1u << 4)
#define INT_TX	  (1u << 5)
#define INT_RT	  (1u << 6) /* receive timeout: a byte sat in the FIFO */
#define CR_UARTEN (1u << 0)
#define CR_TXE	  (1u << 8)
#define CR_RXE	  (1u << 9)

static uintptr_t uart_base;
static void (*rx_handler)(uint8_t byte);
static void (*tx_handler)(void);
static uint32_t imsc; /* written only under the caller's console locks */

void pl011_init(uintptr_t base, bool sbsa)
{
	uart_base = base;
	if (!sbsa) /* an SBSA UART has no UARTCR: always on (Xen 4.17 aborts the access) */
		writel(readl(base + UART_CR) | CR_UARTEN | CR_TXE | CR_RXE, base + UART_CR);
}

static void pl011_putc(char c)
{
	if (!uart_base)
		return;
	while (readl(uart_base + UART_FR) & FR_TXFF)
		;
	writel((uint8_t)c, uart_base + UART_DR);
}

static int pl011_try_getc(void)
{
	if (!uart_base || (readl(uart_base + UART_FR) & FR_RXFE))
		return -1;
	return readl(uart_base + UART_DR) & 0xff;
}

static bool pl011_tx_ready(void)
{
	return uart_base && !(readl(uart_base + UART_FR) & FR_TXFF);
}

static void pl011_tx_byte(uint8_t c)
{
	writel(c, uart_base + UART_DR);
}

static void pl011_set_tx_irq(bool on)
{
	uint32_t want = on ? imsc | INT_TX : imsc & ~INT_TX;

	if (want != imsc) {
		imsc = want;
		writel(imsc, uart_base + UART_IMSC);
	}
}

static void pl011_irq(unsigned intid, void *arg)
{
	uint32_t mis = readl(uart_base + UART_MIS);
	int c;

	(void)intid;
	(void)arg;
	/* Clear first, then drain: a byte that lands after the last read raises the interrupt
	 * again. Clearing after the loop could swallow that byte's interrupt, and with a trigger
	 * level of one byte no later byte would raise it again. */
	writel(INT_RX | INT_RT, uart_base + UART_ICR);
	while ((c = pl011_try_getc()) >= 0)
		rx_handler((uint8_t)c);
	if (mis & INT_TX) {
		writel(INT_TX, uart_base + UART_ICR);
		tx_handler();
	}
}

static void pl011_enable_irq(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void))
{
	rx_handler = rx;
	tx_handler = tx;
	irq_connect(intid, pl011_irq, NULL);
	imsc = INT_RX | INT_RT;
	writel(imsc, uart_base + UART_IMSC);
	gic_irq_enable(intid);
}

const struct uart_ops pl011_ops = {
    .putc = pl011_putc,
    .try_getc = pl011_try_getc,
    .tx_ready = pl011_tx_ready,
    .tx_byte = pl011_tx_byte,
    .enable_irq = pl011_enable_irq,
    .set_tx_irq = pl011_set_tx_irq,
};
