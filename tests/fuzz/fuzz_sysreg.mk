FUZZ_TARGETS += sysreg
fuzz_sysreg_SRCS := tests/fuzz/fuzz_sysreg.c zvm/sysreg_decode.c zvm/tvm_regs.c zvm/id_regs.c
