#include "result/result_dump.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUMP_FLAGS (JSON_ENCODE_ANY | JSON_REAL_PRECISION(10))

/* Levels of containers in v: 0 for a scalar or an empty container. */
static unsigned nesting(const json_t *v)
{
	unsigned deepest = 0, n;
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		if (!json_object_size(v))
			return 0;
		json_object_foreach((json_t *)v, key, x)
			if ((n = nesting(x)) > deepest)
				deepest = n;
		return deepest + 1;
	}
	if (json_is_array(v)) {
		if (!json_array_size(v))
			return 0;
		json_array_foreach(v, i, x)
			if ((n = nesting(x)) > deepest)
				deepest = n;
		return deepest + 1;
	}
	return 0;
}

struct out {
	FILE *f;
	bool failed;
};

static void put_text(struct out *o, const char *s)
{
	if (!s) {
		o->failed = true;
		return;
	}
	if (fputs(s, o->f) == EOF)
		o->failed = true;
}

/* v on one line, "key": value separated by ", " and ": " as json_dumps() does. */
static void put_line(struct out *o, const json_t *v)
{
	char *s = json_dumps(v, DUMP_FLAGS);

	put_text(o, s);
	free(s);
}

static void put_indent(struct out *o, unsigned level)
{
	if (fprintf(o->f, "\n%*s", (int)(2 * level), "") < 0)
		o->failed = true;
}

/* A histogram: {"bits", "buckets"}, the buckets a string or (schema 1) [index, count] pairs. */
static bool is_histogram(const json_t *v)
{
	return json_is_object(v) && json_is_integer(json_object_get(v, "bits")) &&
	       (json_is_string(json_object_get(v, "buckets")) ||
		json_is_array(json_object_get(v, "buckets")));
}

static bool one_line_member(const json_t *v)
{
	char *s;
	bool fits;

	if (is_histogram(v))
		return true;
	if (nesting(v) > 1)
		return false;
	s = json_dumps(v, DUMP_FLAGS);
	fits = s && strlen(s) <= RESULT_DUMP_LINE;
	free(s);
	return fits;
}

static void put_value(struct out *o, const json_t *v, unsigned level, bool element)
{
	const char *key, *sep = "";
	json_t *x;
	size_t i;

	if (nesting(v) == 0 || (element ? nesting(v) <= 2 : one_line_member(v))) {
		put_line(o, v);
		return;
	}
	if (json_is_object(v)) {
		put_text(o, "{");
		json_object_foreach((json_t *)v, key, x) {
			json_t *k = json_string(key);
			char *ks = k ? json_dumps(k, DUMP_FLAGS) : NULL;

			put_text(o, sep);
			put_indent(o, level + 1);
			put_text(o, ks);
			put_text(o, ": ");
			free(ks);
			json_decref(k);
			put_value(o, x, level + 1, false);
			sep = ",";
		}
		put_indent(o, level);
		put_text(o, "}");
		return;
	}
	put_text(o, "[");
	json_array_foreach(v, i, x) {
		put_text(o, sep);
		put_indent(o, level + 1);
		put_value(o, x, level + 1, true);
		sep = ",";
	}
	put_indent(o, level);
	put_text(o, "]");
}

char *result_dumps(const json_t *doc)
{
	struct out o = { 0 };
	char *buf = NULL;
	size_t len = 0;

	if (!doc)
		return NULL;
	o.f = open_memstream(&buf, &len);
	if (!o.f)
		return NULL;
	put_value(&o, doc, 0, false);
	if (fclose(o.f) || o.failed) {
		free(buf);
		return NULL;
	}
	return buf;
}
