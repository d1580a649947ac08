UNIT_TESTS += ns16550
ns16550_SRCS := tests/unit/test_ns16550.c drivers/ns16550.c drivers/uart.c drivers/pl011.c
