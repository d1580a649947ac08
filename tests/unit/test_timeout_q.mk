UNIT_TESTS += timeout_q
timeout_q_SRCS := tests/unit/test_timeout_q.c kernel/timeout_q.c
