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

bool console_hold_host(struct console_hold *h, const char *s, size_t len)
{
	if (!h->guest_mid_line || len > CONSOLE_HOLD_SIZE - h->len)
		return false;
	for (size_t i = 0; i < len; i++)
		h->buf[h->len + i] = s[i];
	h->len += len;
	return true;
}

void console_hold_release(struct byte_ring *r, struct console_hold *h)
{
	if (!h->len)
		return;
	h->dropped += h->len - console_tx_queue(r, h->buf, h->len, 0, true);
	h->len = 0;
	h->guest_mid_line = false; /* the host's message ended the line */
}

size_t console_tx_guest(struct byte_ring *r, struct console_hold *h, const char *s, size_t len,
			unsigned reserve)
{
	size_t cut = 0, n;

	for (size_t i = len; h->len && i > 0; i--) {
		if (s[i - 1] == '\n') {
			cut = i;
			break;
		}
	}
	n = console_tx_queue(r, s, cut, reserve, false);
	if (n == cut) {
		if (cut)
			console_hold_release(r, h);
		n += console_tx_queue(r, s + cut, len - cut, reserve, false);
	}
	if (n)
		h->guest_mid_line = s[n - 1] != '\n';
	return n;
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
