UNIT_TESTS += args
args_SRCS := tests/unit/test_args.c shell/args.c
