/* One-way message boxes in a region shared between VMs (the peer is hostile).
 *
 * Wire layout, the same as the bare-metal test guest guests/tests/t_shm.c (box 0 at region
 * offset 0x100 carries lower-id VM -> higher-id VM, box 1 at 0x400 the other way), so an RTOS
 * guest can talk to it. All fields are little-endian u32:
 *   0x00 seq    0 = empty or being rewritten; otherwise the message's sequence number
 *   0x04 len    payload length in 32-bit words, <= SHM_MBOX_WORDS
 *   0x08 sum    shm_mbox_sum(data, len, seq)
 *   0x0c bytes  payload length in bytes (len * 4 - 3 .. len * 4); t_shm leaves it 0 and
 *               readers then take len * 4. Not covered by sum (t_shm does not know it), so
 *               only bounded: at worst it trims up to 3 bytes of the last word.
 *   0x10 data   len words
 * Writers go seqlock-style: seq = 0, data, len, bytes, sum, then seq, with fences between.
 * Readers read seq, the fields, the data, then seq again: a changed or zero seq is a torn or
 * empty box (retry), never a message. */
#ifndef LIB_SHM_MBOX_H
#define LIB_SHM_MBOX_H

#include <stddef.h>
#include <stdint.h>

#define SHM_MBOX_BOX0	  0x100u /* lower VM id -> higher VM id */
#define SHM_MBOX_BOX1	  0x400u /* higher VM id -> lower VM id */
#define SHM_MBOX_SPAN	  0x800u /* the region must hold at least this much */
#define SHM_MBOX_WORDS	  64u
#define SHM_MBOX_MAX	  (SHM_MBOX_WORDS * 4u) /* payload bytes */
#define SHM_MBOX_SEQ_DONE 0xffffffffu		/* t_shm's end marker, carries no sum */

enum shm_mbox_status {
	SHM_MBOX_BAD_SUM = -1, /* a whole message whose checksum is wrong */
	SHM_MBOX_NONE = 0,     /* empty, torn, or malformed: nothing to take */
	SHM_MBOX_OK = 1,
};

/* What a reader copied out of a box; valid only after shm_mbox_check() said OK or BAD_SUM. */
struct shm_mbox_msg {
	uint32_t seq;
	uint32_t bytes;
	uint32_t data[SHM_MBOX_WORDS];
};

uint32_t shm_mbox_sum(const uint32_t *d, uint32_t n, uint32_t seq);

/* Box offsets for a VM with id self talking to peer: where it writes and where it reads. */
static inline uint32_t shm_mbox_tx_off(unsigned self, unsigned peer)
{
	return self < peer ? SHM_MBOX_BOX0 : SHM_MBOX_BOX1;
}

static inline uint32_t shm_mbox_rx_off(unsigned self, unsigned peer)
{
	return self < peer ? SHM_MBOX_BOX1 : SHM_MBOX_BOX0;
}

/* Writes len (<= SHM_MBOX_MAX, else -1) bytes with sequence number seq (not 0) into box. */
int shm_mbox_write(volatile uint32_t *box, uint32_t seq, const void *buf, size_t len);

/* The two halves of a read, split so the torn-read path can be tested: snapshot copies the
 * box into m (bounded by SHM_MBOX_WORDS whatever len says) and returns NONE for an empty or
 * malformed box; check re-reads seq and verifies the checksum. */
enum shm_mbox_status shm_mbox_snapshot(const volatile uint32_t *box, struct shm_mbox_msg *m,
				       uint32_t *sum);
enum shm_mbox_status shm_mbox_check(const volatile uint32_t *box, const struct shm_mbox_msg *m,
				    uint32_t sum);

/* snapshot + check. */
enum shm_mbox_status shm_mbox_read(const volatile uint32_t *box, struct shm_mbox_msg *m);

#endif
