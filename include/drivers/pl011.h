/* ARM PL011 UART, or an SBSA generic UART: the host console's driver for those (drivers/uart.c
 * picks it from the board's tree). */
#ifndef DRIVERS_PL011_H
#define DRIVERS_PL011_H

#include <drivers/uart.h>
#include <stdbool.h>
#include <stdint.h>

/* Usable right away, MMU on or off: the boot loader already configured the line. sbsa: an SBSA
 * generic UART, whose control register is not there to touch. */
void pl011_init(uintptr_t base, bool sbsa);
extern const struct uart_ops pl011_ops;

#endif
