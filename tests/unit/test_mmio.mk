UNIT_TESTS += mmio
mmio_SRCS := tests/unit/test_mmio.c zvm/mmio.c
