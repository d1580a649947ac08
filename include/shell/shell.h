/*
 * Host shell. Commands register themselves from their own files, so adding one never touches
 * the shell core: each top-level command is a struct shell_cmd placed in the linker section
 * "shell_cmds", and the shell walks that section from __start_shell_cmds to __stop_shell_cmds.
 *
 *	static int cmd_hello(int argc, char **argv) { shell_print("hello"); return 0; }
 *	SHELL_CMD_REGISTER(hello, "say hello", cmd_hello);
 *
 *	static const struct shell_cmd vm_subcmds[] = {
 *		SHELL_SUBCMD(run, "<id>", "start a VM", cmd_vm_run),
 *		SHELL_SUBCMD_END,
 *	};
 *	SHELL_CMD_REGISTER_SUBCMDS(vm, "manage VMs", vm_subcmds);
 *
 * Handlers get argv[0] = their own (sub)command name and return 0 or a negative errno. On
 * -EINVAL the shell prints "usage: <command> <usage>"; other failures are reported by the
 * handler itself (shell_error) and passed back by shell_execute().
 */
#ifndef SHELL_SHELL_H
#define SHELL_SHELL_H

#include <arch/el.h>
#include <stddef.h>

#define SHELL_PROMPT EL_PROMPT

typedef int (*shell_handler_t)(int argc, char **argv);

struct shell_cmd {
	const char *name;
	const char *usage;	 /* arguments after the name, e.g. "<id> [-f]"; NULL if none */
	const char *help;	 /* one line for `help` */
	shell_handler_t handler; /* NULL for a command with subcommands */
	const struct shell_cmd *subcmds; /* ends with SHELL_SUBCMD_END; NULL for a leaf */
};

/*
 * The section contract with the kernel linker script: entries are const struct shell_cmd,
 * aligned to (and, being structs, sized in multiples of) their natural alignment, which is also
 * forced here so the compiler cannot over-align them and leave holes between entries.
 */
#define SHELL_CMD_DEFINE_(sym, name_, usage_, help_, handler_, subcmds_)                           \
	static const struct shell_cmd shell_cmd_##sym                                              \
	    __attribute__((used, section("shell_cmds"), aligned(_Alignof(struct shell_cmd)))) =    \
		SHELL_CMD_INIT_(name_, usage_, help_, handler_, subcmds_)
#define SHELL_CMD_INIT_(name_, usage_, help_, handler_, subcmds_)                                  \
	{                                                                                          \
		.name = name_, .usage = usage_, .help = help_, .handler = handler_,                \
		.subcmds = subcmds_                                                                \
	}

/* A top-level command; name is an identifier (it also names the entry, so it must be unique). */
#define SHELL_CMD_REGISTER(name, help, handler)                                                    \
	SHELL_CMD_DEFINE_(name, #name, NULL, help, handler, NULL)
#define SHELL_CMD_REGISTER_ARGS(name, usage, help, handler)                                        \
	SHELL_CMD_DEFINE_(name, #name, usage, help, handler, NULL)
/* A top-level command that only dispatches to the subcommands in the array subcmds. */
#define SHELL_CMD_REGISTER_SUBCMDS(name, help, subcmds)                                            \
	SHELL_CMD_DEFINE_(name, #name, NULL, help, NULL, subcmds)

/* Entries of a subcommand array (one level of subcommands is supported). */
#define SHELL_SUBCMD(name, usage, help, handler) SHELL_CMD_INIT_(#name, usage, help, handler, NULL)
#define SHELL_SUBCMD_END			 SHELL_CMD_INIT_(NULL, NULL, NULL, NULL, NULL)

extern const struct shell_cmd __start_shell_cmds[];
extern const struct shell_cmd __stop_shell_cmds[];

/* Parses and runs one line (modified in place). Returns the handler's result, 0 for a blank
 * line, or a negative errno after printing why the line could not be run. */
int shell_execute(char *line);
/* The shell loop on the console: first the commands bootargs gives after "shell.run="
 * (args_boot_commands; bootargs may be NULL), then prompt, edit, execute, forever. */
_Noreturn void shell_run(const char *bootargs);
/* shell_run() in pieces, for callers that supply the input bytes themselves (and for tests). */
void shell_start(void);
void shell_input(char c);

/* Top-level commands in name order (index 0..), NULL past the end. */
const struct shell_cmd *shell_cmd_nth(size_t index);
/* Looks up a top-level command, or a subcommand of parent; NULL if there is none. */
const struct shell_cmd *shell_cmd_find(const char *name);
const struct shell_cmd *shell_subcmd_find(const struct shell_cmd *parent, const char *name);

/* printk with a trailing newline; shell_error adds an "error: " prefix. */
void shell_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void shell_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
