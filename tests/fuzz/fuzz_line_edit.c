/* The shell's line editor (shell/line_edit.c) fed arbitrary bytes as typed input: escape
 * sequences (broken, overlong, with huge parameters), control keys, history browsing, tab
 * completion over a table with shared prefixes and names too long for a line, and lines far past
 * LINE_EDIT_MAX. After every byte the line must be NUL-terminated at len, within its buffer,
 * with the cursor inside it and no NUL in it; history entries must stay terminated; a completed
 * non-blank line must be the newest history entry; the terminal never gets a NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <shell/line_edit.h>

#include "fuzz_input.h"

static char long_name[LINE_EDIT_MAX + 40], near_name[LINE_EDIT_MAX - 6];
static const char *commands[] = {"help", "hello", "kernel", "zvm", long_name, near_name, NULL};
static const char *const zvm_subs[] = {"new", "net", "run", "pause", NULL};

static void fail(const char *why)
{
	fprintf(stderr, "fuzz_line_edit: %s\n", why);
	abort();
}

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (!n || memchr(s, '\0', n))
		fail("an empty write or a NUL sent to the terminal");
}

static const char *complete(void *ctx, const char *parent, size_t parent_len, size_t index)
{
	const char *const *list = commands;
	size_t i;

	(void)ctx;
	if (parent && parent_len == 3 && !strncmp(parent, "zvm", 3))
		list = zvm_subs;
	else if (parent)
		return NULL;
	for (i = 0; i < index && list[i]; i++)
		;
	return list[i];
}

static void check(const struct line_edit *le)
{
	if (le->len > LINE_EDIT_MAX || le->cursor > le->len)
		fail("len or cursor out of range");
	if (le->buf[le->len] != '\0' || strlen(le->buf) != le->len)
		fail("the line is not NUL-terminated at len");
	if (le->hist_count > LINE_EDIT_HISTORY || le->hist_next >= LINE_EDIT_HISTORY ||
	    le->hist_pos < -1 || le->hist_pos >= (int)le->hist_count)
		fail("history indices out of range");
	for (unsigned i = 0; i < LINE_EDIT_HISTORY; i++)
		if (!memchr(le->hist[i], '\0', sizeof(le->hist[i])))
			fail("an unterminated history entry");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line_edit le;
	struct fuzz_in in = {data, size};

	if (!long_name[0]) {
		memset(long_name, 'l', sizeof(long_name) - 1);
		memset(near_name, 'n', sizeof(near_name) - 1);
	}
	/* The first byte: with or without completion. */
	line_edit_init(&le, "> ", out, fuzz_u8(&in) & 1 ? NULL : complete, NULL);
	line_edit_start(&le);
	while (in.n) {
		char c = (char)fuzz_u8(&in);

		if (line_edit_feed(&le, c)) {
			const char *line = line_edit_line(&le);
			size_t skip = strspn(line, " ");

			check(&le);
			if (line[skip] &&
			    strcmp(
				le.hist[(le.hist_next + LINE_EDIT_HISTORY - 1) % LINE_EDIT_HISTORY],
				line))
				fail("a completed line is not the newest history entry");
			/* As the shell: the command may split the line in place, then a new one. */
			memset(le.buf, 0, le.len);
			line_edit_start(&le);
		}
		check(&le);
	}
	return 0;
}
