/* Shell dispatch over the shell_cmds section: commands registered here sit beside the builtins,
 * exactly as a module's commands would in the kernel image. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <kernel/printk.h>
#include <kernel/version.h>
#include <shell/args.h>
#include <shell/shell.h>

/* From stub_console.c. */
void stub_reset(void);
const char *stub_output(void);
void stub_set_input(const char *bytes, size_t len);

/* What the last handler was given. */
static int seen_argc;
static char seen_argv[ARGS_MAX][64];
static const char *seen_handler;

static void record(const char *handler, int argc, char **argv)
{
	seen_handler = handler;
	seen_argc = argc;
	for (int i = 0; i < argc; i++) {
		strncpy(seen_argv[i], argv[i], sizeof(seen_argv[i]) - 1);
		seen_argv[i][sizeof(seen_argv[i]) - 1] = '\0';
	}
}

static int cmd_echo(int argc, char **argv)
{
	record("echo", argc, argv);
	for (int i = 1; i < argc; i++)
		printk("%s%s", i > 1 ? "|" : "", argv[i]);
	printk("\n");
	return 0;
}
SHELL_CMD_REGISTER_ARGS(echo, "[word...]", "print the words", cmd_echo);

static int cmd_fail(int argc, char **argv)
{
	uint32_t code;

	record("fail", argc, argv);
	if (argc != 2 || args_parse_u32(argv[1], &code))
		return -EINVAL;
	return -(int)code;
}
SHELL_CMD_REGISTER_ARGS(fail, "<code>", "return -<code>", cmd_fail);

static int cmd_vm_new(int argc, char **argv)
{
	record("vm new", argc, argv);
	return 0;
}

static int cmd_vm_run(int argc, char **argv)
{
	record("vm run", argc, argv);
	return 0;
}

static int cmd_vm_del(int argc, char **argv)
{
	record("vm del", argc, argv);
	return argc == 2 ? 0 : -EINVAL;
}

static const struct shell_cmd vm_subcmds[] = {
    SHELL_SUBCMD(new, "<name>", "create a VM", cmd_vm_new),
    SHELL_SUBCMD(run, "<id>", "start a VM", cmd_vm_run),
    SHELL_SUBCMD(del, "<id>", "delete a VM", cmd_vm_del),
    SHELL_SUBCMD_END,
};
SHELL_CMD_REGISTER_SUBCMDS(vm, "manage test VMs", vm_subcmds);

SHELL_CMD_REGISTER(broken, "has no handler", NULL);

static int setup(void **state)
{
	(void)state;
	stub_reset();
	seen_handler = NULL;
	seen_argc = -1;
	return 0;
}

/* Runs a copy of line and checks the result and everything printed. */
static void run(const char *line, int want_ret, const char *want_out)
{
	char buf[512];

	strcpy(buf, line);
	stub_reset();
	assert_int_equal(shell_execute(buf), want_ret);
	assert_string_equal(stub_output(), want_out);
}

static void test_section_holds_all_commands(void **state)
{
	static const char *const names[] = {"broken", "echo", "fail", "help", "version", "vm"};
	size_t n = sizeof(names) / sizeof(names[0]);

	(void)state;
	/* Entries are packed with no padding between them, whatever the host aligns. */
	assert_int_equal((size_t)(__stop_shell_cmds - __start_shell_cmds), n);
	assert_int_equal(
	    (size_t)((const char *)__stop_shell_cmds - (const char *)__start_shell_cmds),
	    n * sizeof(struct shell_cmd));
	for (size_t i = 0; i < n; i++) {
		assert_non_null(shell_cmd_find(names[i]));
		assert_string_equal(shell_cmd_find(names[i])->name, names[i]);
		/* Link order is arbitrary; shell_cmd_nth sorts by name. */
		assert_string_equal(shell_cmd_nth(i)->name, names[i]);
	}
	assert_null(shell_cmd_nth(n));
	assert_null(shell_cmd_find("ech"));
	assert_null(shell_cmd_find("echoo"));
	assert_null(shell_cmd_find(""));
}

static void test_subcmd_find(void **state)
{
	const struct shell_cmd *vm = shell_cmd_find("vm");

	(void)state;
	assert_non_null(vm);
	assert_null(vm->handler);
	assert_string_equal(shell_subcmd_find(vm, "run")->name, "run");
	assert_string_equal(shell_subcmd_find(vm, "run")->usage, "<id>");
	assert_ptr_equal(shell_subcmd_find(vm, "run")->handler, cmd_vm_run);
	assert_null(shell_subcmd_find(vm, "ru"));
	assert_null(shell_subcmd_find(shell_cmd_find("echo"), "run"));
}

static void test_dispatch(void **state)
{
	(void)state;
	run("echo one \"two three\" 'four'", 0, "one|two three|four\n");
	assert_string_equal(seen_handler, "echo");
	assert_int_equal(seen_argc, 4);
	assert_string_equal(seen_argv[0], "echo");
	assert_string_equal(seen_argv[2], "two three");

	run("  echo  ", 0, "\n");
	assert_int_equal(seen_argc, 1);
}

