UNIT_TESTS += lock_stats
lock_stats_SRCS := tests/unit/test_lock_stats.c kernel/lock_stats.c
