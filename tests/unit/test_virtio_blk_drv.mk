UNIT_TESTS += virtio_blk_drv
virtio_blk_drv_SRCS := tests/unit/test_virtio_blk_drv.c drivers/virtio_blk_ring.c
