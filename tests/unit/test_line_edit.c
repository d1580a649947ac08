/* The line editor: the line it builds and every byte it sends back to the terminal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shell/line_edit.h>

#define PROMPT "> "
#define LEFT   "\x1b[D"
#define RIGHT  "\x1b[C"
#define UP     "\x1b[A"
#define DOWN   "\x1b[B"
#define HOME   "\x1b[H"
#define END    "\x1b[F"
#define DEL    "\x1b[3~"

struct fixture {
	struct line_edit le;
	char out[16384];
	size_t out_len;
};

static void capture(void *ctx, const char *s, size_t n)
{
	struct fixture *f = ctx;

	assert_true(f->out_len + n < sizeof(f->out));
	memcpy(f->out + f->out_len, s, n);
	f->out_len += n;
	f->out[f->out_len] = '\0';
}

/* Commands: help hello kernel version zvm; kernel and zvm have subcommands. */
static const char *const commands[] = {"help", "hello", "kernel", "version", "zvm", NULL};
static const char *const kernel_subs[] = {"uptime", "cpus", "threads", "mem", NULL};
static const char *const zvm_subs[] = {"new", "run", "pause", "delete", "info", "look", NULL};

static const char *complete(void *ctx, const char *parent, size_t parent_len, size_t index)
{
	const char *const *list = NULL;

	assert_non_null(ctx);
	if (!parent)
		list = commands;
	else if (parent_len == 6 && strncmp(parent, "kernel", 6) == 0)
		list = kernel_subs;
	else if (parent_len == 3 && strncmp(parent, "zvm", 3) == 0)
		list = zvm_subs;
	if (!list)
		return NULL;
	for (size_t i = 0; i < index; i++) {
		if (!list[i])
			return NULL;
	}
	return list[index];
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	line_edit_init(&f->le, PROMPT, capture, complete, f);
	assert_int_equal(f->out_len, 0); /* init prints nothing */
	line_edit_start(&f->le);
	assert_string_equal(f->out, PROMPT);
	f->out_len = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Feeds every byte of s; returns how many lines were completed. */
static int feed_n(struct fixture *f, const char *s, size_t n)
{
	int lines = 0;

	for (size_t i = 0; i < n; i++)
		lines += line_edit_feed(&f->le, s[i]);
	return lines;
}

static int feed(struct fixture *f, const char *s)
{
	return feed_n(f, s, strlen(s));
}

/* Checks what the editor printed since the last check. */
static void expect_out(struct fixture *f, const char *want)
{
	f->out[f->out_len] = '\0';
	assert_string_equal(f->out, want);
	f->out_len = 0;
	f->out[0] = '\0';
}

/* Completes the current line with Enter, checks it, and starts the next one. */
static void enter(struct fixture *f, const char *want_line)
{
	assert_int_equal(feed(f, "\r"), 1);
	assert_string_equal(line_edit_line(&f->le), want_line);
	line_edit_start(&f->le);
	f->out_len = 0;
}

static void test_type_and_enter(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "help me"), 0);
	expect_out(f, "help me");
	assert_int_equal(feed(f, "\r"), 1);
	expect_out(f, "\n");
	assert_string_equal(line_edit_line(&f->le), "help me");
	line_edit_start(&f->le);
	expect_out(f, PROMPT);
	assert_string_equal(line_edit_line(&f->le), "");
}

static void test_crlf_counts_once(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "a\r"), 1);
	line_edit_start(&f->le);
	f->out_len = 0;
	/* The LF of the CRLF arrives after the next prompt: swallowed without output. */
	assert_int_equal(feed(f, "\n"), 0);
	expect_out(f, "");
	assert_int_equal(feed(f, "b\n"), 1);
	assert_string_equal(line_edit_line(&f->le), "b");
	line_edit_start(&f->le);
	/* LF alone, and CR CR, each end a line. */
	assert_int_equal(feed(f, "\n"), 1);
	assert_string_equal(line_edit_line(&f->le), "");
	line_edit_start(&f->le);
	assert_int_equal(feed(f, "\r"), 1);
	line_edit_start(&f->le);
	assert_int_equal(feed(f, "\r"), 1);
}

static void test_insert_in_middle(void **state)
{
	struct fixture *f = *state;

	feed(f, "abd" LEFT);
	expect_out(f, "abd\b");
	feed(f, "c");
	/* The tail is re-printed and the cursor stepped back over it. */
	expect_out(f, "cd\b");
	feed(f, HOME);
	expect_out(f, "\x1b[3D");
	feed(f, "X");
	expect_out(f, "Xabcd\x1b[4D");
	enter(f, "Xabcd");
}

