UNIT_TESTS += reclaim_policy
reclaim_policy_SRCS := tests/unit/test_reclaim_policy.c
