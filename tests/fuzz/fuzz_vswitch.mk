FUZZ_TARGETS += vswitch
fuzz_vswitch_SRCS := tests/fuzz/fuzz_vswitch.c zvm/virtio/vswitch.c
