UNIT_TESTS += vswitch
vswitch_SRCS := tests/unit/test_vswitch.c zvm/virtio/vswitch.c
