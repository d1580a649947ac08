FUZZ_TARGETS += vnet_inbox
fuzz_vnet_inbox_SRCS := tests/fuzz/fuzz_vnet_inbox.c zvm/virtio/vnet_inbox.c
