/*
 * The growable text buffer the SVG writer and the report build their
 * output in (sbuf.h): appends that stop after an allocation failure, and
 * XML escaping.
 */
#include "report/sbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- text buffer ---------------------------------------------------------- */

void sbuf_init(struct sbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void sbuf_free(struct sbuf *b)
{
	free(b->buf);
	sbuf_init(b);
}

static bool sbuf_reserve(struct sbuf *b, size_t extra)
{
	size_t need, cap;
	char *n;

	if (b->failed)
		return false;
	if (extra > SIZE_MAX / 2 - b->len) {
		b->failed = true;
		return false;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	n = realloc(b->buf, cap);
	if (!n) {
		b->failed = true;
		return false;
	}
	b->buf = n;
	b->cap = cap;
	return true;
}

void sbuf_addn(struct sbuf *b, const char *s, size_t n)
{
	if (!sbuf_reserve(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void sbuf_add(struct sbuf *b, const char *s)
{
	sbuf_addn(b, s, strlen(s));
}

void sbuf_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap, aq;
	int n;

	if (!sbuf_reserve(b, 64))
		return;
	va_start(ap, fmt);
	va_copy(aq, ap);
	n = vsnprintf(b->buf + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->buf[b->len] = '\0';
		va_end(aq);
		return;
	}
	if ((size_t)n >= b->cap - b->len) {
		if (!sbuf_reserve(b, (size_t)n)) {
			b->buf[b->len] = '\0';
			va_end(aq);
			return;
		}
		vsnprintf(b->buf + b->len, b->cap - b->len, fmt, aq);
	}
	va_end(aq);
	b->len += (size_t)n;
}

void sbuf_add_escaped(struct sbuf *b, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep;

		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default:
			/* Control characters are not allowed in XML 1.0 at all. */
			if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
				rep = " ";
			else
				continue;
		}
		sbuf_addn(b, run, (size_t)(s - run));
		sbuf_add(b, rep);
		run = s + 1;
	}
	sbuf_addn(b, run, (size_t)(s - run));
}

const char *sbuf_str(const struct sbuf *b)
{
	if (b->failed)
		return NULL;
	return b->buf ? b->buf : "";
}
