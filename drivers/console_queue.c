/* The host console's transmit and receive queues (include/drivers/console_queue.h). */
#include <drivers/console_queue.h>

size_t console_tx_queue(struct byte_ring *r, const char *s, size_t len, unsigned reserve, bool crlf)
{
	size_t i;

	for (i = 0; i < len; i++) {
		bool cr = crlf && s[i] == '\n';

		if (byte_ring_free(r) < 1u + cr + reserve)
			break;
		if (cr)
			byte_ring_put(r, '\r');
		byte_ring_put(r, (uint8_t)s[i]);
	}
	return i;
}

bool console_rx_push(struct console_rx_queue *q, uint8_t byte)
{
	if (byte_ring_put(&q->ring, byte))
		return true;
	if (q->lost)
		return false; /* one report covers every byte lost before the reader gets there */
	q->lost = true;
	q->lost_at = q->ring.head;
	return true;
}

int console_rx_pop(struct console_rx_queue *q)
{
	if (q->lost && q->ring.tail == q->lost_at) {
		q->lost = false;
		return CONSOLE_LOST;
	}
	return byte_ring_get(&q->ring);
}
