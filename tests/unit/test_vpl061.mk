UNIT_TESTS += vpl061
vpl061_SRCS := tests/unit/test_vpl061.c zvm/vdev/vpl061_regs.c
