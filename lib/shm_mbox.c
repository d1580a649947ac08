/* Message boxes in memory shared with a hostile peer: see include/lib/shm_mbox.h. */
#include <lib/shm_mbox.h>

#include <string.h>

#define F_SEQ	0
#define F_LEN	1
#define F_SUM	2
#define F_BYTES 3
#define F_DATA	4

/* Orders the box's stores/loads against each other and the peer (dmb ish on arm64). */
static inline void fence(void)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* t_shm.c's checksum: seq and length are folded in so a stale box with a matching body
 * does not pass for a new message. */
uint32_t shm_mbox_sum(const uint32_t *d, uint32_t n, uint32_t seq)
{
	uint32_t s = 0x9e3779b9u ^ seq ^ n;

	for (uint32_t i = 0; i < n; i++)
		s = ((s << 5) | (s >> 27)) ^ (d[i] + i);
	return s;
}

int shm_mbox_write(volatile uint32_t *box, uint32_t seq, const void *buf, size_t len)
{
	uint32_t d[SHM_MBOX_WORDS] = {0};
	uint32_t n = (uint32_t)((len + 3) / 4);

	if (!seq || len > SHM_MBOX_MAX)
		return -1;
	if (len)
		memcpy(d, buf, len);
	box[F_SEQ] = 0;
	fence();
	for (uint32_t i = 0; i < n; i++)
		box[F_DATA + i] = d[i];
	box[F_LEN] = n;
	box[F_BYTES] = (uint32_t)len;
	box[F_SUM] = shm_mbox_sum(d, n, seq);
	fence();
	box[F_SEQ] = seq;
	fence();
	return 0;
}

enum shm_mbox_status shm_mbox_snapshot(const volatile uint32_t *box, struct shm_mbox_msg *m,
				       uint32_t *sum)
{
	uint32_t seq = box[F_SEQ];

	fence();
	uint32_t n = box[F_LEN], bytes = box[F_BYTES];

	*sum = box[F_SUM];
	/* Every field is read once into a local and then only the local is trusted. */
	if (!seq || n > SHM_MBOX_WORDS)
		return SHM_MBOX_NONE;
	if (!bytes)
		bytes = n * 4; /* a writer that does not fill it in (t_shm) */
	if (bytes > n * 4 || bytes + 3 < n * 4)
		return SHM_MBOX_NONE;
	memset(m->data, 0, sizeof(m->data));
	for (uint32_t i = 0; i < n; i++)
		m->data[i] = box[F_DATA + i];
	m->seq = seq;
	m->bytes = bytes;
	return SHM_MBOX_OK;
}

enum shm_mbox_status shm_mbox_check(const volatile uint32_t *box, const struct shm_mbox_msg *m,
				    uint32_t sum)
{
	uint32_t n = (m->bytes + 3) / 4;

	fence();
	if (box[F_SEQ] != m->seq)
		return SHM_MBOX_NONE; /* rewritten while we copied it */
	if (m->seq == SHM_MBOX_SEQ_DONE)
		return SHM_MBOX_OK;
	/* n recomputed from bytes equals the len the sum was made with (bounds above). */
	return shm_mbox_sum(m->data, n, m->seq) == sum ? SHM_MBOX_OK : SHM_MBOX_BAD_SUM;
}

enum shm_mbox_status shm_mbox_read(const volatile uint32_t *box, struct shm_mbox_msg *m)
{
	uint32_t sum;
	enum shm_mbox_status st = shm_mbox_snapshot(box, m, &sum);

	return st == SHM_MBOX_OK ? shm_mbox_check(box, m, sum) : st;
}
