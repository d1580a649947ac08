/* The host console on top of the board's UART (drivers/uart.c: a PL011 or an 8250). Output from
 * any CPU goes into a transmit ring that the UART's TX interrupt drains, a FIFO's worth at a
 * time, so no writer waits for the line with interrupts masked (at 115200 baud a byte takes
 * 87 us). A thread that finds the ring full sleeps until the interrupt frees room; threads leave
 * TX_ATOMIC_RESERVE to writers that cannot sleep (interrupt and exception handlers), whose
 * messages are dropped (counted, reported) beyond that. A message up to TX_WHOLE_MAX bytes is
 * queued whole or not at all, so lines from different writers never mix. Host messages that
 * come while an attached guest is in the middle of a line wait (at most 2 x HOLD_MS) for the end
 * of that line, so they never split it. Input goes into a receive ring that the shell thread
 * sleeps on. The queues themselves are drivers/console_queue.c.
 */
#include <arch/irq.h>
#include <arch/sysreg.h>
#include <errno.h>
#include <drivers/console.h>
#include <drivers/console_queue.h>
#include <drivers/uart.h>
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <kernel/timer.h>
#include <lib/format.h>
#include <stdint.h>

#define TX_RING_SIZE	  (16 * 1024)
#define TX_GUEST_RESERVE  (4 * 1024) /* guest output leaves this much for the host's */
#define TX_ATOMIC_RESERVE (1024) /* host threads leave this much for writers that cannot sleep */
#define TX_BURST	  32	 /* bytes per fill, a FIFO's worth: bounds the time masked */
#define TX_WHOLE_MAX	  1024	 /* messages up to this long are queued whole or not at all */
#define RX_RING_SIZE	  (4 * 1024) /* a pasted page of commands */

static struct k_spinlock tx_lock;
static uint8_t tx_buf[TX_RING_SIZE];
static struct byte_ring tx_ring = {tx_buf, TX_RING_SIZE, 0, 0};
static bool tx_irq_on;		/* the TX interrupt drains the ring: set once, under tx_lock */
static volatile bool panicking; /* polled output without the lock: its holder may be stopped */
static struct k_sem tx_space;	/* given by the TX interrupt while threads wait for room */
static unsigned tx_waiters;	/* threads waiting for room, under tx_lock */
static uint64_t tx_waits, tx_dropped; /* console_stats(), under tx_lock */
static uint64_t tx_unreported;	      /* dropped, not yet reported: under tx_lock */
/* A paced line (console_set_line_rate): bytes sent per tick of tx_pace_timer, 0 when the TX
 * interrupt drains the ring as fast as the UART takes it. */
#define TX_PACE_HZ 1000		/* at 230400 baud 23 bytes a tick: under a FIFO's worth, masked */
static unsigned tx_pace_bps;	/* bytes a second; 0: not paced */
static unsigned tx_pace_credit; /* bytes * TX_PACE_HZ owed to the line: under tx_lock */
static struct k_timer tx_pace_timer;

/* Host messages waiting for the attached guest's line to end: console_queue.h. A periodic
 * timer, running while a user is attached, releases them when the guest does not end its line
 * (a shell prompt) within one to two periods. It is started and stopped by the shell thread
 * only: never from a writer, which may hold the scheduler's lock the timer code takes. */
#define HOLD_MS 250
static struct console_hold hold; /* under tx_lock */
static bool hold_seen;		 /* under tx_lock: messages were held at the last tick */
static struct k_timer hold_timer;

static struct k_spinlock rx_lock;
static uint8_t rx_buf[RX_RING_SIZE];
static struct console_rx_queue rx_q = {.ring = {rx_buf, RX_RING_SIZE, 0, 0}};
static struct k_sem rx_sem;

static void put_polled(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

/* tx_lock held: moves up to `max` bytes to the UART (as far as its FIFO takes them). */
static void tx_send_locked(unsigned max)
{
	for (unsigned n = 0; n < max && byte_ring_used(&tx_ring) && uart_tx_ready(); n++)
		uart_tx_byte((uint8_t)byte_ring_get(&tx_ring));
}

/* tx_lock held: a FIFO's worth to the UART, and the TX interrupt asked for while bytes are
 * left. With a paced line the pace timer sends instead. */
static void tx_fill_locked(void)
{
	if (tx_pace_bps)
		return;
	tx_send_locked(TX_BURST);
	uart_set_tx_irq(byte_ring_used(&tx_ring) != 0);
}

/* The TX interrupt, or a tick of the paced line: sends, then wakes a thread waiting for room.
 * The give is outside tx_lock: it may take the scheduler's lock, and printk under the
 * scheduler's lock takes tx_lock. One waiter a step; steps keep coming while the ring holds
 * bytes, so every waiter's turn comes. */
static void tx_step(bool paced)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);
	bool wake;

	if (paced) {
		tx_pace_credit += tx_pace_bps;
		tx_send_locked(tx_pace_credit / TX_PACE_HZ);
		tx_pace_credit %= TX_PACE_HZ;
	} else
		tx_fill_locked();
	wake = tx_waiters && byte_ring_free(&tx_ring) > TX_ATOMIC_RESERVE;
	k_spin_unlock(&tx_lock, key);
	if (wake)
		k_sem_give(&tx_space);
}

