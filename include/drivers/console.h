/* The host console: one character device (the board's stdout-path UART). */
#ifndef DRIVERS_CONSOLE_H
#define DRIVERS_CONSOLE_H

#include <drivers/console_queue.h>
#include <stddef.h>
#include <stdint.h>

/* Host output: raw bytes, "\n" sent as "\r\n". Safe from any context, any CPU; queued and sent
 * by the TX interrupt; nothing waits for the line with interrupts masked. When the queue is
 * full a thread sleeps until there is room (its output is never dropped, except the idle
 * thread's); a writer with interrupts masked uses the last 1 KiB, and beyond that its message
 * is dropped, counted in tx_dropped and reported by the next thread that writes. A message of
 * up to 1 KiB is queued whole or not at all. */
void console_write(const char *s, size_t len);
void console_putc(char c);
/* Guest output, raw bytes: queued only as far as it leaves room for the host's; never waits.
 * Returns how many bytes of s were taken (the rest is the caller's to drop). */
size_t console_write_guest(const char *s, size_t len);
/* A user attached to a guest (console_write_guest follows) / detached: host messages held for
 * the guest's line go out now. Thread context, no spinlock held (they start and stop a timer). */
void console_guest_attach(void);
void console_guest_detach(void);
/* How many bytes console_write_guest would take now. */
size_t console_guest_room(void);
struct console_stats {
	unsigned tx_queued, tx_size; /* bytes waiting for the line, of the ring's size */
	uint64_t tx_waits;	     /* times a thread slept for room */
	uint64_t tx_dropped;	     /* bytes of masked writers' messages dropped (ring full) */
	unsigned line_rate;	     /* baud of a paced line (about), 0 when not paced */
};
void console_stats(struct console_stats *st);
/* Sends at most what a line at `baud` carries, from a 1 kHz timer instead of the TX
 * interrupt, as a board's UART would (QEMU's has no line speed); 0 goes back to the UART's
 * own pace. For reproducing a slow console under QEMU. */
#define CONSOLE_LINE_MAX_BAUD 230400
/* 0, -EINVAL above CONSOLE_LINE_MAX_BAUD, -ENODEV without a UART interrupt (output polled). */
int console_set_line_rate(unsigned baud);
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
