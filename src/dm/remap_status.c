#include "dm/remap_status.h"

#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	size_t off;       /* in struct remap_status */
	size_t doff;      /* in struct remap_delta */
	bool counter;
} numbers[] = {
#define REMAP_X(f, c) { #f, offsetof(struct remap_status, f), offsetof(struct remap_delta, f), c },
	REMAP_STATUS_NUMBERS(REMAP_X)
#undef REMAP_X
};

_Static_assert(sizeof(numbers) / sizeof(numbers[0]) == REMAP_STATUS_NNUMBERS,
	       "REMAP_STATUS_NNUMBERS out of step with REMAP_STATUS_NUMBERS");
_Static_assert(3 + REMAP_STATUS_NNUMBERS + 2 == REMAP_STATUS_NTOKENS,
	       "28 tokens: tag, two paths, the numbers, state, mode");

/* Format tags whose layout is the 28-token one above. */
static const char *const known_tags[] = { REMAP_STATUS_TAG, NULL };

#define MAX_TOKENS 64

static uint64_t *num_at(struct remap_status *st, size_t i)
{
	return (uint64_t *)((char *)st + numbers[i].off);
}

static uint64_t num_get(const struct remap_status *st, size_t i)
{
	return *(const uint64_t *)((const char *)st + numbers[i].off);
}

