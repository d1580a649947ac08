FUZZ_TARGETS += line_edit
fuzz_line_edit_SRCS := tests/fuzz/fuzz_line_edit.c shell/line_edit.c
