UNIT_TESTS += tvm_regs
tvm_regs_SRCS := tests/unit/test_tvm_regs.c zvm/tvm_regs.c
