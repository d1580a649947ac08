UNIT_TESTS += line_edit
line_edit_SRCS := tests/unit/test_line_edit.c shell/line_edit.c
