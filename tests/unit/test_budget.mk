UNIT_TESTS += budget
budget_SRCS := tests/unit/test_budget.c kernel/budget.c
