/* Integer and string formatting for printk and friends. No floating point: see format.h. */
#include <lib/format.h>

#include <limits.h>
#include <stdint.h>

#define F_LEFT	0x01u /* '-': pad on the right */
#define F_ZERO	0x02u /* '0': pad numbers with zeros */
#define F_PLUS	0x04u /* '+': always print a sign */
#define F_SPACE 0x08u /* ' ': space where '+' would go */
#define F_ALT	0x10u /* '#': 0 / 0x prefix */

enum len_mod { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct spec {
	unsigned flags;
	int width;
	int prec; /* -1 when not given */
	enum len_mod len;
	char conv;
};

/* Output cursor: counts every byte, stores only those that fit before the final NUL. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t n = 0;

	if (!s)
		s = "(null)";
	while ((sp->prec < 0 || n < (size_t)sp->prec) && s[n])
		n++;
	int fill = (size_t)sp->width > n ? sp->width - (int)n : 0;

	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	for (size_t i = 0; i < n; i++)
		put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

/* Prints the magnitude mag with an optional sign character, honouring precision, the '#'
 * prefixes and width padding. */
static void emit_int(struct out *o, const struct spec *sp, uintmax_t mag, char sign)
{
	const char *set = sp->conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = 10;
	char digits[sizeof(uintmax_t) * 3]; /* octal needs the most: 22 for 64 bits */
	char prefix[3];
	int nd = 0, np = 0;
	int is_zero = mag == 0;

	if (sp->conv == 'o')
		base = 8;
	else if (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p')
		base = 16;
	while (mag) {
		digits[nd++] = set[mag % base];
		mag /= base;
	}

	/* Default precision 1 makes zero print as "0"; an explicit .0 prints nothing. */
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > nd ? prec - nd : 0;

	if (sign)
		prefix[np++] = sign;
	if (base == 8 && (sp->flags & F_ALT) && zeros == 0)
		zeros = 1; /* '#' wants a leading zero digit */
	if (sp->conv == 'p' || (base == 16 && (sp->flags & F_ALT) && !is_zero)) {
		prefix[np++] = '0';
		prefix[np++] = sp->conv == 'X' ? 'X' : 'x';
	}

	int body = np + zeros + nd;
	int fill = sp->width > body ? sp->width - body : 0;

	/* '0' is ignored with '-' and, for integers, whenever a precision is given. */
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += fill;
		fill = 0;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	for (int i = 0; i < np; i++)
		put(o, prefix[i]);
	pad(o, '0', zeros);
	while (nd > 0)
		put(o, digits[--nd]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

/* The va_list travels by pointer (after va_copy) so helpers can consume arguments portably. */
static intmax_t fetch_signed(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (signed char)va_arg(*ap, int);
	case LEN_H:
		return (short)va_arg(*ap, int);
	case LEN_L:
		return va_arg(*ap, long);
	case LEN_LL:
		return va_arg(*ap, long long);
	case LEN_Z:
		return (ptrdiff_t)va_arg(*ap, size_t); /* the signed type of size_t's width */
	case LEN_J:
		return va_arg(*ap, intmax_t);
	case LEN_T:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static uintmax_t fetch_unsigned(enum len_mod len, va_list *ap)
{
	switch (len) {
	case LEN_HH:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_H:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_L:
		return va_arg(*ap, unsigned long);
	case LEN_LL:
		return va_arg(*ap, unsigned long long);
	case LEN_Z:
		return va_arg(*ap, size_t);
	case LEN_J:
		return va_arg(*ap, uintmax_t);
	case LEN_T:
		return (size_t)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

/* Reads a decimal field, saturating instead of overflowing. */
static int parse_num(const char **p)
{
	int v = 0;

	while (**p >= '0' && **p <= '9') {
		int d = *(*p)++ - '0';
		v = v > (INT_MAX - d) / 10 ? INT_MAX : v * 10 + d;
	}
	return v;
}

/* Parses flags, width, precision and length after a '%'; leaves *p on the conversion. */
static void parse_spec(const char **p, struct spec *sp, va_list *ap)
{
	const char *f = *p;

	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else
			break;
	}

	if (*f == '*') {
		f++;
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { /* a negative '*' width means left alignment */
			sp->flags |= F_LEFT;
			sp->width = sp->width == INT_MIN ? INT_MAX : -sp->width;
		}
	} else {
		sp->width = parse_num(&f);
	}

	sp->prec = -1;
	if (*f == '.') {
		f++;
		if (*f == '*') {
			f++;
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0) /* a negative '*' precision counts as absent */
				sp->prec = -1;
		} else {
			sp->prec = parse_num(&f);
		}
	}

	sp->len = LEN_NONE;
	switch (*f) {
	case 'h':
		sp->len = f[1] == 'h' ? LEN_HH : LEN_H;
		f += sp->len == LEN_HH ? 2 : 1;
		break;
	case 'l':
		sp->len = f[1] == 'l' ? LEN_LL : LEN_L;
		f += sp->len == LEN_LL ? 2 : 1;
		break;
	case 'z':
		sp->len = LEN_Z;
		f++;
		break;
	case 'j':
		sp->len = LEN_J;
		f++;
		break;
	case 't':
		sp->len = LEN_T;
		f++;
		break;
	default:
		break;
	}
	sp->conv = *f;
	*p = f;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	struct spec sp;
	va_list args;

	va_copy(args, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		const char *start = fmt++;

		parse_spec(&fmt, &sp, &args);
		switch (sp.conv) {
		case 'd':
		case 'i': {
			intmax_t v = fetch_signed(sp.len, &args);
			char sign = v < 0		   ? '-'
				    : (sp.flags & F_PLUS)  ? '+'
				    : (sp.flags & F_SPACE) ? ' '
							   : 0;
			/* Negate in unsigned arithmetic so INTMAX_MIN works too. */
			emit_int(&o, &sp, v < 0 ? -(uintmax_t)v : (uintmax_t)v, sign);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			emit_int(&o, &sp, fetch_unsigned(sp.len, &args), 0);
			break;
		case 'p':
			emit_int(&o, &sp, (uintptr_t)va_arg(args, void *), 0);
			break;
		case 's':
			emit_str(&o, &sp, va_arg(args, const char *));
			break;
		case 'c': {
			int fill = sp.width > 1 ? sp.width - 1 : 0;

			if (!(sp.flags & F_LEFT))
				pad(&o, ' ', fill);
			put(&o, (char)va_arg(args, int));
			if (sp.flags & F_LEFT)
				pad(&o, ' ', fill);
			break;
		}
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: copy it out as written. */
			for (const char *s = start; s <= fmt && *s; s++)
				put(&o, *s);
			if (!*fmt)
				fmt--; /* let the loop see the terminating NUL */
			break;
		}
	}
	va_end(args);

	if (size > 0)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return o.len > INT_MAX ? -1 : (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
