UNIT_TESTS += vnet_inbox
vnet_inbox_SRCS := tests/unit/test_vnet_inbox.c zvm/virtio/vnet_inbox.c
