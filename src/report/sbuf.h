/*
 * A growable text buffer with XML escaping, in which the SVG writer
 * (svg.h, which includes this header) and the report build their output.
 */
#ifndef DMRB_SBUF_H
#define DMRB_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *buf;          /* NUL-terminated once anything was added */
	size_t len, cap;
	bool failed;        /* an allocation failed: later appends do nothing */
};

void sbuf_init(struct sbuf *b);
void sbuf_free(struct sbuf *b);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s with & < > " ' escaped: valid both as XML text and inside an attribute. */
void sbuf_add_escaped(struct sbuf *b, const char *s);
/* The contents ("" when empty); NULL after an allocation failure. */
const char *sbuf_str(const struct sbuf *b);

#endif
