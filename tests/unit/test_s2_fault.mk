UNIT_TESTS += s2_fault
s2_fault_SRCS := tests/unit/test_s2_fault.c zvm/s2_fault.c
