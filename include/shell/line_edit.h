/*
 * Line editor for a VT100-style serial terminal. A pure state machine: the caller feeds received
 * bytes one at a time and the editor answers with terminal output through a callback. It owns
 * no globals, so tests can drive several instances and check every byte it emits.
 *
 * Output uses "\n" for a new line: the sink is expected to send it as CRLF (console_write does).
 */
#ifndef SHELL_LINE_EDIT_H
#define SHELL_LINE_EDIT_H

#include <stdbool.h>
#include <stddef.h>

#define LINE_EDIT_MAX	  256 /* characters per line, not counting the NUL */
#define LINE_EDIT_HISTORY 16  /* remembered lines */

typedef void (*line_edit_out_fn)(void *ctx, const char *s, size_t n);

/*
 * Enumerates completion candidates: returns the index-th name, or NULL past the last one. With
 * parent == NULL the candidates are the command names; otherwise they are the subcommands of the
 * command whose name is parent[0..parent_len) (NULL at index 0 if it has none).
 */
typedef const char *(*line_edit_complete_fn)(void *ctx, const char *parent, size_t parent_len,
					     size_t index);

struct line_edit {
	const char *prompt;
	line_edit_out_fn out;
	line_edit_complete_fn complete; /* may be NULL: tab then only rings the bell */
	void *ctx;

	char buf[LINE_EDIT_MAX + 1];
	size_t len;
	size_t cursor;

	unsigned char esc_state;
	unsigned int esc_param;
	bool skip_lf;  /* the previous byte was CR: a following LF is part of the same newline */
	bool last_tab; /* the previous key was tab: a second one lists the candidates */

	/* Ring of previous lines; hist_pos is -1 while editing the live line, else 0 = newest. */
	char hist[LINE_EDIT_HISTORY][LINE_EDIT_MAX + 1];
	size_t hist_count;
	size_t hist_next;
	int hist_pos;
	char saved[LINE_EDIT_MAX + 1]; /* the live line while browsing history */
};

/* Sets up an editor with an empty history. Prints nothing. */
void line_edit_init(struct line_edit *le, const char *prompt, line_edit_out_fn out,
		    line_edit_complete_fn complete, void *ctx);
/* Begins a new, empty line and prints the prompt. */
void line_edit_start(struct line_edit *le);
/*
 * Processes one received byte. Returns true when it completed a line: the line is then available
 * from line_edit_line() until the next line_edit_start(), and has been added to the history.
 */
bool line_edit_feed(struct line_edit *le, char c);
/* The current line, NUL-terminated. The caller may modify it in place once it is complete. */
char *line_edit_line(struct line_edit *le);

#endif
