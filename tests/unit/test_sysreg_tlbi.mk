UNIT_TESTS += sysreg_tlbi
sysreg_tlbi_SRCS := tests/unit/test_sysreg_tlbi.c zvm/sysreg_decode.c zvm/tvm_regs.c
