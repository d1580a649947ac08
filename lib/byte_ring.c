/* A byte FIFO over a power-of-two buffer (include/lib/byte_ring.h). */
#include <lib/byte_ring.h>

void byte_ring_init(struct byte_ring *r, uint8_t *buf, unsigned size)
{
	r->buf = buf;
	r->size = size;
	r->head = r->tail = 0;
}

bool byte_ring_put(struct byte_ring *r, uint8_t c)
{
	if (byte_ring_free(r) == 0)
		return false;
	r->buf[r->head++ & (r->size - 1)] = c;
	return true;
}

int byte_ring_get(struct byte_ring *r)
{
	if (byte_ring_used(r) == 0)
		return -1;
	return r->buf[r->tail++ & (r->size - 1)];
}

void byte_ring_clear(struct byte_ring *r)
{
	r->tail = r->head;
}
