/* ARM PL011 UART: register access for the host console (drivers/console.c). */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <stdbool.h>
#include <stdint.h>

/* Usable right away, MMU on or off: the boot loader already configured the line. sbsa: an SBSA
 * generic UART, whose control register is not there to touch. */
void pl011_init(uintptr_t base, bool sbsa);
/* Polled transmit, waiting for room: only before interrupts work and on the way down. */
void pl011_putc(char c);
/* Whether the TX FIFO has room for one more byte, and the byte itself. */
bool pl011_tx_ready(void);
void pl011_tx_byte(uint8_t c);
/* Enables the interrupt: received bytes go to rx(byte); tx() is called, in interrupt context,
 * when the TX FIFO has drained below its trigger level while pl011_set_tx_irq(true). */
void pl011_enable_irq(unsigned intid, void (*rx)(uint8_t byte), void (*tx)(void));
void pl011_set_tx_irq(bool on);
/* Polled receive for the time before interrupts work: returns -1 when nothing is waiting. */
int pl011_try_getc(void);

#endif
