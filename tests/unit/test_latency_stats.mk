UNIT_TESTS += latency_stats
latency_stats_SRCS := tests/unit/test_latency_stats.c kernel/latency_stats.c
