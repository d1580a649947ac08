/* Commands every shell has: help and version. */
#include <errno.h>
#include <string.h>
#include <kernel/printk.h>
#include <kernel/version.h>
#include <shell/shell.h>

#define HELP_COLUMN 24 /* help text starts here when the name and usage leave room */

/* Pads with spaces from column `used` to HELP_COLUMN (at least two), without needing %*s. */
static void pad(size_t used)
{
	static const char spaces[] = "                        ";
	size_t n = used + 2 < HELP_COLUMN ? HELP_COLUMN - used : 2;

	printk("%s", spaces + sizeof(spaces) - 1 - n);
}

static void print_entry(const char *indent, const struct shell_cmd *c)
{
	size_t used = strlen(indent) + strlen(c->name);

	printk("%s%s", indent, c->name);
	if (c->usage) {
		printk(" %s", c->usage);
		used += 1 + strlen(c->usage);
	}
	pad(used);
	printk("%s\n", c->help ? c->help : "");
}

static void print_cmd(const struct shell_cmd *c)
{
	print_entry("", c);
	if (!c->subcmds)
		return;
	for (const struct shell_cmd *s = c->subcmds; s->name; s++)
		print_entry("  ", s);
}

static int cmd_help(int argc, char **argv)
{
	const struct shell_cmd *c;

	if (argc > 2)
		return -EINVAL;
	if (argc == 2) {
		c = shell_cmd_find(argv[1]);
		if (!c) {
			shell_error("unknown command '%s' (type 'help')", argv[1]);
			return -ENOENT;
		}
		print_cmd(c);
		return 0;
	}
	for (size_t i = 0; (c = shell_cmd_nth(i)) != NULL; i++)
		print_cmd(c);
	return 0;
}
SHELL_CMD_REGISTER_ARGS(help, "[command]", "list commands and what they do", cmd_help);

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	shell_print("ZVM %s (built %s)", ZVM_VERSION, ZVM_BUILD_DATE);
	return 0;
}
SHELL_CMD_REGISTER(version, "show the ZVM version", cmd_version);
