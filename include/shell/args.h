/* Shell argument handling: split a command line into words and parse numeric arguments. */
#ifndef SHELL_ARGS_H
#define SHELL_ARGS_H

#include <stdint.h>

#define ARGS_MAX 16 /* words per command line */

/*
 * Splits line into words in place (argv points into line). Words are separated by spaces or
 * tabs; "..." and '...' group text into one word; a backslash escapes the next character outside
 * quotes and inside double quotes. argv needs ARGS_MAX + 1 slots: argv[argc] is set to NULL.
 * Returns argc, -E2BIG for more than ARGS_MAX words, -EINVAL for an unterminated quote.
 */
int args_split(char *line, char **argv);

/* Decimal or 0x-prefixed hex, nothing else. -EINVAL if malformed or empty, -ERANGE if too big. */
int args_parse_u64(const char *s, uint64_t *out);
int args_parse_u32(const char *s, uint32_t *out);

/* The commands a boot command line asks the shell to run, for headless runs (a guest of a
 * hypervisor whose console takes no input, a benchmark): everything after "shell.run=", up to
 * the end of args, commands separated by ';'. Returns the text after "shell.run=" (not
 * copied), or NULL when args has none. The key must start a word. */
const char *args_boot_commands(const char *args);

#endif
