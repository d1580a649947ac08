FUZZ_TARGETS += loader
fuzz_loader_SRCS := tests/fuzz/fuzz_loader.c zvm/loader.c
