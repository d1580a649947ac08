FUZZ_TARGETS += vm_fdt
fuzz_vm_fdt_SRCS := tests/fuzz/fuzz_vm_fdt.c zvm/vm_fdt.c kernel/board.c lib/format.c
fuzz_vm_fdt_LIBS := -lfdt
