UNIT_TESTS += vm_console
vm_console_SRCS := tests/unit/test_vm_console.c tests/unit/stub_spinlock.c zvm/vm_console.c
