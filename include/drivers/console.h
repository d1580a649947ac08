/* The host console: one character device (the board's stdout-path UART). */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <stddef.h>

/* Writes raw bytes; "\n" is sent as "\r\n". Safe from any context, any CPU. */
void console_write(const char *s, size_t len);
void console_putc(char c);
/* Blocks the calling thread until a received byte is available. */
int console_getc(void);
/* Starts interrupt-driven receive (needs the GIC and the scheduler). */
void console_init_rx(unsigned uart_intid);

#endif
