#include "util/log.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static const char *command_name;
static int quiet;

void log_set_command(const char *cmd) { command_name = cmd; }
void log_set_quiet(int q) { quiet = q; }

/* Length of the valid UTF-8 character at s (1 to 4), or 0 when it is not one. */
static size_t utf8_char_len(const unsigned char *s)
{
	unsigned cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond U+10FFFF are not UTF-8. */
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t log_quote(char *out, size_t len, const char *in)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t o = 0;

	if (!len)
		return 0;
	while (*s) {
		size_t n = utf8_char_len(s), i;
		char esc[20];

		/* C1 controls (U+0080-U+009F) drive terminals as ESC does. */
		if (n == 1 && *s >= 0x20 && *s != 0x7f) {
			esc[0] = (char)*s;
			esc[1] = '\0';
		} else if (n == 1) {
			if (*s == '\n' || *s == '\t' || *s == '\r' || *s == 0x1b)
				snprintf(esc, sizeof(esc), "\\%c", *s == '\n' ? 'n' : *s == '\t' ?
					 't' : *s == '\r' ? 'r' : 'e');
			else
				snprintf(esc, sizeof(esc), "\\x%02x", *s);
		} else if (n == 2 && s[0] == 0xc2 && s[1] < 0xa0) {
			snprintf(esc, sizeof(esc), "\\xc2\\x%02x", s[1]);
		} else if (n > 1) {
			memcpy(esc, s, n);
			esc[n] = '\0';
		} else {
			snprintf(esc, sizeof(esc), "\\x%02x", *s);  /* not UTF-8 */
			n = 1;
		}
		i = strlen(esc);
		if (o + i >= len)
			break;  /* whole characters and escapes only */
		memcpy(out + o, esc, i);
		o += i;
		s += n;
	}
	out[o] = '\0';
	return o;
}

static void vlog(const char *kind, const char *fmt, va_list ap)
{
	char line[1024], quoted[4096];

	if (vsnprintf(line, sizeof(line), fmt, ap) >= (int)sizeof(line))
		utf8_trim_partial(line);
	/* A value with a newline or ESC in it must not break the line or drive the terminal. */
	log_quote(quoted, sizeof(quoted), line);
	/* One write per message so concurrent lines never interleave. */
	if (command_name)
		fprintf(stderr, "dmremap-bench: %s: %s%s\n", command_name, kind, quoted);
	else
		fprintf(stderr, "dmremap-bench: %s%s\n", kind, quoted);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}
