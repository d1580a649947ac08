UNIT_TESTS += vm_opts
vm_opts_SRCS := tests/unit/test_vm_opts.c zvm/vm_opts.c
