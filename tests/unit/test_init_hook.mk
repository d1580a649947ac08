UNIT_TESTS += init_hook
init_hook_SRCS := tests/unit/test_init_hook.c kernel/init_hook.c
