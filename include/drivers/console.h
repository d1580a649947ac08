/* The host console: one character device (the board's stdout-path UART). */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <drivers/console_queue.h>
#include <stddef.h>

/* Host output: raw bytes, "\n" sent as "\r\n". Safe from any context, any CPU; queued and sent
 * by the TX interrupt, never dropped (a writer waits only when 16 KiB are already queued). */
void console_write(const char *s, size_t len);
void console_putc(char c);
/* Guest output: queued only as far as it leaves room for the host's; never waits. Returns how
 * many bytes of s were taken (the rest is the caller's to drop). */
size_t console_write_guest(const char *s, size_t len);
/* How many bytes console_write_guest would take now. */
size_t console_guest_room(void);
/* Sends everything queued before returning (before powering off or resetting). */
void console_flush(void);
/* From the panic path: sends what is queued and writes synchronously from then on. */
void console_panic(void);
/* Blocks the calling thread until a received byte is available; returns it, or CONSOLE_LOST
 * where received bytes were lost because the ring was full. */
int console_getc(void);
/* Starts interrupt-driven receive and transmit (needs the GIC and the scheduler). */
void console_init_irq(unsigned uart_intid);

#endif
