UNIT_TESTS += runq
runq_SRCS := tests/unit/test_runq.c kernel/runq.c
