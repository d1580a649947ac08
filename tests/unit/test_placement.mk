UNIT_TESTS += placement
placement_SRCS := tests/unit/test_placement.c zvm/placement.c
