/* virtio-blk request parsing (virtio 1.x 5.2.6) on top of a walked chain: header
 * {le32 type, le32 ioprio, le64 sector} in the device-readable part, data, then one status
 * byte at the very end of the device-writable part. The parser checks the layout per type,
 * the lengths, the sector range against the capacity and the device's limits; it reads the
 * header and the discard/write-zeroes ranges from guest memory and touches nothing else. */
#ifndef ZVM_VIRTIO_BLK_REQ_H
#define ZVM_VIRTIO_BLK_REQ_H

#include <stdbool.h>
#include <stdint.h>
#include <zvm/virtio/virtq.h>

#define VIRTIO_BLK_T_IN		  0
#define VIRTIO_BLK_T_OUT	  1
#define VIRTIO_BLK_T_FLUSH	  4
#define VIRTIO_BLK_T_GET_ID	  8
#define VIRTIO_BLK_T_DISCARD	  11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_WZ_F_UNMAP 1u /* discard/write-zeroes range flag */
#define VIRTIO_BLK_SECTOR     512u
#define VIRTIO_BLK_ID_BYTES   20u
#define BLK_REQ_HDR_LEN	      16u
#define BLK_REQ_RANGE_LEN     16u
#define BLK_REQ_MAX_RANGES    16u /* upper bound for max_discard_seg / max_write_zeroes_seg */

/* Linux's ioprio encoding (include/uapi/linux/ioprio.h): class in bits 13-15, level in 0-2. */
#define IOPRIO_CLASS_NONE 0
#define IOPRIO_CLASS_RT	  1
#define IOPRIO_CLASS_BE	  2
#define IOPRIO_CLASS_IDLE 3

/* What the device offers (and the driver negotiated). */
struct blk_cfg {
	uint64_t capacity;					 /* in 512-byte sectors */
	bool ro;						 /* VIRTIO_BLK_F_RO */
	bool flush;						 /* VIRTIO_BLK_F_FLUSH */
	bool discard;						 /* VIRTIO_BLK_F_DISCARD */
	bool write_zeroes;					 /* VIRTIO_BLK_F_WRITE_ZEROES */
	uint32_t max_discard_sectors, max_discard_seg;		 /* seg <= BLK_REQ_MAX_RANGES */
	uint32_t max_write_zeroes_sectors, max_write_zeroes_seg; /* seg <= BLK_REQ_MAX_RANGES */
};

struct blk_range {
	uint64_t sector;
	uint32_t nr_sectors;
	bool unmap; /* write zeroes may deallocate */
};

struct blk_req {
	uint32_t type;
	uint8_t prio_class; /* IOPRIO_CLASS_*; an invalid class reads as NONE */
	uint8_t prio_level; /* 0 (highest) .. 7 */
	uint64_t sector;    /* IN/OUT; the range's, for DISCARD/WRITE_ZEROES once queued */
	uint32_t data_len;  /* IN/OUT/GET_ID: bytes of data (IN/OUT a multiple of 512) */
	/* IN/OUT/GET_ID: the data buffers, the header and status bytes cut off. */
	struct virtq_seg *segs;
	uint16_t nr_segs;
	/* DISCARD/WRITE_ZEROES. */
	struct blk_range ranges[BLK_REQ_MAX_RANGES];
	uint16_t nr_ranges;
	/* Where the status byte goes; without one (no writable byte, or outside RAM) the device
	 * returns the chain with used length 0 and writes nothing. */
	bool has_status;
	uint64_t status_ipa;
};

/* Parses chain c of queue q. segs (room for c->nr entries) receives the data segments.
 * Returns VIRTIO_BLK_S_OK (execute r) or the error status to write at r->status_ipa. */
uint8_t blk_req_parse(const struct virtq *q, const struct virtq_chain *c, const struct blk_cfg *cfg,
		      struct blk_req *r, struct virtq_seg *segs);

#endif
