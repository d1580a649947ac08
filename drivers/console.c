/* The host console on top of the PL011: serialised output from any CPU, and a receive ring
 * that the shell thread sleeps on. */
#include <drivers/console.h>
#include <drivers/pl011.h>
#include <kernel/sem.h>
#include <kernel/spinlock.h>
#include <stdint.h>

#define RX_RING_SIZE 256 /* a power of two */

static struct k_spinlock tx_lock;
static struct k_spinlock rx_lock;
static uint8_t rx_ring[RX_RING_SIZE];
static unsigned rx_head, rx_tail; /* free-running; head - tail bytes are waiting */
static struct k_sem rx_sem;

static void put_raw(char c)
{
	if (c == '\n')
		pl011_putc('\r');
	pl011_putc(c);
}

void console_write(const char *s, size_t len)
{
	k_spinlock_key_t key = k_spin_lock(&tx_lock);

	for (size_t i = 0; i < len; i++)
		put_raw(s[i]);
	k_spin_unlock(&tx_lock, key);
}

void console_putc(char c)
{
	console_write(&c, 1);
}

/* Interrupt context: a byte arrived. When the ring is full the byte is dropped, as a real
 * terminal would lose it. */
static void console_rx(uint8_t byte)
{
	k_spinlock_key_t key = k_spin_lock(&rx_lock);
	bool stored = rx_head - rx_tail < RX_RING_SIZE;

	if (stored)
		rx_ring[rx_head++ % RX_RING_SIZE] = byte;
	k_spin_unlock(&rx_lock, key);
	if (stored)
		k_sem_give(&rx_sem);
}

int console_getc(void)
{
	k_spinlock_key_t key;
	int c;

	k_sem_take(&rx_sem, K_FOREVER);
	key = k_spin_lock(&rx_lock);
	c = rx_ring[rx_tail++ % RX_RING_SIZE];
	k_spin_unlock(&rx_lock, key);
	return c;
}

void console_init_rx(unsigned uart_intid)
{
	k_sem_init(&rx_sem, 0, RX_RING_SIZE);
	pl011_enable_rx_irq(uart_intid, console_rx);
}
