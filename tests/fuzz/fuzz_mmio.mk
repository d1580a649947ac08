FUZZ_TARGETS += mmio
fuzz_mmio_SRCS := tests/fuzz/fuzz_mmio.c zvm/mmio.c
