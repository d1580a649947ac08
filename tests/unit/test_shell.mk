UNIT_TESTS += shell
shell_SRCS := tests/unit/test_shell.c tests/unit/stub_console.c shell/shell.c \
	      shell/cmd_builtin.c shell/args.c shell/line_edit.c
