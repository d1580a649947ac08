UNIT_TESTS += vm_fdt
vm_fdt_SRCS := tests/unit/test_vm_fdt.c zvm/vm_fdt.c lib/format.c
vm_fdt_LIBS := -lfdt
