/* The host console on top of the PL011. Output from any CPU goes into a transmit ring that the
 * UART's TX interrupt drains, a FIFO's worth at a time, so no writer waits for the line with
 * interrupts masked (at 115200 baud a byte takes 87 us). Input goes into a receive ring that
 * the shell thread sleeps on. The queues themselves are drivers/console_queue.c. */
#include <drivers/console.h>
#include <drivers/console_queue.h>
#include <drivers/pl011.h>
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <stdint.h>

#define TX_RING_SIZE	 (16 * 1024)
#define TX_GUEST_RESERVE (4 * 1024) /* guest output leaves this much for the host's */
#define TX_BURST	 32	    /* bytes per fill, a FIFO's worth: bounds the time masked */
#define RX_RING_SIZE	 (4 * 1024) /* a pasted page of commands */

static struct k_spinlock tx_lock;
static uint8_t tx_buf[TX_RING_SIZE];
static struct byte_ring tx_ring = {tx_buf, TX_RING_SIZE, 0, 0};
static bool tx_irq_on;		/* the TX interrupt drains the ring: set once, under tx_lock */
static volatile bool panicking; /* polled output without the lock: its holder may be stopped */

static struct k_spinlock rx_lock;
static uint8_t rx_buf[RX_RING_SIZE];
static struct console_rx_queue rx_q = {.ring = {rx_buf, RX_RING_SIZE, 0, 0}};
static struct k_sem rx_sem;

static void put_polled(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n')
			pl011_putc('\r');
		pl011_putc(s[i]);
	}
}

/* tx_lock held: moves up to a FIFO's worth to the UART, and asks for the TX interrupt while
 * bytes are left. */
static void tx_fill_locked(void)
{
	for (int n = 0; n < TX_BURST && byte_ring_used(&tx_ring) && pl011_tx_ready(); n++)
		pl011_tx_byte((uint8_t)byte_ring_get(&tx_ring));
	pl011_set_tx_irq(byte_ring_used(&tx_ring) != 0);
}

static void console_tx_irq(void)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);

	tx_fill_locked();
	k_spin_unlock(&tx_lock, key);
}

/* tx_lock held (or every other CPU stopped): sends everything queued, waiting on the line. */
static void tx_drain_polled_locked(void)
{
	while (byte_ring_used(&tx_ring))
		pl011_putc((char)byte_ring_get(&tx_ring));
}

void console_write(const char *s, size_t len)
{
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
	for (;;) {
		size_t n = console_tx_queue(&tx_ring, s, len, 0);

		s += n;
		len -= n;
		if (!len)
			break;
		/* 16 KiB queued that the line has not taken: the host's own output is never
		 * dropped, so it waits for the line, one byte at a time. Only the host gets here:
		 * guests stop at their reserve. */
		pl011_putc((char)byte_ring_get(&tx_ring));
	}
	tx_fill_locked();
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
	n = console_tx_queue(&tx_ring, s, len, TX_GUEST_RESERVE);
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
	panicking = true;
	/* Without the lock: the CPU holding it may have been stopped. What is queued goes out
	 * first, so the panic message follows the output that led to it. */
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

	k_sem_init(&rx_sem, 0, RX_RING_SIZE + 1); /* every byte, plus one loss report */
	pl011_enable_irq(uart_intid, console_rx, console_tx_irq);
	key = k_spin_lock(&tx_lock);
	tx_irq_on = true;
	k_spin_unlock(&tx_lock, key);
}
