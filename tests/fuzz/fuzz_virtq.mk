FUZZ_TARGETS += virtq
fuzz_virtq_SRCS := tests/fuzz/fuzz_virtq.c zvm/virtio/virtq.c zvm/virtio/virtq_walk.c \
	zvm/virtio/blk_req.c
