/* Shared by virtq.c and virtq_walk.c: little-endian field access (virtio 1.x rings are
 * little-endian whatever the host) and marking a queue broken. */
#ifndef ZVM_VIRTIO_VIRTQ_INTERNAL_H
#define ZVM_VIRTIO_VIRTQ_INTERNAL_H

#include <stdint.h>
#include <zvm/virtio/virtq.h>

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)get_le16(p) | (uint32_t)get_le16(p + 2) << 16;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Records the first reason the queue broke; returns -EIO. */
int virtq_break(struct virtq *q, enum virtq_broken why);

#endif
