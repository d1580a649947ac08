/* ARM PL011 UART: polled transmit, interrupt-driven receive into a ring buffer. */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <stdbool.h>
#include <stdint.h>

/* Usable right away, MMU on or off: the boot loader already configured the line. */
void pl011_init(uintptr_t base);
void pl011_putc(char c);
/* Enables the receive interrupt; received bytes are handed to rx(byte) in interrupt context. */
void pl011_enable_rx_irq(unsigned intid, void (*rx)(uint8_t byte));
/* Polled receive for the time before interrupts work: returns -1 when nothing is waiting. */
int pl011_try_getc(void);

#endif
