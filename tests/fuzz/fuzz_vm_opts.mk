FUZZ_TARGETS += vm_opts
fuzz_vm_opts_SRCS := tests/fuzz/fuzz_vm_opts.c zvm/vm_opts.c
fuzz_vm_opts_LIBS := -lm
