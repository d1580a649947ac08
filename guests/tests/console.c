/* PL011 output and input by polling, and a small printf: %d %i %u %x %X %p %s %c %%, flags '-' '0',
 * width and string precision (number or '*'), length modifiers h hh l ll z. */
#include "zt.h"

#define UART_DR	     0x00
#define UART_FR	     0x18
#define UART_FR_TXFF (1u << 5)
#define UART_FR_RXFE (1u << 4)

void zt_putc(char c)
{
	uint64_t base = zt_plat.uart ? zt_plat.uart : ZT_UART_BASE;
	/* Bounded wait: a stuck TX FIFO must not hang the guest. */
	for (unsigned i = 0; i < 1000000 && (zt_r32(base + UART_FR) & UART_FR_TXFF); i++)
		zt_relax();
	zt_w32(base + UART_DR, (uint8_t)c);
}

int zt_getc(unsigned timeout_ms)
{
	uint64_t base = zt_plat.uart ? zt_plat.uart : ZT_UART_BASE;

	if (!zt_wait(!(zt_r32(base + UART_FR) & UART_FR_RXFE), timeout_ms))
		return -1;
	return (int)(zt_r32(base + UART_DR) & 0xff);
}

void zt_puts(const char *s)
{
	while (*s) {
		if (*s == '\n')
			zt_putc('\r');
		zt_putc(*s++);
	}
}

struct out {
	char *buf;
	size_t size, pos;
};

static void emit(struct out *o, char c)
{
	if (o->buf) {
		if (o->pos + 1 < o->size)
			o->buf[o->pos] = c;
	} else {
		if (c == '\n')
			zt_putc('\r');
		zt_putc(c);
	}
	o->pos++;
}

static void emit_str(struct out *o, const char *s, int prec, int width, bool left)
{
	int len = 0;
	while (s[len] && (prec < 0 || len < prec))
		len++;
	if (!left)
		for (; width > len; width--)
			emit(o, ' ');
	for (int i = 0; i < len; i++)
		emit(o, s[i]);
	for (; width > len; width--)
		emit(o, ' ');
}

static void emit_num(struct out *o, uint64_t v, bool neg, unsigned base, bool upper, int width,
		     bool left, bool zero)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (!left && !zero)
		for (; width > len; width--)
			emit(o, ' ');
	if (neg)
		emit(o, '-');
	if (!left && zero)
		for (; width > len; width--)
			emit(o, '0');
	while (n)
		emit(o, tmp[--n]);
	for (; width > len; width--)
		emit(o, ' ');
}

static int format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		fmt++;
		bool left = false, zero = false;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				zero = true;
			else
				break;
		}
		int width = 0;
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				width = width * 10 + (*fmt++ - '0');
		}
		int prec = -1;
		if (*fmt == '.') {
			fmt++;
			prec = 0;
			if (*fmt == '*') {
				prec = va_arg(ap, int);
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					prec = prec * 10 + (*fmt++ - '0');
			}
		}
		int lng = 0;
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z')
				lng++;
			else if (*fmt != 'h')
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			emit_num(o, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 10, false, width,
				 left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned);
			emit_num(o, v, false, *fmt == 'u' ? 10 : 16, *fmt == 'X', width, left,
				 zero);
			break;
		}
		case 'p':
			emit(o, '0');
			emit(o, 'x');
			emit_num(o, (uint64_t)(uintptr_t)va_arg(ap, void *), false, 16, false,
				 width, left, zero);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			emit_str(o, s ? s : "(null)", prec, width, left);
			break;
		}
		case 'c':
			emit(o, (char)va_arg(ap, int));
			break;
		case '%':
			emit(o, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			emit(o, '%');
			emit(o, *fmt);
			break;
		}
	}
	return (int)o->pos;
}

int zt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {.buf = buf, .size = size, .pos = 0};
	int n = format(&o, fmt, ap);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = '\0';
	return n;
}

int zt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = zt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int zt_vprintf(const char *fmt, va_list ap)
{
	struct out o = {.buf = NULL, .size = 0, .pos = 0};
	return format(&o, fmt, ap);
}

int zt_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = zt_vprintf(fmt, ap);
	va_end(ap);
	return n;
}
