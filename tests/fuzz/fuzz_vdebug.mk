FUZZ_TARGETS += vdebug
fuzz_vdebug_SRCS := tests/fuzz/fuzz_vdebug.c zvm/vdebug_regs.c
