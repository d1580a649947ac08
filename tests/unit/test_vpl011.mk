UNIT_TESTS += vpl011
vpl011_SRCS := tests/unit/test_vpl011.c tests/unit/stub_spinlock.c zvm/vdev/vpl011.c zvm/vdev/vpl011_regs.c zvm/mmio.c lib/byte_ring.c
