FUZZ_TARGETS += psci
fuzz_psci_SRCS := tests/fuzz/fuzz_psci.c tests/unit/stub_console.c zvm/hypercall.c zvm/vpsci.c
