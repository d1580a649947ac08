FUZZ_TARGETS += virtio_mmio
fuzz_virtio_mmio_SRCS := tests/fuzz/fuzz_virtio_mmio.c zvm/virtio/virtio_mmio.c
