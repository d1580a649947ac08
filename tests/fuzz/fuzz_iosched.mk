FUZZ_TARGETS += iosched
fuzz_iosched_SRCS := tests/fuzz/fuzz_iosched.c block/iosched.c
