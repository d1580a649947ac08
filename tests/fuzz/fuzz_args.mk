FUZZ_TARGETS += args
fuzz_args_SRCS := tests/fuzz/fuzz_args.c shell/args.c
