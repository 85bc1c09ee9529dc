/* vsnprintf: the small printf subset documented in kstring.h. */
#include "kstring.h"
#include "types.h"

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

static void put_padded(struct out *o, const char *s, size_t n, int width, bool left, char pad)
{
	int fill = width > (int)n ? width - (int)n : 0;

	if (!left)
		while (fill-- > 0)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill-- > 0)
			put(o, ' ');
}

static size_t utoa(char *tmp, uint64_t v, unsigned base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t n = 0;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		bool left = false;
		char pad = ' ';
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int lng = 0;
		while (*fmt == 'l' || *fmt == 'z') {
			lng++;
			fmt++;
		}

		char tmp[24], rev[24];
		size_t n;
		uint64_t u;
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = lng ? va_arg(ap, long long) : va_arg(ap, int);
			bool neg = v < 0;
			u = neg ? -(uint64_t)v : (uint64_t)v;
			n = utoa(rev, u, 10, false);
			size_t k = 0;
			while (n)
				tmp[k++] = rev[--n];
			if (neg && pad == '0' && !left) {
				/* C99: zero padding goes between the sign and the digits. */
				put(&o, '-');
				put_padded(&o, tmp, k, width - 1, left, pad);
				break;
			}
			if (neg) {
				memmove(tmp + 1, tmp, k++);
				tmp[0] = '-';
			}
			put_padded(&o, tmp, k, width, left, pad);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'p': {
			if (*fmt == 'p')
				u = (uintptr_t)va_arg(ap, void *);
			else
				u = lng ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned int);
			unsigned base = *fmt == 'u' ? 10 : 16;
			n = utoa(rev, u, base, *fmt == 'X');
			size_t k = 0;
			if (*fmt == 'p') {
				tmp[k++] = '0';
				tmp[k++] = 'x';
			}
			while (n)
				tmp[k++] = rev[--n];
			put_padded(&o, tmp, k, width, left, pad);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(&o, s, strlen(s), width, left, ' ');
			break;
		}
		case 'c':
			tmp[0] = (char)va_arg(ap, int);
			put_padded(&o, tmp, 1, width, left, ' ');
			break;
		case '%':
			put(&o, '%');
			break;
		default:
			/* Unknown conversion: print it literally so the mistake is visible. */
			put(&o, '%');
			if (*fmt)
				put(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
