/* The RTOS guest's side of ZVM shared memory (arch/arm64/el1/shm_rtos.c): the first region of
 * the DT's "zvm,shm-doorbell" node, carrying lib/shm_mbox boxes, and its doorbell. One peer per
 * region (the boxes are per direction, as in guests/tests/t_shm.c). */
#ifndef DRIVERS_SHM_RTOS_H
#define DRIVERS_SHM_RTOS_H

#include <kernel/timeout.h>
#include <stddef.h>
#include <stdint.h>

struct shm_rtos_info {
	uint64_t base, size; /* the region */
	uint64_t db;	     /* the doorbell page */
	unsigned intid, self;
	uint64_t peers; /* doorbell PEERS mask now */
	unsigned sent, received, bad_sum, irqs;
};

/* 0, or -ENODEV when the DT gave no usable region (then every call below fails so). */
int shm_rtos_info(struct shm_rtos_info *out);
/* Writes len bytes to peer's box and rings it. 0, -ENODEV, -EINVAL (len, peer not sharing). */
int shm_send(unsigned peer, const void *buf, size_t len);
/* Waits up to timeout for a new message from the peer; copies up to size bytes. Returns the
 * message length, -EAGAIN on timeout, -ENODEV; *peer gets the sender, *sum_ok whether its
 * checksum was right (a bad one is still returned, so the caller can say so). */
int shm_recv(void *buf, size_t size, k_timeout_t timeout, unsigned *peer, int *sum_ok);

#endif
