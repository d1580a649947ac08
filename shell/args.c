/* Command line splitting and numeric argument parsing for shell commands. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <shell/args.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * Copies one word from *rp to w, removing quotes and escapes; the result is never longer than
 * the source, so the copy can share the buffer. Leaves *rp at the character that ended the word.
 */
static int take_word(char **rp, char *w, char **end)
{
	char *r = *rp;
	char quote = 0;

	for (;;) {
		char c = *r;

		if (c == '\0') {
			if (quote)
				return -EINVAL;
			break;
		}
		if (!quote && is_blank(c))
			break;
		r++;
		if (quote == '\'') {
			if (c == '\'')
				quote = 0;
			else
				*w++ = c;
		} else if (c == '\\' && *r != '\0') {
			*w++ = *r++;
		} else if (c == '"' && quote) {
			quote = 0;
		} else if ((c == '"' || c == '\'') && !quote) {
			quote = c;
		} else {
			*w++ = c;
		}
	}
	*rp = r;
	*end = w;
	return 0;
}

int args_split(char *line, char **argv)
{
	char *r = line;
	int argc = 0;

	for (;;) {
		char *end;
		int ret;

		while (is_blank(*r))
			r++;
		if (*r == '\0')
			break;
		if (argc == ARGS_MAX)
			return -E2BIG;
		/* The word is rewritten at its own start, so it never overtakes r. */
		argv[argc] = r;
		ret = take_word(&r, r, &end);
		if (ret)
			return ret;
		/* The separator (or the final NUL) at r is consumed before end is terminated. */
		if (*r != '\0')
			r++;
		*end = '\0';
		argc++;
	}
	argv[argc] = NULL;
	return argc;
}

static int digit_value(char c, unsigned int base)
{
	int v;

	if (c >= '0' && c <= '9')
		v = c - '0';
	else if (c >= 'a' && c <= 'f')
		v = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		v = c - 'A' + 10;
	else
		return -1;
	return (unsigned int)v < base ? v : -1;
}

/* Written by hand: strtoull would accept signs, leading blanks and octal. */
int args_parse_u64(const char *s, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -EINVAL;
	bool overflow = false;

	/* Malformed wins over too big, whichever comes first in the string. */
	for (; *s; s++) {
		int d = digit_value(*s, base);

		if (d < 0)
			return -EINVAL;
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			overflow = true;
		v = v * base + (uint64_t)d;
	}
	if (overflow)
		return -ERANGE;
	*out = v;
	return 0;
}

int args_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v;
	int ret = args_parse_u64(s, &v);

	if (ret)
		return ret;
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

const char *args_boot_commands(const char *args)
{
	static const char key[] = "shell.run=";

	for (const char *p = args; p && *p; p++) {
		bool word_start = p == args || is_blank(p[-1]);
		size_t i = 0;

		while (word_start && key[i] && p[i] == key[i])
			i++;
		if (word_start && !key[i])
			return p + i;
	}
	return NULL;
}
