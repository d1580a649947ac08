/* 8250/16550 UART (ns16550a, ns16550, snps,dw-apb-uart): the host console's driver for those
 * (drivers/uart.c picks it from the board's tree). */
#ifndef DRIVERS_NS16550_H
#define DRIVERS_NS16550_H

#include <drivers/uart.h>
#include <stdbool.h>
#include <stdint.h>

/* Usable right away, MMU on or off: the boot loader already configured the line. Register n
 * at base + (n << reg_shift), accessed io_width (1 or 4) bytes wide; dw: a DesignWare APB
 * UART, whose busy-detect interrupt must be cleared through its USR. */
void ns16550_init(uintptr_t base, unsigned reg_shift, unsigned io_width, bool dw);
extern const struct uart_ops ns16550_ops;

#endif
