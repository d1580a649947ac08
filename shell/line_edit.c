/* Line editor state machine: key decoding, in-place editing, history and tab completion. */
#include <string.h>
#include <shell/line_edit.h>

#define CTRL(c) ((c)&0x1f)

enum esc_state { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 };

enum key { KEY_UP, KEY_DOWN, KEY_RIGHT, KEY_LEFT, KEY_HOME, KEY_END, KEY_DELETE };

#define ESC_PARAM_MAX 9999 /* larger parameters are clamped; no key uses them */

static void emit(struct line_edit *le, const char *s, size_t n)
{
	if (n)
		le->out(le->ctx, s, n);
}

static void emit_str(struct line_edit *le, const char *s)
{
	emit(le, s, strlen(s));
}

static void bell(struct line_edit *le)
{
	emit_str(le, "\a");
}

/* Emits ESC [ n <dir> without printf, so the editor needs nothing beyond string.h. */
static void cursor_move(struct line_edit *le, size_t n, char dir)
{
	char seq[24];
	char digits[20];
	size_t nd = 0, i = 0;

	if (n == 0)
		return;
	do {
		digits[nd++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	seq[i++] = '\x1b';
	seq[i++] = '[';
	while (nd)
		seq[i++] = digits[--nd];
	seq[i++] = dir;
	emit(le, seq, i);
}

static void cursor_left(struct line_edit *le, size_t n)
{
	/* A plain backspace is the shortest way back by one column. */
	if (n == 1)
		emit_str(le, "\b");
	else
		cursor_move(le, n, 'D');
}

/* After a deletion: re-prints the line from the cursor, blanks the column the last character
 * used to occupy, and returns the terminal cursor to le->cursor. */
static void redraw_tail_erase(struct line_edit *le)
{
	size_t tail = le->len - le->cursor;

	emit(le, le->buf + le->cursor, tail);
	emit_str(le, " ");
	cursor_left(le, tail + 1);
}

static void reset_line(struct line_edit *le)
{
	le->len = 0;
	le->cursor = 0;
	le->buf[0] = '\0';
	le->hist_pos = -1;
	le->last_tab = false;
	le->esc_state = ESC_NONE;
}

void line_edit_init(struct line_edit *le, const char *prompt, line_edit_out_fn out,
		    line_edit_complete_fn complete, void *ctx)
{
	memset(le, 0, sizeof(*le));
	le->prompt = prompt;
	le->out = out;
	le->complete = complete;
	le->ctx = ctx;
	reset_line(le);
}

void line_edit_start(struct line_edit *le)
{
	/* skip_lf survives: a CRLF's LF may arrive after the caller has started the next line. */
	reset_line(le);
	emit_str(le, le->prompt);
}

char *line_edit_line(struct line_edit *le)
{
	return le->buf;
}

static bool insert(struct line_edit *le, const char *s, size_t n)
{
	if (n > LINE_EDIT_MAX - le->len) {
		bell(le);
		return false;
	}
	memmove(le->buf + le->cursor + n, le->buf + le->cursor, le->len - le->cursor + 1);
	memcpy(le->buf + le->cursor, s, n);
	le->len += n;
	/* Print the inserted text and everything after it, then step back over the old tail. */
	emit(le, le->buf + le->cursor, le->len - le->cursor);
	le->cursor += n;
	cursor_left(le, le->len - le->cursor);
	return true;
}

/* Removes the character at the cursor; the terminal cursor must already be at le->cursor. */
static void delete_at_cursor(struct line_edit *le)
{
	memmove(le->buf + le->cursor, le->buf + le->cursor + 1, le->len - le->cursor);
	le->len--;
	redraw_tail_erase(le);
}

static void backspace(struct line_edit *le)
{
	if (le->cursor == 0)
		return;
	le->cursor--;
	cursor_left(le, 1);
	delete_at_cursor(le);
}

static void move_to(struct line_edit *le, size_t pos)
{
	if (pos < le->cursor)
		cursor_left(le, le->cursor - pos);
	else
		cursor_move(le, pos - le->cursor, 'C');
	le->cursor = pos;
}

/* Shows s in place of the current line, with the cursor at its end. */
static void replace_line(struct line_edit *le, const char *s)
{
	size_t old_len = le->len;

	move_to(le, 0);
	le->len = strlen(s);
	memcpy(le->buf, s, le->len + 1);
	emit(le, le->buf, le->len);
	le->cursor = le->len;
	if (old_len > le->len)
		emit_str(le, "\x1b[K");
}

static const char *hist_entry(struct line_edit *le, int age)
{
	size_t slot = (le->hist_next + LINE_EDIT_HISTORY - 1 - (size_t)age) % LINE_EDIT_HISTORY;

	return le->hist[slot];
}

static void hist_add(struct line_edit *le)
{
	size_t i = 0;

	while (le->buf[i] == ' ')
		i++;
	if (le->buf[i] == '\0')
		return;
	if (le->hist_count && strcmp(hist_entry(le, 0), le->buf) == 0)
		return;
	memcpy(le->hist[le->hist_next], le->buf, le->len + 1);
	le->hist_next = (le->hist_next + 1) % LINE_EDIT_HISTORY;
	if (le->hist_count < LINE_EDIT_HISTORY)
		le->hist_count++;
}

/* Recalled lines are copied into buf, so editing them never changes the history itself. */
static void hist_up(struct line_edit *le)
{
	if ((size_t)(le->hist_pos + 1) >= le->hist_count) {
		bell(le);
		return;
	}
	if (le->hist_pos < 0)
		memcpy(le->saved, le->buf, le->len + 1);
	le->hist_pos++;
	replace_line(le, hist_entry(le, le->hist_pos));
}

static void hist_down(struct line_edit *le)
{
	if (le->hist_pos < 0) {
		bell(le);
		return;
	}
	le->hist_pos--;
	replace_line(le, le->hist_pos < 0 ? le->saved : hist_entry(le, le->hist_pos));
}

static void handle_key(struct line_edit *le, enum key key)
{
	switch (key) {
	case KEY_UP:
		hist_up(le);
		break;
	case KEY_DOWN:
		hist_down(le);
		break;
	case KEY_LEFT:
		if (le->cursor > 0)
			move_to(le, le->cursor - 1);
		break;
	case KEY_RIGHT:
		if (le->cursor < le->len)
			move_to(le, le->cursor + 1);
		break;
	case KEY_HOME:
		move_to(le, 0);
		break;
	case KEY_END:
		move_to(le, le->len);
		break;
	case KEY_DELETE:
		if (le->cursor < le->len)
			delete_at_cursor(le);
		break;
	}
}

/* Final byte of ESC [ ... or ESC O ...; unknown sequences are swallowed. */
static void handle_final(struct line_edit *le, char c, unsigned int param)
{
	static const char letters[] = "ABCDHF";
	static const enum key letter_keys[] = {KEY_UP,	 KEY_DOWN, KEY_RIGHT,
					       KEY_LEFT, KEY_HOME, KEY_END};
	const char *p;

	if (c == '~') {
		/* VT220 editing keys; 7/8 are the rxvt spellings of Home/End. */
		if (param == 1 || param == 7)
			handle_key(le, KEY_HOME);
		else if (param == 3)
			handle_key(le, KEY_DELETE);
		else if (param == 4 || param == 8)
			handle_key(le, KEY_END);
		return;
	}
	p = strchr(letters, c);
	if (p)
		handle_key(le, letter_keys[p - letters]);
}

/* Returns true if c was consumed as (the start of) an escape sequence. */
static bool handle_escape(struct line_edit *le, unsigned char c)
{
	if (c == 0x1b) {
		le->esc_state = ESC_START;
		return true;
	}
	if (le->esc_state == ESC_NONE)
		return false;
	/* A control character aborts a broken sequence and is then handled on its own. */
	if (c < 0x20) {
		le->esc_state = ESC_NONE;
		return false;
	}
	switch (le->esc_state) {
	case ESC_START:
		le->esc_param = 0;
		if (c == '[')
			le->esc_state = ESC_CSI;
		else if (c == 'O')
			le->esc_state = ESC_SS3;
		else
			le->esc_state = ESC_NONE;
		break;
	case ESC_CSI:
		if (c >= '0' && c <= '9') {
			le->esc_param = le->esc_param * 10 + (c - '0');
			if (le->esc_param > ESC_PARAM_MAX)
				le->esc_param = ESC_PARAM_MAX;
		} else if (c >= 0x40 && c <= 0x7e) {
			le->esc_state = ESC_NONE;
			handle_final(le, (char)c, le->esc_param);
		} else if (c == ';') {
			/* Modified keys: ESC [ 1 ; 5 C acts as a plain arrow, a modified ~ key is
			 * dropped. */
			le->esc_param = ESC_PARAM_MAX;
		}
		break;
	case ESC_SS3:
		le->esc_state = ESC_NONE;
		handle_final(le, (char)c, 0);
		break;
	}
	return true;
}

/* The word before the cursor and, if it is the second word, the first one (its parent). */
struct completion {
	const char *parent;
	size_t parent_len;
	const char *prefix;
	size_t prefix_len;
};

static bool find_completion_word(struct line_edit *le, struct completion *cp)
{
	size_t start = le->cursor;
	size_t i = 0, j;

	while (start > 0 && le->buf[start - 1] != ' ')
		start--;
	cp->prefix = le->buf + start;
	cp->prefix_len = le->cursor - start;
	cp->parent = NULL;
	cp->parent_len = 0;
	while (i < start && le->buf[i] == ' ')
		i++;
	if (i == start)
		return true;
	for (j = i; le->buf[j] != ' '; j++)
		;
	cp->parent = le->buf + i;
	cp->parent_len = j - i;
	while (j < start && le->buf[j] == ' ')
		j++;
	/* Only command names and their subcommands are completed. */
	return j == start;
}

static const char *candidate(struct line_edit *le, const struct completion *cp, size_t index)
{
	return le->complete(le->ctx, cp->parent, cp->parent_len, index);
}

static bool matches(const struct completion *cp, const char *name)
{
	return strncmp(name, cp->prefix, cp->prefix_len) == 0;
}

static void list_candidates(struct line_edit *le, const struct completion *cp)
{
	const char *name;
	bool first = true;

	emit_str(le, "\n");
	for (size_t i = 0; (name = candidate(le, cp, i)) != NULL; i++) {
		if (!matches(cp, name))
			continue;
		if (!first)
			emit_str(le, "  ");
		emit_str(le, name);
		first = false;
	}
	emit_str(le, "\n");
	emit_str(le, le->prompt);
	emit(le, le->buf, le->len);
	cursor_left(le, le->len - le->cursor);
}

static void complete(struct line_edit *le, bool second_tab)
{
	struct completion cp;
	const char *name, *first = NULL;
	size_t count = 0, common = 0;

	if (!le->complete || !find_completion_word(le, &cp)) {
		bell(le);
		return;
	}
	for (size_t i = 0; (name = candidate(le, &cp, i)) != NULL; i++) {
		if (!matches(&cp, name))
			continue;
		if (!first) {
			first = name;
			common = strlen(name);
		} else {
			size_t k = cp.prefix_len;

			while (k < common && name[k] == first[k])
				k++;
			common = k;
		}
		count++;
	}
	if (count == 0) {
		bell(le);
	} else if (count == 1) {
		char word[LINE_EDIT_MAX + 1];
		size_t n = strlen(first) - cp.prefix_len;

		/* The rest of the name plus a space, inserted at once so the tail is redrawn once.
		 */
		if (n >= LINE_EDIT_MAX) {
			bell(le);
			return;
		}
		memcpy(word, first + cp.prefix_len, n);
		word[n++] = ' ';
		insert(le, word, n);
	} else if (common > cp.prefix_len) {
		insert(le, first + cp.prefix_len, common - cp.prefix_len);
	} else if (second_tab) {
		list_candidates(le, &cp);
	} else {
		bell(le);
	}
}

bool line_edit_feed(struct line_edit *le, char ch)
{
	unsigned char c = (unsigned char)ch;
	bool was_tab = le->last_tab;
	bool skip_lf = le->skip_lf;

	le->last_tab = false;
	le->skip_lf = false;
	if (handle_escape(le, c))
		return false;

	switch (c) {
	case '\r':
	case '\n':
		if (c == '\n' && skip_lf)
			return false;
		le->skip_lf = c == '\r';
		emit_str(le, "\n");
		hist_add(le);
		le->hist_pos = -1;
		return true;
	case 0x7f:
	case '\b':
		backspace(le);
		break;
	case '\t':
		complete(le, was_tab);
		le->last_tab = true;
		break;
	case CTRL('a'):
		move_to(le, 0);
		break;
	case CTRL('e'):
		move_to(le, le->len);
		break;
	case CTRL('c'):
		emit_str(le, "^C\n");
		line_edit_start(le);
		break;
	case CTRL('u'):
		move_to(le, 0);
		if (le->len)
			emit_str(le, "\x1b[K");
		le->len = 0;
		le->buf[0] = '\0';
		break;
	default:
		if (c >= 0x20 && c < 0x7f)
			insert(le, &ch, 1);
		break;
	}
	return false;
}
