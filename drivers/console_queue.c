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

size_t console_tx_need(const char *s, size_t len, bool crlf)
{
	size_t need = len;

	for (size_t i = 0; crlf && i < len; i++)
		need += s[i] == '\n';
	return need;
}

bool console_rx_push(struct console_rx_queue *q, uint8_t byte)
{
	unsigned newest = (q->first + q->nlost - 1) % CONSOLE_RX_LOSSES;

	if (q->nlost < CONSOLE_RX_LOSSES && byte_ring_put(&q->ring, byte))
		return true;
	if (q->nlost && q->lost_at[newest] == q->ring.head)
		return false; /* one report covers the bytes lost here */
	/* Not full of losses here: nothing was stored since the newest one was recorded. */
	q->lost_at[(q->first + q->nlost) % CONSOLE_RX_LOSSES] = q->ring.head;
	q->nlost++;
	return true;
}

int console_rx_pop(struct console_rx_queue *q)
{
	if (q->nlost && q->ring.tail == q->lost_at[q->first]) {
		q->first = (q->first + 1) % CONSOLE_RX_LOSSES;
		q->nlost--;
		return CONSOLE_LOST;
	}
	return byte_ring_get(&q->ring);
}