static void test_backspace(void **state)
{
	struct fixture *f = *state;

	feed(f, "abc\x7f");
	expect_out(f, "abc\b \b");
	feed(f, "\b");
	expect_out(f, "\b \b");
	assert_string_equal(line_edit_line(&f->le), "a");
	feed(f, "xyz" LEFT LEFT "\x7f");
	/* Deleting in the middle redraws "yz", blanks the stale last column, and goes back. */
	expect_out(f, "xyz\b\b\byz \x1b[3D");
	enter(f, "ayz");
	/* Backspace at the start of the line does nothing. */
	feed(f, "\x7f");
	expect_out(f, "");
}

static void test_delete_key(void **state)
{
	struct fixture *f = *state;

	feed(f, "abc" HOME DEL);
	expect_out(f, "abc\x1b[3Dbc \x1b[3D");
	feed(f, END DEL);
	expect_out(f, "\x1b[2C");
	enter(f, "bc");
}

static void test_cursor_keys(void **state)
{
	struct fixture *f = *state;

	feed(f, "abcd");
	f->out_len = 0;
	/* SS3 arrows, VT220 Home/End, Ctrl-A/Ctrl-E and a Ctrl-modified arrow all move. */
	feed(f, "\x1bOD");
	expect_out(f, "\b");
	feed(f, "\x1b[1~");
	expect_out(f, "\x1b[3D");
	feed(f, "\x1bOC");
	expect_out(f, "\x1b[1C");
	feed(f, "\x1b[4~");
	expect_out(f, "\x1b[3C");
	feed(f, "\x01");
	expect_out(f, "\x1b[4D");
	feed(f, "\x05");
	expect_out(f, "\x1b[4C");
	feed(f, "\x1b[1;5D");
	expect_out(f, "\b");
	/* Moving past either end is silent. */
	feed(f, RIGHT RIGHT);
	expect_out(f, "\x1b[1C");
	feed(f, HOME LEFT);
	expect_out(f, "\x1b[4D");
	/* Unknown sequences are swallowed whole. */
	feed(f, "\x1b[5~\x1b[24~\x1bx");
	expect_out(f, "");
	feed(f, "-");
	expect_out(f, "-abcd\x1b[4D");
	enter(f, "-abcd");
}

static void test_escape_aborted_by_enter(void **state)
{
	struct fixture *f = *state;

	feed(f, "ok\x1b[");
	assert_int_equal(feed(f, "\r"), 1);
	assert_string_equal(line_edit_line(&f->le), "ok");
}

static void test_ctrl_c(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(feed(f, "abc\x03"), 0);
	expect_out(f, "abc^C\n" PROMPT);
	assert_string_equal(line_edit_line(&f->le), "");
	enter(f, "");
	/* An abandoned line is not history. */
	feed(f, UP);
	expect_out(f, "\a");
}

static void test_ctrl_u(void **state)
{
	struct fixture *f = *state;

	feed(f, "abc" LEFT "\x15");
	expect_out(f, "abc\b\x1b[2D\x1b[K");
	feed(f, "z");
	expect_out(f, "z");
	enter(f, "z");
}

static void test_ignores_other_bytes(void **state)
{
	struct fixture *f = *state;

	feed(f, "a\x02\x7f\x80\xff"
		"b");
	expect_out(f, "a\b \bb");
	enter(f, "b");
}

static void test_history(void **state)
{
	struct fixture *f = *state;

	feed(f, "one\r");
	line_edit_start(&f->le);
	/* Duplicates of the newest entry, empty and blank lines are not stored. */
	feed(f, "two\r");
	line_edit_start(&f->le);
	feed(f, "two\r");
	line_edit_start(&f->le);
	feed(f, "\r");
	line_edit_start(&f->le);
	feed(f, "   \r");
	line_edit_start(&f->le);
	feed(f, "three\r");
	line_edit_start(&f->le);
	f->out_len = 0;

	feed(f, "pa");
	expect_out(f, "pa");
	feed(f, UP);
	expect_out(f, "\x1b[2Dthree");
	feed(f, UP);
	expect_out(f, "\x1b[5Dtwo\x1b[K");
	feed(f, UP);
	expect_out(f, "\x1b[3Done");
	feed(f, UP);
	expect_out(f, "\a");
	assert_string_equal(line_edit_line(&f->le), "one");
	feed(f, DOWN DOWN);
	expect_out(f, "\x1b[3Dtwo\x1b[3Dthree");
	/* Down past the newest entry gives back the line being typed. */
	feed(f, DOWN);
	expect_out(f, "\x1b[5Dpa\x1b[K");
	assert_string_equal(line_edit_line(&f->le), "pa");
	feed(f, DOWN);
	expect_out(f, "\a");
	enter(f, "pa");
}