/* Plain decimal, no sign, no blanks, no overflow. */
static bool parse_u64_strict(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned d;

		if (!isdigit((unsigned char)*s))
			return false;
		d = (unsigned)(*s - '0');
		if (x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

static bool is_u64(const char *s)
{
	uint64_t v;

	return parse_u64_strict(s, &v);
}

static bool tag_known(const char *tag)
{
	int i;

	for (i = 0; known_tags[i]; i++)
		if (strcmp(known_tags[i], tag) == 0)
			return true;
	return false;
}

/* Split on blanks; returns the number of tokens (only MAX_TOKENS stored). */
static size_t tokenize(char *s, char **tok)
{
	size_t n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(s, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
		if (n < MAX_TOKENS)
			tok[n] = t;
		n++;
	}
	return n;
}

static void unparsed(struct remap_status *st, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void unparsed(struct remap_status *st, const char *fmt, ...)
{
	va_list ap;

	free(st->main_device);
	free(st->spare_device);
	st->main_device = st->spare_device = NULL;
	st->format[0] = st->state[0] = st->mode[0] = '\0';
	for (size_t i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		*num_at(st, i) = 0;
	st->parsed = false;
	va_start(ap, fmt);
	vsnprintf(st->reason, sizeof(st->reason), fmt, ap);
	va_end(ap);
}

/* Tokens after the prefix, known to be the right count. 0 or -1 (no memory). */
static int parse_fields(struct remap_status *st, char **f)
{
	size_t i;

	snprintf(st->format, sizeof(st->format), "%s", f[0]);
	st->main_device = strdup(f[1]);
	st->spare_device = strdup(f[2]);
	if (!st->main_device || !st->spare_device)
		return -1;
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		if (!parse_u64_strict(f[3 + i], num_at(st, i))) {
			unparsed(st, "field %zu (%s) is not a number: '%.40s'", 4 + i,
				 numbers[i].name, f[3 + i]);
			return 0;
		}
	if (strcmp(f[26], "operational") && strcmp(f[26], "maintenance")) {
		unparsed(st, "field 27 is '%.40s' (expected operational or maintenance)", f[26]);
		return 0;
	}
	if (strcmp(f[27], "real") && strcmp(f[27], "demo")) {
		unparsed(st, "field 28 is '%.40s' (expected real or demo)", f[27]);
		return 0;
	}
	snprintf(st->state, sizeof(st->state), "%s", f[26]);
	snprintf(st->mode, sizeof(st->mode), "%s", f[27]);
	st->parsed = true;
	return 0;
}

int remap_status_parse(const char *line, struct remap_status *st)
{
	char *tok[MAX_TOKENS], *work;
	size_t n, first = 0, len;
	int rc;

	memset(st, 0, sizeof(*st));
	if (!line)
		line = "";
	len = strlen(line);
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	st->raw = strndup(line, len);
	work = strndup(line, len);
	if (!st->raw || !work) {
		free(work);
		remap_status_free(st);
		return -1;
	}
	n = tokenize(work, tok);
	if (n >= 3 && n <= MAX_TOKENS && is_u64(tok[0]) && is_u64(tok[1])) {
		st->has_prefix = true;
		parse_u64_strict(tok[0], &st->start);
		parse_u64_strict(tok[1], &st->length);
		snprintf(st->target_type, sizeof(st->target_type), "%s", tok[2]);
		first = 3;
	}
	rc = 0;
	if (n == 0)
		unparsed(st, "the status line is empty");
	else if (n == first)
		unparsed(st, "no fields after the target type %s", st->target_type);
	else if (n > MAX_TOKENS)
		unparsed(st, "expected 28 fields, found %zu", n - first);
	else if (!tag_known(tok[first]))
		unparsed(st, "unknown format tag '%.40s' (known: " REMAP_STATUS_TAG ")",
			 tok[first]);
	else if (n - first != REMAP_STATUS_NTOKENS)
		unparsed(st, "expected 28 fields%s, found %zu",
			 st->has_prefix ? " after the target type" : "", n - first);
	else
		rc = parse_fields(st, tok + first);
	free(work);
	if (rc) {
		remap_status_free(st);
		return -1;
	}
	return 0;
}

void remap_status_free(struct remap_status *st)
{
	free(st->raw);
	free(st->main_device);
	free(st->spare_device);
	st->raw = st->main_device = st->spare_device = NULL;
}

void remap_status_numbers(const struct remap_status *st,
			  struct remap_field out[REMAP_STATUS_NNUMBERS])
{
	size_t i;

	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		out[i] = (struct remap_field){ numbers[i].name, num_get(st, i), numbers[i].counter };
}

static json_t *json_u64(uint64_t v)
{
	/* jansson integers are signed 64-bit. */
	return v <= (uint64_t)INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

/* A JSON string even for bytes that are not UTF-8 (those become '?'). */
static json_t *json_text(const char *s)
{
	json_t *j = json_string(s ? s : "");
	char *copy, *p;

	if (j || !s)
		return j;
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

json_t *remap_status_json(const struct remap_status *st)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "parsed", json_boolean(st->parsed));
	json_object_set_new(o, "raw", json_text(st->raw));
	if (st->has_prefix) {
		json_object_set_new(o, "start", json_u64(st->start));
		json_object_set_new(o, "length", json_u64(st->length));
		json_object_set_new(o, "target_type", json_text(st->target_type));
	}
	if (!st->parsed) {
		json_object_set_new(o, "reason", json_text(st->reason));
		return o;
	}
	json_object_set_new(o, "format", json_string(st->format));
	json_object_set_new(o, "main_device", json_text(st->main_device));
	json_object_set_new(o, "spare_device", json_text(st->spare_device));
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		json_object_set_new(o, numbers[i].name, json_u64(num_get(st, i)));
	json_object_set_new(o, "state", json_string(st->state));
	json_object_set_new(o, "mode", json_string(st->mode));
	return o;
}

static int64_t diff(uint64_t before, uint64_t after)
{
	uint64_t d;

	if (after >= before) {
		d = after - before;
		return d > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)d;
	}
	d = before - after;
	return d > (uint64_t)INT64_MAX ? -INT64_MAX : -(int64_t)d;
}

int remap_status_delta(const struct remap_status *before, const struct remap_status *after,
		       struct remap_delta *d)
{
	size_t i;

	memset(d, 0, sizeof(*d));
	if (!before->parsed || !after->parsed) {
		snprintf(d->reason, sizeof(d->reason), "the %s status was not parsed",
			 !before->parsed ? "earlier" : "later");
		return -1;
	}
	if (strcmp(before->main_device, after->main_device) ||
	    strcmp(before->spare_device, after->spare_device)) {
		snprintf(d->reason, sizeof(d->reason), "the statuses are of different devices "
			 "(%.24s/%.24s, then %.24s/%.24s)", before->main_device,
			 before->spare_device, after->main_device, after->spare_device);
		return -1;
	}
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++) {
		int64_t v = diff(num_get(before, i), num_get(after, i));

		*(int64_t *)((char *)d + numbers[i].doff) = v;
		if (numbers[i].counter && v < 0)
			d->counters_reset = true;
	}
	d->valid = true;
	return 0;
}

json_t *remap_delta_json(const struct remap_delta *d)
{
	json_t *o = json_object();
	size_t i;

	if (!o)
		return NULL;
	json_object_set_new(o, "valid", json_boolean(d->valid));
	if (!d->valid) {
		json_object_set_new(o, "reason", json_text(d->reason));
		return o;
	}
	for (i = 0; i < REMAP_STATUS_NNUMBERS; i++)
		if (numbers[i].counter)
			json_object_set_new(o, numbers[i].name, json_integer(
				*(const int64_t *)((const char *)d + numbers[i].doff)));
	json_object_set_new(o, "counters_reset", json_boolean(d->counters_reset));
	return o;
}
