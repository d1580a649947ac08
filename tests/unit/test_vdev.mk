UNIT_TESTS += vdev
vdev_SRCS := tests/unit/test_vdev.c zvm/vdev/vdev.c zvm/mmio.c
