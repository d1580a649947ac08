/* The shell's argument handling (shell/args.c) on arbitrary text: the input up to its first NUL
 * is a command line, the bytes after it a number. args_split must agree with a straightforward
 * model of its quoting rules (return code and every word), leave argv[argc] NULL and words
 * in order inside the line; args_parse_u64/u32 must agree with strtoull on the strings the
 * syntax allows and refuse all others; args_boot_commands must find the first "shell.run=" that
 * starts a word. Copies are allocated to their exact size so ASan sees any overread. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <shell/args.h>

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_args: %s\n", why);
	abort();
}

/* The same rules as a character-at-a-time state machine; words go to out, NUL-separated. */
static int model_split(const char *s, char *out)
{
	int n = 0;
	bool in_word = false;
	char q = 0;

	for (; *s; s++) {
		char c = *s;

		if (!q && (c == ' ' || c == '\t')) {
			if (in_word)
				*out++ = '\0';
			in_word = false;
			continue;
		}
		if (!in_word && n++ == ARGS_MAX)
			return -E2BIG;
		in_word = true;
		if (q == '\'' && c == '\'')
			q = 0;
		else if (q == '\'')
			*out++ = c;
		else if (c == '\\' && s[1])
			*out++ = *++s;
		else if (c == '"' && q)
			q = 0;
		else if ((c == '"' || c == '\'') && !q)
			q = c;
		else
			*out++ = c;
	}
	if (q)
		return -EINVAL;
	*out = '\0';
	return n;
}

/* strtoull's reading: -EINVAL for anything malformed, even when its leading digits overflow. */
static int model_u64(const char *s, uint64_t *v)
{
	bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
	const char *d = hex ? s + 2 : s, *digits = hex ? "0123456789abcdefABCDEF" : "0123456789";

	errno = 0;
	*v = strspn(d, digits) ? strtoull(d, NULL, hex ? 16 : 10) : 0;
	if (!*d || strspn(d, digits) != strlen(d))
		return -EINVAL;
	return errno == ERANGE ? -ERANGE : 0;
}

static void check_number(const char *s)
{
	uint64_t v = 0, want = 0;
	uint32_t v32 = 0;
	int r = args_parse_u64(s, &v), rw = model_u64(s, &want), r32 = args_parse_u32(s, &v32);
	int rw32 = rw ? rw : want > UINT32_MAX ? -ERANGE : 0;

	if (r != rw || (!r && v != want))
		fail("args_parse_u64 disagrees with strtoull");
	if (r32 != rw32 || (!r32 && v32 != want))
		fail("args_parse_u32 disagrees with the model");
}

static void check_boot(const char *line)
{
	const char *want = NULL, *got = args_boot_commands(line);

	for (const char *p = line; !want && (p = strstr(p, "shell.run=")); p++)
		if (p == line || p[-1] == ' ' || p[-1] == '\t')
			want = p + strlen("shell.run=");
	if (got != want)
		fail("args_boot_commands found another key");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len = strnlen((const char *)data, size);
	size_t nlen = len < size ? strnlen((const char *)data + len + 1, size - len - 1) : 0;
	char *line = malloc(len + 1), *orig = malloc(len + 1), *words = malloc(len + 1);
	char *num = malloc(nlen + 1), *argv[ARGS_MAX + 1];
	const char *w = words;
	int argc, want;

	memcpy(orig, data, len);
	orig[len] = '\0';
	memcpy(line, orig, len + 1);
	memcpy(num, data + len + (len < size), nlen);
	num[nlen] = '\0';
	check_number(num);
	check_boot(orig);

	argc = args_split(line, argv);
	want = model_split(orig, words);
	if (argc != want)
		fail("args_split returns other than the model");
	for (int i = 0; i < argc; i++, w += strlen(w) + 1) {
		if (argv[i] < line || argv[i] > line + len || strcmp(argv[i], w))
			fail("a word differs from the model's");
		if (i && argv[i] <= argv[i - 1] + strlen(argv[i - 1]))
			fail("words overlap or are out of order");
		check_number(argv[i]);
	}
	if (argc >= 0 && argv[argc])
		fail("argv[argc] is not NULL");
	free(line);
	free(orig);
	free(words);
	free(num);
	return 0;
}
