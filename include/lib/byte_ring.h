/* A byte FIFO over a caller-supplied buffer whose size is a power of two. No locking: the
 * caller serialises producers and consumers (the console and the vPL011 hold a spinlock). */
#ifndef LIB_BYTE_RING_H
#define LIB_BYTE_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct byte_ring {
	uint8_t *buf;
	unsigned size;	     /* a power of two */
	unsigned head, tail; /* free-running; head - tail bytes are stored */
};

void byte_ring_init(struct byte_ring *r, uint8_t *buf, unsigned size);

static inline unsigned byte_ring_used(const struct byte_ring *r)
{
	return r->head - r->tail;
}

static inline unsigned byte_ring_free(const struct byte_ring *r)
{
	return r->size - byte_ring_used(r);
}

/* Stores c unless the ring is full. */
bool byte_ring_put(struct byte_ring *r, uint8_t c);
/* The oldest byte, removed; -1 when empty. */
int byte_ring_get(struct byte_ring *r);
/* Drops everything stored. */
void byte_ring_clear(struct byte_ring *r);

#endif
