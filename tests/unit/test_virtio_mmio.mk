UNIT_TESTS += virtio_mmio
virtio_mmio_SRCS := tests/unit/test_virtio_mmio.c zvm/virtio/virtio_mmio.c
