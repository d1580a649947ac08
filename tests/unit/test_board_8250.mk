UNIT_TESTS += board_8250
board_8250_SRCS := tests/unit/test_board_8250.c kernel/board.c lib/format.c
board_8250_LIBS := -lfdt
