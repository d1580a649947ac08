UNIT_TESTS += fast_mem
fast_mem_SRCS := tests/unit/test_fast_mem.c lib/fast_mem.c
