UNIT_TESTS += vcons
vcons_SRCS := tests/unit/test_vcons.c zvm/virtio/vcons_tx.c zvm/virtio/vcons_rx.c zvm/virtio/virtq.c \
	zvm/virtio/virtq_walk.c
