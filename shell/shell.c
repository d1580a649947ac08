/* Shell core: command lookup and dispatch over the shell_cmds section, and the console loop. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <drivers/console.h>
#include <kernel/printk.h>
#include <shell/args.h>
#include <shell/line_edit.h>
#include <shell/shell.h>

/* Static: the editor holds the history (a few KiB), too much for the shell thread's stack. */
static struct line_edit shell_le;

void shell_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
}

void shell_error(const char *fmt, ...)
{
	va_list ap;

	printk("error: ");
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
	printk("\n");
}

/*
 * Link order is arbitrary, so commands are ranked by name: the index-th is the one with exactly
 * index names before it. Quadratic, but there are only a few dozen commands and no allocator.
 */
const struct shell_cmd *shell_cmd_nth(size_t index)
{
	for (const struct shell_cmd *c = __start_shell_cmds; c < __stop_shell_cmds; c++) {
		size_t rank = 0;

		for (const struct shell_cmd *o = __start_shell_cmds; o < __stop_shell_cmds; o++) {
			if (strcmp(o->name, c->name) < 0)
				rank++;
		}
		if (rank == index)
			return c;
	}
	return NULL;
}

static const struct shell_cmd *find_n(const char *name, size_t len)
{
	for (const struct shell_cmd *c = __start_shell_cmds; c < __stop_shell_cmds; c++) {
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
			return c;
	}
	return NULL;
}

const struct shell_cmd *shell_cmd_find(const char *name)
{
	return find_n(name, strlen(name));
}

const struct shell_cmd *shell_subcmd_find(const struct shell_cmd *parent, const char *name)
{
	if (!parent->subcmds)
		return NULL;
	for (const struct shell_cmd *s = parent->subcmds; s->name; s++) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

/* Prints " (valid: a, b, c)" for the subcommands of parent. */
static void print_valid_subcmds(const struct shell_cmd *parent)
{
	printk(" (valid:");
	for (const struct shell_cmd *s = parent->subcmds; s->name; s++)
		printk("%s %s", s == parent->subcmds ? "" : ",", s->name);
	printk(")\n");
}

static void print_usage(char **argv, int depth, const struct shell_cmd *cmd)
{
	printk("usage:");
	for (int i = 0; i < depth; i++)
		printk(" %s", argv[i]);
	if (cmd->usage)
		printk(" %s", cmd->usage);
	printk("\n");
}

int shell_execute(char *line)
{
	char *argv[ARGS_MAX + 1];
	const struct shell_cmd *cmd, *sub;
	int argc, depth = 1, ret;

	argc = args_split(line, argv);
	if (argc == -E2BIG) {
		shell_error("too many arguments (at most %d)", ARGS_MAX);
		return argc;
	}
	if (argc < 0) {
		shell_error("unterminated quote");
		return argc;
	}
	if (argc == 0)
		return 0;

	cmd = shell_cmd_find(argv[0]);
	if (!cmd) {
		shell_error("unknown command '%s' (type 'help')", argv[0]);
		return -ENOENT;
	}
	if (cmd->subcmds) {
		if (argc < 2) {
			printk("error: '%s' needs a subcommand", argv[0]);
			print_valid_subcmds(cmd);
			return -EINVAL;
		}
		sub = shell_subcmd_find(cmd, argv[1]);
		if (!sub) {
			printk("error: unknown subcommand '%s %s'", argv[0], argv[1]);
			print_valid_subcmds(cmd);
			return -ENOENT;
		}
		cmd = sub;
		depth = 2;
	}
	if (!cmd->handler) {
		shell_error("'%s' is not runnable", cmd->name);
		return -ENOSYS;
	}

	ret = cmd->handler(argc - (depth - 1), argv + (depth - 1));
	if (ret == -EINVAL)
		print_usage(argv, depth, cmd);
	return ret;
}

/* Completion candidates for the line editor: command names in order, or a command's subcommands
 * in their declared order. */
static const char *complete_name(void *ctx, const char *parent, size_t parent_len, size_t index)
{
	const struct shell_cmd *cmd;

	(void)ctx;
	if (!parent) {
		cmd = shell_cmd_nth(index);
		return cmd ? cmd->name : NULL;
	}
	cmd = find_n(parent, parent_len);
	if (!cmd || !cmd->subcmds)
		return NULL;
	for (const struct shell_cmd *s = cmd->subcmds; s->name; s++) {
		if (index-- == 0)
			return s->name;
	}
	return NULL;
}

static void console_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	console_write(s, n);
}

void shell_start(void)
{
	line_edit_init(&shell_le, SHELL_PROMPT, console_out, complete_name, NULL);
	line_edit_start(&shell_le);
}

/* Set when received bytes were lost while the current line was typed: it is not run, as it
 * may have lost anything from a letter to the end of one command and the start of the next. */
static bool line_damaged;

void shell_input(char c)
{
	if (line_edit_feed(&shell_le, c)) {
		if (line_damaged)
			shell_error("input was lost (more arrived than the console could hold); "
				    "this line was not run: type it again");
		else
			shell_execute(line_edit_line(&shell_le));
		line_damaged = false;
		line_edit_start(&shell_le);
	}
}

/* Runs the commands of a boot command line (args_boot_commands), each shown after a prompt as
 * if typed. */
static void run_boot_commands(const char *cmds)
{
	while (cmds && *cmds) {
		const char *end = strchr(cmds, ';');
		size_t n = end ? (size_t)(end - cmds) : strlen(cmds);
		char line[LINE_EDIT_MAX];

		if (n >= sizeof(line)) {
			shell_error("boot command longer than %zu bytes: not run",
				    sizeof(line) - 1);
		} else {
			memcpy(line, cmds, n);
			line[n] = '\0';
			printk(SHELL_PROMPT "%s\n", line);
			shell_execute(line);
		}
		cmds = end ? end + 1 : NULL;
	}
}

void shell_run(const char *bootargs)
{
	run_boot_commands(args_boot_commands(bootargs));
	shell_start();
	for (;;) {
		int c = console_getc();

		if (c == CONSOLE_LOST)
			line_damaged = true;
		else if (c >= 0)
			shell_input((char)c);
	}
}
