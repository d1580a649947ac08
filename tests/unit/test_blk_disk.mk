UNIT_TESTS += blk_disk
blk_disk_SRCS := tests/unit/test_blk_disk.c zvm/virtio/blk_disk.c