static void console_tx_irq(void)
{
	tx_step(false);
}

static void tx_pace_tick(struct k_timer *t)
{
	(void)t;
	tx_step(true);
}

int console_set_line_rate(unsigned baud)
{
	k_spinlock_key_t key;

	if (baud > CONSOLE_LINE_MAX_BAUD)
		return -EINVAL;
	if (!tx_irq_on)
		return -ENODEV; /* no UART interrupt: output is polled, and the timer unset */
	k_timer_stop(&tx_pace_timer);
	key = k_spin_lock(&tx_lock);
	tx_pace_bps = baud / 10; /* 10 bits a byte on the line: start, 8 data, stop */
	tx_pace_credit = 0;
	uart_set_tx_irq(false);
	if (!baud)
		tx_fill_locked();
	k_spin_unlock(&tx_lock, key);
	if (baud)
		k_timer_start(&tx_pace_timer, K_MSEC(1000 / TX_PACE_HZ), K_MSEC(1000 / TX_PACE_HZ));
	return 0;
}

/* tx_lock held (or every other CPU stopped): sends everything queued, waiting on the line. */
static void tx_drain_polled_locked(void)
{
	while (byte_ring_used(&tx_ring))
		uart_putc((char)byte_ring_get(&tx_ring));
}

/* tx_lock held: the held messages go out now (timeout, detach, or one that does not fit). */
static void hold_release_locked(void)
{
	console_hold_release(&tx_ring, &hold);
	tx_dropped += hold.dropped;
	tx_unreported += hold.dropped;
	hold.dropped = 0;
}

static void hold_tick(struct k_timer *t)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);

	(void)t;
	if (hold.len && hold_seen) {
		hold_release_locked();
		tx_fill_locked();
	}
	hold_seen = hold.len != 0;
	k_spin_unlock(&tx_lock, key);
}

void console_guest_attach(void)
{
	if (tx_irq_on)
		k_timer_start(&hold_timer, K_MSEC(HOLD_MS), K_MSEC(HOLD_MS));
}

void console_guest_detach(void)
{
	k_spinlock_key_t key;

	k_timer_stop(&hold_timer);
	key = k_spin_lock(&tx_lock);
	hold_release_locked();
	hold.guest_mid_line = false;
	if (tx_irq_on)
		tx_fill_locked();
	k_spin_unlock(&tx_lock, key);
}

/* tx_lock held, a thread writing: says how much masked writers dropped, if it fits. */
static void report_dropped_locked(void)
{
	char msg[64];
	int n = fmt_snprintf(msg, sizeof(msg), "\n[console: %llu bytes of messages dropped]\n",
			     (unsigned long long)tx_unreported);

	if (byte_ring_free(&tx_ring) >= TX_ATOMIC_RESERVE + console_tx_need(msg, (size_t)n, true)) {
		console_tx_queue(&tx_ring, msg, (size_t)n, TX_ATOMIC_RESERVE, true);
		tx_unreported = 0;
	}
}

