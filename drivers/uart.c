/* The console UART's driver, chosen by the kind the board's tree gives (include/drivers/uart.h). */
#include <drivers/ns16550.h>
#include <drivers/pl011.h>
#include <drivers/uart.h>
#include <kernel/board.h>

/* No UART (yet): output goes nowhere, nothing comes in, and no interrupt is ever wanted. */
static void none_putc(char c)
{
	(void)c;
}

static int none_try_getc(void)
{
	return -1;
}

static bool none_tx_ready(void)
{
	return false;
}

static void none_tx_byte(uint8_t c)
{
	(void)c;
}

static void none_enable_irq(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void))
{
	(void)intid;
	(void)rx;
	(void)tx;
}

static void none_set_tx_irq(bool on)
{
	(void)on;
}

static const struct uart_ops none_ops = {
    .putc = none_putc,
    .try_getc = none_try_getc,
    .tx_ready = none_tx_ready,
    .tx_byte = none_tx_byte,
    .enable_irq = none_enable_irq,
    .set_tx_irq = none_set_tx_irq,
};

const struct uart_ops *uart_ops = &none_ops;

void uart_init(const struct board *b)
{
	if (!b->uart.present)
		return;
	switch (b->uart.kind) {
	case BOARD_UART_PL011:
	case BOARD_UART_SBSA:
		pl011_init(b->uart.reg.base, b->uart.kind == BOARD_UART_SBSA);
		uart_ops = &pl011_ops;
		break;
	case BOARD_UART_NS16550:
	case BOARD_UART_DW_APB:
		ns16550_init(b->uart.reg.base, b->uart.reg_shift, b->uart.io_width,
			     b->uart.kind == BOARD_UART_DW_APB);
		uart_ops = &ns16550_ops;
		break;
	}
}
