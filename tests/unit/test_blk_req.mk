UNIT_TESTS += blk_req
blk_req_SRCS := tests/unit/test_blk_req.c zvm/virtio/blk_req.c zvm/virtio/virtq.c \
	zvm/virtio/virtq_walk.c
