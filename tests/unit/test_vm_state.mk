UNIT_TESTS += vm_state
vm_state_SRCS := tests/unit/test_vm_state.c zvm/vm_state.c zvm/vm_name.c
