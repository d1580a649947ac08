/* The console UART, whatever its kind: drivers/console.c and the boot call these, never a
 * driver directly. The board's tree picks the driver (kernel/board.c: board.uart.kind). One
 * indirect call per byte: the console path is not a hot path. */
#ifndef DRIVERS_UART_H
#define DRIVERS_UART_H

#include <stdbool.h>
#include <stdint.h>

struct board;

/* What a console UART driver provides. Line settings (baud, 8N1) are the boot loader's. */
struct uart_ops {
	/* Polled transmit, waiting for room: only before interrupts work and on the way down. */
	void (*putc)(char c);
	/* Polled receive for the time before interrupts work: -1 when nothing is waiting. */
	int (*try_getc)(void);
	/* Whether the TX FIFO has room for one more byte, and the byte itself. */
	bool (*tx_ready)(void);
	void (*tx_byte)(uint8_t c);
	/* Enables the interrupt: received bytes go to rx(byte); tx() is called, in interrupt
	 * context, when the TX FIFO has room again while set_tx_irq(true). */
	void (*enable_irq)(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void));
	void (*set_tx_irq)(bool on);
};

/* The board's console UART; until uart_init (or without one) a UART that takes and gives
 * nothing. */
extern const struct uart_ops *uart_ops;

/* Starts the driver board->uart names, when present. Usable right away, MMU on or off. */
void uart_init(const struct board *board);

static inline void uart_putc(char c)
{
	uart_ops->putc(c);
}

static inline int uart_try_getc(void)
{
	return uart_ops->try_getc();
}

static inline bool uart_tx_ready(void)
{
	return uart_ops->tx_ready();
}

static inline void uart_tx_byte(uint8_t c)
{
	uart_ops->tx_byte(c);
}

static inline void uart_enable_irq(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void))
{
	uart_ops->enable_irq(intid, rx, tx);
}

static inline void uart_set_tx_irq(bool on)
{
	uart_ops->set_tx_irq(on);
}

#endif