void console_write(const char *s, size_t len)
{
	/* Interrupts enabled on entry: a thread holding no spinlock, which may sleep for room. */
	bool may_sleep = !arch_irqs_masked();
	k_spinlock_key_t key;

	if (panicking) {
		put_polled(s, len);
		return;
	}
	key = k_spin_lock(&tx_lock);
	if (!tx_irq_on) {
		put_polled(s, len); /* early boot: nothing else runs yet */
		k_spin_unlock(&tx_lock, key);
		return;
	}
	if (console_hold_host(&hold, s, len)) {
		k_spin_unlock(&tx_lock, key);
		return;
	}
	hold_release_locked(); /* one that does not fit: the line is split, the order kept */
	if (may_sleep && tx_unreported)
		report_dropped_locked();
	size_t need = console_tx_need(s, len, true);
	bool whole = need <= TX_WHOLE_MAX; /* a line, a printk: never split, never mixed */

	for (;;) {
		unsigned reserve = may_sleep ? TX_ATOMIC_RESERVE : 0;
		size_t n = 0;

		if (!whole || byte_ring_free(&tx_ring) >= reserve + need)
			n = console_tx_queue(&tx_ring, s, len, reserve, true);
		s += n;
		len -= n;
		if (!len)
			break;
		if (may_sleep) {
			tx_fill_locked();
			tx_waiters++;
			tx_waits++;
			k_spin_unlock(&tx_lock, key);
			may_sleep = k_sem_take(&tx_space, K_FOREVER) == 0; /* -EBUSY: idle thread */
			key = k_spin_lock(&tx_lock);
			tx_waiters--;
			continue;
		}
		/* 16 KiB queued that the line has not taken, and a writer that cannot sleep (an
		 * interrupt or exception handler: a guest's error log line, say). It never waits
		 * for the line with interrupts masked (87 us a byte): the rest is dropped, counted,
		 * and reported by the next thread that writes. (Threads' output is dropped only
		 * where a thread cannot sleep either: the idle thread.) */
		tx_dropped += len;
		tx_unreported += len;
		break;
	}
	tx_fill_locked();
	k_spin_unlock(&tx_lock, key);
}

void console_stats(struct console_stats *st)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);

	st->tx_queued = byte_ring_used(&tx_ring);
	st->tx_size = TX_RING_SIZE;
	st->tx_waits = tx_waits;
	st->tx_dropped = tx_dropped;
	st->line_rate = tx_pace_bps * 10;
	k_spin_unlock(&tx_lock, key);
}

void console_putc(char c)
{
	console_write(&c, 1);
}

size_t console_write_guest(const char *s, size_t len)
{
	k_spinlock_key_t key;
	size_t n;

	if (panicking)
		return 0;
	key = k_spin_lock(&tx_lock);
	n = console_tx_guest(&tx_ring, &hold, s, len, TX_GUEST_RESERVE);
	tx_dropped += hold.dropped;
	tx_unreported += hold.dropped;
	hold.dropped = 0;
	if (tx_irq_on)
		tx_fill_locked();
	else
		tx_drain_polled_locked();
	k_spin_unlock(&tx_lock, key);
	return n;
}

size_t console_guest_room(void)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);
	unsigned room = byte_ring_free(&tx_ring);

	k_spin_unlock(&tx_lock, key);
	return room > TX_GUEST_RESERVE ? room - TX_GUEST_RESERVE : 0;
}

void console_flush(void)
{
	k_spinlock_key_t key;

	if (panicking)
		return;
	key = k_spin_lock(&tx_lock);
	tx_drain_polled_locked();
	k_spin_unlock(&tx_lock, key);
}

void console_panic(void)
{
	/* The lock if it comes within a bounded wait, and never given back: a CPU still in the
	 * TX interrupt finishes its burst and then cannot take another while the panic writes
	 * (its stop IPI may not have arrived). Without it after the wait: its holder may have
	 * been stopped. What is queued goes out first, so the panic message follows the output
	 * that led to it. */
	for (unsigned i = 0; i < 1000000 && !k_spin_trylock(&tx_lock); i++)
		cpu_relax();
	panicking = true;
	tx_drain_polled_locked();
}

/* Interrupt context: a byte arrived. When the ring is full the byte is lost, and the reader
 * gets CONSOLE_LOST where it happened. */
static void console_rx(uint8_t byte)
{
	k_spinlock_key_t key = k_spin_lock(&rx_lock);
	bool item = console_rx_push(&rx_q, byte);

	k_spin_unlock(&rx_lock, key);
	if (item)
		k_sem_give(&rx_sem);
}

int console_getc(void)
{
	k_spinlock_key_t key;
	int c;

	k_sem_take(&rx_sem, K_FOREVER);
	key = k_spin_lock(&rx_lock);
	c = console_rx_pop(&rx_q);
	k_spin_unlock(&rx_lock, key);
	return c;
}

void console_init_irq(unsigned uart_intid)
{
	k_spinlock_key_t key;

	k_sem_init(&rx_sem, 0, RX_RING_SIZE + CONSOLE_RX_LOSSES); /* every byte and loss */
	k_sem_init(&tx_space, 0, 1);
	k_timer_init(&tx_pace_timer, tx_pace_tick, NULL);
	k_timer_init(&hold_timer, hold_tick, NULL);
	uart_enable_irq(uart_intid, console_rx, console_tx_irq);
	key = k_spin_lock(&tx_lock);
	tx_irq_on = true;
	k_spin_unlock(&tx_lock, key);
}
