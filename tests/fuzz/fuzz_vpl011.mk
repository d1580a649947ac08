FUZZ_TARGETS += vpl011
fuzz_vpl011_SRCS := tests/fuzz/fuzz_vpl011.c zvm/vdev/vpl011_regs.c lib/byte_ring.c
