/*
 * parse_size, parse_duration, parse_u64 and cpulist_parse on arbitrary
 * text, and the format/parse round trips: whatever parses must print back
 * to a string that parses to the same value, and every size prints exactly.
 *
 * Input: the whole input is the text (cut at the first NUL, at most 64
 * bytes); its first 8 bytes are also a number to format, and its last
 * byte picks the output buffer length, so truncation is exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/cpulist.h"
#include "cli/units.h"
#include "util/timeutil.h"

#define MAX_TEXT 64
#define FMT_BUF 48

static void check(int cond)
{
	if (!cond)
		__builtin_trap();
}

/* Reference: a plain decimal number, at most 20 digits, that fits. */
static int ref_u64(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > UINT64_MAX)
			return -1;
	}
	*out = (uint64_t)v;
	return 0;
}

static void size_round_trip(uint64_t v)
{
	char buf[FMT_BUF];
	uint64_t back = ~v;

	format_size(v, buf, sizeof(buf));
	check(parse_size(buf, &back) == 0);
	check(back == v);
}

/* Durations print exactly down to the millisecond, truncating below. */
static void duration_round_trip(uint64_t ns)
{
	char buf[FMT_BUF];
	uint64_t back = ~ns;

	format_duration(ns, buf, sizeof(buf));
	check(parse_duration(buf, &back) == 0);
	check(back == ns - ns % NSEC_PER_MSEC);
}

/* A short buffer must hold a NUL-terminated prefix of the full text. */
static void truncated_formats(uint64_t v, size_t len)
{
	char full[FMT_BUF], buf[FMT_BUF];

	format_size(v, full, sizeof(full));
	memset(buf, 'x', sizeof(buf));
	format_size(v, buf, len);
	check(memchr(buf, '\0', len) != NULL);
	check(strncmp(buf, full, len - 1) == 0);

	format_duration(v, full, sizeof(full));
	memset(buf, 'x', sizeof(buf));
	format_duration(v, buf, len);
	check(memchr(buf, '\0', len) != NULL);
	check(strncmp(buf, full, len - 1) == 0);
}

static void parse_text(const char *s)
{
	uint64_t u = 0, ref = 0, sz = 0, d = 0;
	int ru = parse_u64(s, &u);

	/* parse_u64 is exactly "plain decimal that fits". */
	check((ru == 0) == (ref_u64(s, &ref) == 0));
	if (ru == 0) {
		uint64_t as_ns;

		check(u == ref);
		/* A plain number is also a size in bytes and a duration in seconds. */
		check(parse_size(s, &sz) == 0 && sz == u);
		if (__builtin_mul_overflow(u, NSEC_PER_SEC, &as_ns))
			check(parse_duration(s, &d) != 0);
		else
			check(parse_duration(s, &d) == 0 && d == as_ns);
	}
	if (parse_size(s, &sz) == 0)
		size_round_trip(sz);
	if (parse_duration(s, &d) == 0) {
		/* Every unit is a whole number of milliseconds: exact. */
		check(d % NSEC_PER_MSEC == 0);
		duration_round_trip(d);
	}
}

/*
 * A CPU list that parses is ascending and distinct, blames nothing, and its
 * canonical text parses to the same CPUs and prints the same again; one
 * that does not names an item of the input.
 */
static void cpulist_round_trip(const char *s)
{
	static struct cpulist cl, back;
	static char text[8192], again[8192];
	const char *bad = NULL;
	size_t badlen = 0;
	unsigned i;

	if (cpulist_parse(s, &cl, &bad, &badlen)) {
		check(cl.n == 0 && bad >= s && bad + badlen <= s + strlen(s));
		return;
	}
	check(cl.n >= 1 && cl.n <= CPULIST_MAX);
	for (i = 1; i < cl.n; i++)
		check(cl.cpu[i - 1] < cl.cpu[i]);
	cpulist_format(&cl, text, sizeof(text));
	check(cpulist_parse(text, &back, &bad, &badlen) == 0 && back.n == cl.n);
	check(memcmp(back.cpu, cl.cpu, cl.n * sizeof(cl.cpu[0])) == 0);
	cpulist_format(&back, again, sizeof(again));
	check(strcmp(text, again) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[MAX_TEXT + 1];
	size_t n = size < MAX_TEXT ? size : MAX_TEXT;
	uint64_t v = 0;

	memcpy(text, data, n);
	text[n] = '\0';
	parse_text(text);
	cpulist_round_trip(text);

	if (size >= sizeof(v)) {
		memcpy(&v, data, sizeof(v));
		size_round_trip(v);
		duration_round_trip(v);
		truncated_formats(v, 1 + data[size - 1] % FMT_BUF);
	}
	return 0;
}
