FUZZ_TARGETS += board
fuzz_board_SRCS := tests/fuzz/fuzz_board.c kernel/board.c lib/format.c
fuzz_board_LIBS := -lfdt