static void test_history_edit_keeps_entry(void **state)
{
	struct fixture *f = *state;

	enter(f, "");
	feed(f, "three");
	enter(f, "three");
	feed(f, UP "\x7f");
	enter(f, "thre");
	feed(f, UP);
	assert_string_equal(line_edit_line(&f->le), "thre");
	feed(f, UP);
	assert_string_equal(line_edit_line(&f->le), "three");
	/* Editing a recalled line, then walking away, leaves the entry intact. */
	feed(f, "XX" DOWN UP);
	assert_string_equal(line_edit_line(&f->le), "three");
}

static void test_history_keeps_last_16(void **state)
{
	struct fixture *f = *state;
	char line[16];

	for (int i = 0; i < 20; i++) {
		snprintf(line, sizeof(line), "cmd%d", i);
		feed(f, line);
		enter(f, line);
	}
	for (int i = 19; i >= 4; i--) {
		snprintf(line, sizeof(line), "cmd%d", i);
		feed(f, UP);
		assert_string_equal(line_edit_line(&f->le), line);
	}
	f->out_len = 0;
	feed(f, UP);
	expect_out(f, "\a");
}

static void test_overflow_rings_bell(void **state)
{
	struct fixture *f = *state;
	char full[LINE_EDIT_MAX + 1];

	memset(full, 'x', LINE_EDIT_MAX);
	full[LINE_EDIT_MAX] = '\0';
	feed(f, full);
	f->out_len = 0;
	feed(f, "y");
	expect_out(f, "\a");
	feed(f, HOME "z");
	expect_out(f, "\x1b[256D\a");
	enter(f, full);
}

static void test_tab_unique(void **state)
{
	struct fixture *f = *state;

	feed(f, "ver\t");
	expect_out(f, "version ");
	feed(f, "\t");
	expect_out(f, "\a"); /* third word position: nothing to complete */
	enter(f, "version ");

	feed(f, "  k\t");
	expect_out(f, "  kernel ");
	feed(f, "th\t");
	expect_out(f, "threads ");
	enter(f, "  kernel threads ");

	/* An exact name still gets its trailing space. */
	feed(f, "zvm\t");
	expect_out(f, "zvm ");
	enter(f, "zvm ");
}

static void test_tab_mid_line(void **state)
{
	struct fixture *f = *state;

	feed(f, "ver x" LEFT LEFT);
	f->out_len = 0;
	feed(f, "\t");
	expect_out(f, "sion  x\x1b[2D");
	enter(f, "version  x");
}

static void test_tab_no_match(void **state)
{
	struct fixture *f = *state;

	feed(f, "xyz\t\t");
	expect_out(f, "xyz\a\a");
	/* Unknown parent, and a command without subcommands: no candidates. */
	feed(f, "\x15"
		"foo b\t");
	expect_out(f, "\x1b[3D\x1b[Kfoo b\a");
	feed(f, "\x15"
		"help h\t");
	expect_out(f, "\x1b[5D\x1b[Khelp h\a");
}

static void test_tab_ambiguous(void **state)
{
	struct fixture *f = *state;

	/* First tab adds the common part, the second lists and redraws prompt and line. */
	feed(f, "h\t");
	expect_out(f, "hel");
	feed(f, "\t");
	expect_out(f, "\nhelp  hello\n" PROMPT "hel");
	feed(f, "p\t");
	expect_out(f, "p ");
	enter(f, "help ");

	/* Nothing common to add: bell first, list on the second tab. */
	feed(f, "zvm \t");
	expect_out(f, "zvm \a");
	feed(f, "\t");
	expect_out(f, "\nnew  run  pause  delete  info  look\n" PROMPT "zvm ");
	/* A tab after another key starts over. */
	feed(f, "x"
		"\x7f"
		"\t");
	expect_out(f, "x\b \b\a");
	enter(f, "zvm ");
}

static void test_tab_list_keeps_cursor(void **state)
{
	struct fixture *f = *state;

	feed(f, "kernel  -v" LEFT LEFT LEFT);
	f->out_len = 0;
	feed(f, "\t\t");
	expect_out(f, "\a\nuptime  cpus  threads  mem\n" PROMPT "kernel  -v\x1b[3D");
	feed(f, "m\t");
	expect_out(f, "m -v\x1b[3D"
		      "em  -v\x1b[3D");
	enter(f, "kernel mem  -v");
}

static void test_tab_without_completer(void **state)
{
	struct fixture *f = *state;

	line_edit_init(&f->le, PROMPT, capture, NULL, f);
	line_edit_start(&f->le);
	f->out_len = 0;
	feed(f, "he\t");
	expect_out(f, "he\a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_type_and_enter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_crlf_counts_once, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_insert_in_middle, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backspace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_delete_key, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cursor_keys, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_escape_aborted_by_enter, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ctrl_c, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ctrl_u, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_ignores_other_bytes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_edit_keeps_entry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_history_keeps_last_16, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overflow_rings_bell, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_unique, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_mid_line, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_no_match, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_ambiguous, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_list_keeps_cursor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tab_without_completer, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
