UNIT_TESTS += aarch32
aarch32_SRCS := tests/unit/test_aarch32.c zvm/aarch32.c
