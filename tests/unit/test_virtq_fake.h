/* A fake guest RAM for the virtqueue tests and fuzz target: RAM_SIZE bytes at RAM_BASE,
 * bounds-checked like vm_read/vm_write, with a log of every access and barrier. The code
 * under test validates before it touches memory, so any access the fake must refuse counts
 * in `refused` and the tests require it to stay 0. */
#ifndef TESTS_UNIT_TEST_VIRTQ_FAKE_H
#define TESTS_UNIT_TEST_VIRTQ_FAKE_H

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <zvm/virtio/virtq.h>

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x10000ULL
#define LOG_MAX	 64

struct fake_ev {
	char kind; /* r/w: read/write, R/W: 16-bit index read/write, b: barrier */
	uint64_t ipa;
	uint64_t len; /* barrier: its kind */
};

struct fake_ram {
	uint8_t mem[RAM_SIZE];
	uint64_t check_size; /* what check() calls RAM: may exceed mem, nothing reads it */
	unsigned refused;
	unsigned accesses;
	unsigned nlog;
	struct fake_ev log[LOG_MAX];
};

static inline void fake_log(struct fake_ram *f, char kind, uint64_t ipa, uint64_t len)
{
	f->accesses++;
	if (f->nlog < LOG_MAX)
		f->log[f->nlog++] = (struct fake_ev){kind, ipa, len};
}

static inline uint8_t *fake_ptr(struct fake_ram *f, uint64_t ipa, uint64_t len)
{
	if (ipa < RAM_BASE || ipa - RAM_BASE > RAM_SIZE || len > RAM_SIZE - (ipa - RAM_BASE)) {
		f->refused++;
		return NULL;
	}
	return f->mem + (ipa - RAM_BASE);
}

static inline int fake_read(void *ctx, uint64_t ipa, void *buf, size_t len)
{
	uint8_t *p = fake_ptr(ctx, ipa, len);

	fake_log(ctx, 'r', ipa, len);
	if (!p)
		return -EFAULT;
	memcpy(buf, p, len);
	return 0;
}

static inline int fake_write(void *ctx, uint64_t ipa, const void *buf, size_t len)
{
	uint8_t *p = fake_ptr(ctx, ipa, len);

	fake_log(ctx, 'w', ipa, len);
	if (!p)
		return -EFAULT;
	memcpy(p, buf, len);
	return 0;
}

static inline int fake_read16(void *ctx, uint64_t ipa, uint16_t *val)
{
	uint8_t *p = fake_ptr(ctx, ipa, 2);

	fake_log(ctx, 'R', ipa, 2);
	if (!p || (ipa & 1)) {
		((struct fake_ram *)ctx)->refused += p != NULL;
		return -EFAULT;
	}
	*val = (uint16_t)(p[0] | p[1] << 8);
	return 0;
}

static inline int fake_write16(void *ctx, uint64_t ipa, uint16_t val)
{
	uint8_t *p = fake_ptr(ctx, ipa, 2);

	fake_log(ctx, 'W', ipa, 2);
	if (!p || (ipa & 1)) {
		((struct fake_ram *)ctx)->refused += p != NULL;
		return -EFAULT;
	}
	p[0] = (uint8_t)val;
	p[1] = (uint8_t)(val >> 8);
	return 0;
}

/* Naive on purpose: it trusts the caller's promise that ipa + len does not wrap (and that
 * len > 0), so a caller breaking it is caught by the tests. */
static inline int fake_check(void *ctx, uint64_t ipa, uint64_t len)
{
	struct fake_ram *f = ctx;

	return ipa >= RAM_BASE && ipa + len <= RAM_BASE + f->check_size ? 0 : -EFAULT;
}

static inline void fake_barrier(void *ctx, enum virtq_barrier kind)
{
	fake_log(ctx, 'b', 0, kind);
}

static const struct virtq_mem_ops fake_ops = {
    .read = fake_read,
    .write = fake_write,
    .read16 = fake_read16,
    .write16 = fake_write16,
    .check = fake_check,
    .barrier = fake_barrier,
};

static inline void fake_put(struct fake_ram *f, uint64_t ipa, uint64_t v, unsigned bytes)
{
	uint8_t *p = f->mem + (ipa - RAM_BASE);

	for (unsigned i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t fake_get(const struct fake_ram *f, uint64_t ipa, unsigned bytes)
{
	const uint8_t *p = f->mem + (ipa - RAM_BASE);
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void fake_desc(struct fake_ram *f, uint64_t table, unsigned i, uint64_t addr,
			     uint32_t len, uint16_t flags, uint16_t next)
{
	fake_put(f, table + 16 * i, addr, 8);
	fake_put(f, table + 16 * i + 8, len, 4);
	fake_put(f, table + 16 * i + 12, flags, 2);
	fake_put(f, table + 16 * i + 14, next, 2);
}

/* Makes head available: avail->ring[idx % size] = head, then avail->idx++. */
static inline void fake_avail(struct fake_ram *f, const struct virtq *q, uint16_t head)
{
	uint16_t idx = (uint16_t)fake_get(f, q->avail + 2, 2);

	fake_put(f, q->avail + 4 + 2 * (idx & (q->size - 1)), head, 2);
	fake_put(f, q->avail + 2, (uint16_t)(idx + 1), 2);
}

#endif
