UNIT_TESTS += vptimer_regs
vptimer_regs_SRCS := tests/unit/test_vptimer_regs.c zvm/vdev/vptimer_regs.c