static void test_dispatch_subcommand(void **state)
{
	(void)state;
	run("vm new linux", 0, "");
	assert_string_equal(seen_handler, "vm new");
	/* The handler sees its own name as argv[0]. */
	assert_int_equal(seen_argc, 2);
	assert_string_equal(seen_argv[0], "new");
	assert_string_equal(seen_argv[1], "linux");

	run("vm run", 0, "");
	assert_string_equal(seen_handler, "vm run");
	assert_int_equal(seen_argc, 1);
	assert_string_equal(seen_argv[0], "run");
}

static void test_blank_line(void **state)
{
	(void)state;
	run("", 0, "");
	run("   \t ", 0, "");
	assert_null(seen_handler);
}

static void test_unknown_command(void **state)
{
	(void)state;
	run("xyz 1 2", -ENOENT, "error: unknown command 'xyz' (type 'help')\n");
	run("VM new", -ENOENT, "error: unknown command 'VM' (type 'help')\n");
	assert_null(seen_handler);
}

static void test_bad_subcommand(void **state)
{
	(void)state;
	run("vm", -EINVAL, "error: 'vm' needs a subcommand (valid: new, run, del)\n");
	run("vm start 1", -ENOENT, "error: unknown subcommand 'vm start' (valid: new, run, del)\n");
	assert_null(seen_handler);
}

static void test_usage_on_einval(void **state)
{
	(void)state;
	run("fail", -EINVAL, "usage: fail <code>\n");
	run("vm del", -EINVAL, "usage: vm del <id>\n");
	assert_string_equal(seen_handler, "vm del");
	run("vm del 3", 0, "");
	/* Other errors are the handler's to report: passed back, nothing added. */
	run("fail 5", -5, "");
	run("fail 0x10", -16, "");
}

static void test_no_handler(void **state)
{
	(void)state;
	run("broken", -ENOSYS, "error: 'broken' is not runnable\n");
}

static void test_split_errors(void **state)
{
	(void)state;
	run("echo \"open", -EINVAL, "error: unterminated quote\n");
	run("echo 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16", -E2BIG,
	    "error: too many arguments (at most 16)\n");
	assert_null(seen_handler);
}

static void test_help_lists_everything(void **state)
{
	(void)state;
	run("help", 0,
	    "broken                  has no handler\n"
	    "echo [word...]          print the words\n"
	    "fail <code>             return -<code>\n"
	    "help [command]          list commands and what they do\n"
	    "version                 show the ZVM version\n"
	    "vm                      manage test VMs\n"
	    "  new <name>            create a VM\n"
	    "  run <id>              start a VM\n"
	    "  del <id>              delete a VM\n");
}

static void test_help_one_command(void **state)
{
	(void)state;
	run("help vm", 0,
	    "vm                      manage test VMs\n"
	    "  new <name>            create a VM\n"
	    "  run <id>              start a VM\n"
	    "  del <id>              delete a VM\n");
	run("help nope", -ENOENT, "error: unknown command 'nope' (type 'help')\n");
	run("help a b", -EINVAL, "usage: help [command]\n");
}

static void test_version(void **state)
{
	(void)state;
	run("version", 0, "ZVM " ZVM_VERSION " (built " ZVM_BUILD_DATE ")\n");
	assert_string_equal(ZVM_VERSION, "0.1.0");
	run("version x", -EINVAL, "usage: version\n");
}

/* The console loop pieces: bytes in, editor echo and command output out. */
static void test_interactive(void **state)
{
	static const char typed[] = "ech\tx\r"
				    "vm r\t7\r\n"
				    "nope\r";

	(void)state;
	shell_start();
	assert_string_equal(stub_output(), SHELL_PROMPT);
	stub_reset();
	for (size_t i = 0; i < sizeof(typed) - 1; i++)
		shell_input(typed[i]);
	assert_string_equal(stub_output(),
			    "echo x\n"
			    "x\n" SHELL_PROMPT "vm run 7\n" SHELL_PROMPT "nope\n"
			    "error: unknown command 'nope' (type 'help')\n" SHELL_PROMPT);
	assert_string_equal(seen_handler, "vm run");
	assert_string_equal(seen_argv[1], "7");

	/* Ambiguous command prefix: the second tab lists candidates from the registry. */
	stub_reset();
	shell_input('v');
	shell_input('\t');
	shell_input('\t');
	assert_string_equal(stub_output(), "v\a\nversion  vm\n" SHELL_PROMPT "v");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_section_holds_all_commands, setup),
	    cmocka_unit_test_setup(test_subcmd_find, setup),
	    cmocka_unit_test_setup(test_dispatch, setup),
	    cmocka_unit_test_setup(test_dispatch_subcommand, setup),
	    cmocka_unit_test_setup(test_blank_line, setup),
	    cmocka_unit_test_setup(test_unknown_command, setup),
	    cmocka_unit_test_setup(test_bad_subcommand, setup),
	    cmocka_unit_test_setup(test_usage_on_einval, setup),
	    cmocka_unit_test_setup(test_no_handler, setup),
	    cmocka_unit_test_setup(test_split_errors, setup),
	    cmocka_unit_test_setup(test_help_lists_everything, setup),
	    cmocka_unit_test_setup(test_help_one_command, setup),
	    cmocka_unit_test_setup(test_version, setup),
	    cmocka_unit_test_setup(test_interactive, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
