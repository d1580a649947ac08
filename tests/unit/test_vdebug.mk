UNIT_TESTS += vdebug
vdebug_SRCS := tests/unit/test_vdebug.c zvm/vdebug_regs.c zvm/id_regs.c
