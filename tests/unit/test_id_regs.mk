UNIT_TESTS += id_regs
id_regs_SRCS := tests/unit/test_id_regs.c zvm/id_regs.c
