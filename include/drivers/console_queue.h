/* The host console's queues, pure logic (unit-tested on the host; drivers/console.c adds the
 * UART and the locks).
 *
 * Transmit: bytes wait in a ring that the UART's TX interrupt drains, so no writer waits on
 * the line. Host output may use the whole ring; guest output must leave `reserve` bytes free,
 * so a guest flooding its console can fill the ring only up to where host messages still fit.
 *
 * Receive: when the ring is full a byte is lost, and the reader learns where: after the bytes
 * stored before the loss it gets CONSOLE_LOST once, so a line that lost bytes is never taken
 * for a whole one. */
#ifndef DRIVERS_CONSOLE_QUEUE_H
#define DRIVERS_CONSOLE_QUEUE_H

#include <lib/byte_ring.h>
#include <stdbool.h>
#include <stddef.h>

#define CONSOLE_LOST 0x100 /* not a byte: input was lost here */

/* Queues s (with crlf, "\n" as "\r\n") while more than `reserve` bytes stay free; returns how
 * many bytes of s were queued (a "\n" is queued whole or not at all). */
size_t console_tx_queue(struct byte_ring *r, const char *s, size_t len, unsigned reserve,
			bool crlf);

/* Host messages written while the attached guest is in the middle of a line wait here until the
 * guest ends that line (or a timeout in drivers/console.c releases them), so a notice such as
 * "zvm: vm1 (x) powered off" never splits the guest's "PASS". Invariant: len > 0 only while
 * guest_mid_line. */
#define CONSOLE_HOLD_SIZE 1024
struct console_hold {
	char buf[CONSOLE_HOLD_SIZE];
	size_t len;
	bool guest_mid_line; /* the last guest byte queued was not a "\n" */
	size_t dropped;	     /* held bytes that did not fit when released, for the caller */
};

/* A host message: true when it was held (the guest's line is open and it fits); false when
 * the caller queues it now (after console_hold_release, so the order is kept). */
bool console_hold_host(struct console_hold *h, const char *s, size_t len);
/* Queues the held messages (crlf, ignoring any reserve; what does not fit is added to
 * h->dropped) and gives the line to the host. */
void console_hold_release(struct byte_ring *r, struct console_hold *h);
/* Queues guest output (raw, leaving `reserve`): up to its last "\n", then the held messages,
 * then the rest. Returns how many bytes of s were queued. */
size_t console_tx_guest(struct byte_ring *r, struct console_hold *h, const char *s, size_t len,
			unsigned reserve);

#define CONSOLE_RX_LOSSES 8 /* losses recorded before the reader reaches the first */

/* Ring bytes console_tx_queue needs for all of s. */
size_t console_tx_need(const char *s, size_t len, bool crlf);

struct console_rx_queue {
	struct byte_ring ring;
	/* Where bytes were lost (ring.head then), oldest first: lost_at[first .. first + nlost),
	 * indices modulo CONSOLE_RX_LOSSES. While all slots are used nothing more is stored, so
	 * every later loss is at the newest position and no loss goes unreported. */
	unsigned lost_at[CONSOLE_RX_LOSSES];
	unsigned first, nlost;
};

/* Interrupt side: stores byte, or records a loss. Returns true when the reader has one more
 * item to take (a byte, or a loss at a new position). */
bool console_rx_push(struct console_rx_queue *q, uint8_t byte);
/* Reader side, once per item promised by console_rx_push: the next byte or CONSOLE_LOST. */
int console_rx_pop(struct console_rx_queue *q);

#endif
