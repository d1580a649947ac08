/* printk: formats on the stack (no heap, no FP registers) and writes one console call per
 * message, so lines from different CPUs do not interleave. */
#include <drivers/console.h>
#include <kernel/printk.h>
#include <lib/format.h>

#define PRINTK_BUF 512

static enum log_level current_level = LOG_LEVEL_INF;
static const char *const level_tag[] = {"[ERR] ", "[WRN] ", "[INF] ", "[DBG] "};

int vprintk(const char *fmt, va_list ap)
{
	char buf[PRINTK_BUF];
	int n = fmt_vsnprintf(buf, sizeof(buf), fmt, ap);

	if (n < 0)
		return n;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
	return n;
}

int printk(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintk(fmt, ap);
	va_end(ap);
	return n;
}

void log_printk(enum log_level level, const char *fmt, ...)
{
	char buf[PRINTK_BUF];
	size_t tag_len;
	va_list ap;
	int n;

	if (level > current_level)
		return;
	tag_len = fmt_snprintf(buf, sizeof(buf), "%s", level_tag[level]);
	va_start(ap, fmt);
	n = fmt_vsnprintf(buf + tag_len, sizeof(buf) - tag_len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	n += tag_len;
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_write(buf, (size_t)n);
}

void log_set_level(enum log_level level)
{
	current_level = level;
}
