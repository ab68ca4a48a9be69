#include "cli/units.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/timeutil.h"

/* Leading digits of s into *v; returns the rest, or NULL on overflow/none. */
static const char *parse_digits(const char *s, uint64_t *v)
{
	uint64_t acc = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return NULL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (acc > (UINT64_MAX - d) / 10)
			return NULL;
		acc = acc * 10 + d;
	}
	*v = acc;
	return p;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v;
	const char *rest;

	if (!s)
		return -1;
	rest = parse_digits(s, &v);
	if (!rest || *rest)
		return -1;
	*out = v;
	return 0;
}

static int mul_overflows(uint64_t a, uint64_t b, uint64_t *r)
{
	return __builtin_mul_overflow(a, b, r);
}

int parse_size(const char *s, uint64_t *out)
{
	static const struct { char c; unsigned shift; } units[] = {
		{ 'k', 10 }, { 'm', 20 }, { 'g', 30 }, { 't', 40 }, { 'p', 50 },
	};
	uint64_t v, r;
	unsigned shift = 0;
	const char *rest;

	if (!s)
		return -1;
	rest = parse_digits(s, &v);
	if (!rest)
		return -1;
	if (*rest) {
		size_t i;
		char c = (char)tolower((unsigned char)*rest);

		if (c == 'b' && rest[1] == '\0')
			rest++;
		else {
			for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
				if (units[i].c == c)
					break;
			if (i == sizeof(units) / sizeof(units[0]))
				return -1;
			shift = units[i].shift;
			rest++;
			/* Accept k, kb, kib (any case). */
			if (*rest == 'i' || *rest == 'I')
				rest++;
			if (*rest == 'b' || *rest == 'B')
				rest++;
		}
		if (*rest)
			return -1;
	}
	if (mul_overflows(v, 1ULL << shift, &r))
		return -1;
	*out = r;
	return 0;
}

int parse_duration(const char *s, uint64_t *out_ns)
{
	static const struct { const char *unit; uint64_t ns; } units[] = {
		{ "", NSEC_PER_SEC }, { "ms", NSEC_PER_MSEC }, { "s", NSEC_PER_SEC },
		{ "m", 60 * NSEC_PER_SEC }, { "h", 3600 * NSEC_PER_SEC },
		{ "d", 86400 * NSEC_PER_SEC },
	};
	uint64_t v, r;
	const char *rest;
	size_t i;

	if (!s)
		return -1;
	rest = parse_digits(s, &v);
	if (!rest)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(rest, units[i].unit) == 0) {
			if (mul_overflows(v, units[i].ns, &r))
				return -1;
			*out_ns = r;
			return 0;
		}
	}
	return -1;
}

void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char suffix[] = "KMGTP";
	int i;

	for (i = 4; i >= 0; i--) {
		uint64_t unit = 1ULL << (10 * (i + 1));

		if (bytes >= unit && bytes % unit == 0) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), suffix[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

void format_duration(uint64_t ns, char *buf, size_t len)
{
	if (ns % NSEC_PER_SEC) {
		snprintf(buf, len, "%llums", (unsigned long long)(ns / NSEC_PER_MSEC));
		return;
	}
	ns /= NSEC_PER_SEC;
	if (ns && ns % 3600 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(ns / 3600));
	else if (ns && ns % 60 == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(ns / 60));
	else
		snprintf(buf, len, "%llus", (unsigned long long)ns);
}
