UNIT_TESTS += iosched
iosched_SRCS := tests/unit/test_iosched.c block/iosched.c
