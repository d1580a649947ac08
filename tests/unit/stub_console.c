/* Host stand-ins for printk and the console: everything printed is appended to one buffer that
 * tests inspect (stub_output) and clear (stub_reset); console_getc replays stub_set_input. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <drivers/console.h>
#include <kernel/printk.h>

#define STUB_OUT_SIZE 65536

static char out_buf[STUB_OUT_SIZE];
static size_t out_len;
static const char *in_bytes;
static size_t in_len;

void stub_reset(void);
const char *stub_output(void);
void stub_set_input(const char *bytes, size_t len);

void stub_reset(void)
{
	out_len = 0;
	out_buf[0] = '\0';
}

const char *stub_output(void)
{
	return out_buf;
}

void stub_set_input(const char *bytes, size_t len)
{
	in_bytes = bytes;
	in_len = len;
}

static void append(const char *s, size_t n)
{
	if (n > sizeof(out_buf) - 1 - out_len)
		n = sizeof(out_buf) - 1 - out_len;
	memcpy(out_buf + out_len, s, n);
	out_len += n;
	out_buf[out_len] = '\0';
}

int vprintk(const char *fmt, va_list ap)
{
	char tmp[1024];
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);

	if (n > 0)
		append(tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
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
	va_list ap;

	(void)level;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

void log_set_level(enum log_level level)
{
	(void)level;
}

/* Captured untranslated: tests see the editor's "\n" as it was sent. */
void console_write(const char *s, size_t len)
{
	append(s, len);
}

void console_putc(char c)
{
	append(&c, 1);
}

/* Returns -1 once the scripted input is used up. */
int console_getc(void)
{
	if (in_len == 0)
		return -1;
	in_len--;
	return (unsigned char)*in_bytes++;
}
