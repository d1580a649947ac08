UNIT_TESTS += virtq
virtq_SRCS := tests/unit/test_virtq.c zvm/virtio/virtq.c zvm/virtio/virtq_walk.c
