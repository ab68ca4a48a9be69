#include "result/result_csv.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const csv_rows_names[] = { "intervals", "summary", NULL };

struct csv {
	FILE *f;
	bool failed;
	bool row_started;
};

static void put(struct csv *c, const char *s)
{
	if (fputs(s, c->f) == EOF)
		c->failed = true;
}

static void sep(struct csv *c)
{
	if (c->row_started)
		put(c, ",");
	c->row_started = true;
}

static void end_row(struct csv *c)
{
	put(c, "\n");
	c->row_started = false;
}

/* A text field: quoted when it holds a comma, a quote, a line break or edge blanks. */
static void field_text(struct csv *c, const char *s)
{
	size_t n = strlen(s);

	sep(c);
	if (!strpbrk(s, ",\"\r\n") && !(n && (s[0] == ' ' || s[n - 1] == ' '))) {
		put(c, s);
		return;
	}
	put(c, "\"");
	for (; *s; s++) {
		if (*s == '"')
			put(c, "\"\"");
		else if (fputc(*s, c->f) == EOF)
			c->failed = true;
	}
	put(c, "\"");
}

/* A JSON value as a field: numbers as the document has them, null or missing empty. */
static void field(struct csv *c, json_t *v)
{
	char buf[64];

	if (json_is_string(v)) {
		field_text(c, json_string_value(v));
		return;
	}
	sep(c);
	if (json_is_integer(v))
		snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, sizeof(buf), "%.10g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, sizeof(buf), "%s", json_is_true(v) ? "true" : "false");
	else
		buf[0] = 0;
	put(c, buf);
}

static json_t *get(json_t *o, const char *a, const char *b)
{
	json_t *v = json_object_get(o, a);

	return b ? json_object_get(v, b) : v;
}

/* What the document is made of: the columns that tell its rows apart. */
struct shape {
	const char *part_key;       /* "steps", "phases" or NULL */
	const char *part_col;       /* "step", "phase" */
	bool device_col;            /* several devices, or a reference */
	json_t *devices;            /* the top-level devices (2 or more), or NULL */
	json_t *reference;          /* the reference node, or NULL */
};

static void shape_of(json_t *doc, struct shape *s)
{
	json_t *r = json_object_get(doc, "results");

	memset(s, 0, sizeof(*s));
	if (json_array_size(json_object_get(r, "steps"))) {
		s->part_key = "steps";
		s->part_col = "step";
	} else if (json_array_size(json_object_get(r, "phases"))) {
		s->part_key = "phases";
		s->part_col = "phase";
	}
	if (json_array_size(json_object_get(doc, "devices")) >= 2)
		s->devices = json_object_get(doc, "devices");
	if (json_is_object(get(doc, "reference", "results")))
		s->reference = json_object_get(doc, "reference");
	s->device_col = s->devices || s->reference;
}

/* The number of a step or phase: its "step"/"phase", else its place from 1. */
static void part_field(struct csv *c, const struct shape *s, json_t *part, size_t i)
{
	json_t *n = json_object_get(part, s->part_col);
	char buf[32];

	if (json_is_integer(n)) {
		field(c, n);
		return;
	}
	snprintf(buf, sizeof(buf), "%zu", i + 1);
	field_text(c, buf);
}

/* ---- one row per interval ------------------------------------------------------ */

static const char *const interval_cols[] = {
	"t_s", "len_s", "t_ns", "read_iops", "write_iops", "read_bw_bytes_per_s",
	"write_bw_bytes_per_s", "bw_bytes_per_s", "p99_ns", "errors", NULL,
};
static const char *const lat_keys[] = { "mean", "p50", "p99", "p99.9", NULL };

static void interval_header(struct csv *c, const struct shape *s)
{
	const char *const *k;
	char name[64];
	int d;

	field_text(c, "run");
	if (s->device_col)
		field_text(c, "device");
	if (s->part_key)
		field_text(c, s->part_col);
	for (k = interval_cols; *k; k++)
		field_text(c, *k);
	for (d = 0; d < 2; d++)
		for (k = lat_keys; *k; k++) {
			snprintf(name, sizeof(name), "%s_lat_%s_ns", d ? "write" : "read", *k);
			field_text(c, name);
		}
	end_row(c);
}

/*
 * The series of one node (a run's merged results, a device's, the
 * reference's). The steps or phases hold the same intervals, in the same
 * order: the i-th interval is in the part whose intervals cover place i.
 */
static void interval_rows(struct csv *c, const struct shape *s, json_t *results, json_t *device)
{
	json_t *ivs = json_object_get(results, "intervals"), *parts = NULL, *iv;
	json_t *zero = json_integer(0);
	size_t i, p = 0, in_part = 0, total = 0;
	const char *const *k;

	if (s->part_key) {
		json_t *x;

		parts = json_object_get(results, s->part_key);
		json_array_foreach(parts, i, x)
			total += json_array_size(json_object_get(x, "intervals"));
		if (total != json_array_size(ivs))
			parts = NULL;   /* not the same series: no part can be told */
	}
	json_array_foreach(ivs, i, iv) {
		json_t *run = json_object_get(iv, "run");
		int d;

		/* One run: intervals have no "run". */
		field(c, json_is_integer(run) ? run : zero);
		if (s->device_col)
			field(c, device);
		if (s->part_key) {
			while (parts && p < json_array_size(parts) &&
			       in_part >= json_array_size(json_object_get(json_array_get(parts, p),
									  "intervals"))) {
				p++;
				in_part = 0;
			}
			if (parts && p < json_array_size(parts))
				part_field(c, s, json_array_get(parts, p), p);
			else
				field(c, NULL);
			in_part++;
		}
		for (k = interval_cols; *k; k++)
			field(c, json_object_get(iv, *k));
		for (d = 0; d < 2; d++)
			for (k = lat_keys; *k; k++)
				field(c, get(iv, d ? "write_lat_ns" : "read_lat_ns", *k));
		end_row(c);
	}
	json_decref(zero);
}

static void intervals_csv(struct csv *c, json_t *doc, const struct shape *s)
{
	json_t *zero = json_integer(0), *label = json_string("reference"), *d;
	size_t i;

	interval_header(c, s);
	if (s->devices) {
		json_array_foreach(s->devices, i, d) {
			json_t *n = json_integer((json_int_t)i);

			interval_rows(c, s, json_object_get(d, "results"), n);
			json_decref(n);
		}
	} else {
		interval_rows(c, s, json_object_get(doc, "results"), zero);
	}
	if (s->reference)
		interval_rows(c, s, json_object_get(s->reference, "results"), label);
	json_decref(zero);
	json_decref(label);
}

/* ---- one row per node ------------------------------------------------------------ */

static const char *const dir_cols[] = {
	"ops", "bytes", "iops", "bw_bytes_per_s", NULL,
};
static const char *const dir_lat[] = {
	"min", "mean", "max", "p50", "p90", "p99", "p99.9", "p99.99", NULL,
};

static void summary_header(struct csv *c, const struct shape *s)
{
	static const char *const dirs[] = { "read", "write", "total" };
	const char *const *k;
	char name[64];
	int d;

	field_text(c, "run");
	if (s->device_col)
		field_text(c, "device");
	if (s->part_key)
		field_text(c, s->part_col);
	field_text(c, "stream");
	field_text(c, "duration_s");
	for (d = 0; d < 3; d++) {
		for (k = dir_cols; *k; k++) {
			snprintf(name, sizeof(name), "%s_%s", dirs[d], *k);
			field_text(c, name);
		}
		for (k = dir_lat; *k; k++) {
			snprintf(name, sizeof(name), "%s_lat_%s_ns", dirs[d], *k);
			field_text(c, name);
		}
	}
	field_text(c, "errors_io");
	field_text(c, "errors_short");
	field_text(c, "errors_verify");
	end_row(c);
}

/* The labels of a row: run, device, part, stream. */
struct labels {
	json_t *run, *device, *part, *stream;
};

static void summary_row(struct csv *c, const struct shape *s, const struct labels *l,
			json_t *node, json_t *duration)
{
	static const char *const dirs[] = { "read", "write", "total" };
	const char *const *k;
	int d;

	field(c, l->run);
	if (s->device_col)
		field(c, l->device);
	if (s->part_key)
		field(c, l->part);
	field(c, l->stream);
	field(c, duration);
	for (d = 0; d < 3; d++) {
		json_t *x = json_object_get(node, dirs[d]);

		for (k = dir_cols; *k; k++)
			field(c, json_object_get(x, *k));
		for (k = dir_lat; *k; k++)
			field(c, get(x, "lat_ns", *k));
	}
	field(c, get(node, "errors", "io"));
	field(c, get(node, "errors", "short"));
	field(c, get(node, "errors", "verify"));
	end_row(c);
}

/* A node's own row and its streams' (when more than one). */
static void node_and_streams(struct csv *c, const struct shape *s, struct labels l, json_t *node,
			     json_t *duration)
{
	json_t *streams = json_object_get(node, "streams"), *st, *all = json_string("all");
	size_t i;

	l.stream = all;
	summary_row(c, s, &l, node, duration);
	if (json_array_size(streams) > 1)
		json_array_foreach(streams, i, st) {
			l.stream = json_object_get(st, "name");
			summary_row(c, s, &l, st, duration);
		}
	json_decref(all);
}

/* The rows of one node: itself (part "all"), then each step or phase. */
static void summary_rows(struct csv *c, const struct shape *s, json_t *run, json_t *device,
			 json_t *results)
{
	json_t *all = json_string("all"), *x;
	struct labels l = { .run = run, .device = device, .part = all };
	size_t i;

	node_and_streams(c, s, l, results, json_object_get(results, "duration_s"));
	if (s->part_key)
		json_array_foreach(json_object_get(results, s->part_key), i, x) {
			json_t *n = json_object_get(x, s->part_col);
			json_t *num = json_is_integer(n) ? json_incref(n) : json_integer((json_int_t)i + 1);

			l.part = num;
			node_and_streams(c, s, l, x, json_object_get(x, "duration_s"));
			json_decref(num);
		}
	json_decref(all);
}

/* A run's rows: its devices, then their merge; or the run alone. */
static void run_rows(struct csv *c, const struct shape *s, json_t *run_label, json_t *node,
		     json_t *devices)
{
	json_t *all = json_string("all"), *zero = json_integer(0), *d;
	size_t i;

	if (s->devices && json_array_size(devices)) {
		json_array_foreach(devices, i, d) {
			json_t *n = json_integer((json_int_t)i);

			summary_rows(c, s, run_label, n, json_object_get(d, "results"));
			json_decref(n);
		}
		summary_rows(c, s, run_label, all, json_object_get(node, "results"));
	} else {
		summary_rows(c, s, run_label, zero, json_object_get(node, "results"));
	}
	json_decref(all);
	json_decref(zero);
}

static void summary_csv(struct csv *c, json_t *doc, const struct shape *s)
{
	json_t *runs = json_object_get(doc, "runs"), *all = json_string("all"), *r;
	json_t *zero = json_integer(0), *ref = json_string("reference");
	size_t i;

	summary_header(c, s);
	if (json_array_size(runs) >= 2) {
		json_array_foreach(runs, i, r) {
			json_t *idx = json_object_get(r, "index");
			json_t *n = json_is_integer(idx) ? json_incref(idx) : json_integer((json_int_t)i);

			run_rows(c, s, n, r, json_object_get(r, "devices"));
			json_decref(n);
		}
		run_rows(c, s, all, doc, s->devices);
	} else {
		run_rows(c, s, zero, doc, s->devices);
	}
	if (s->reference)
		summary_rows(c, s, json_array_size(runs) >= 2 ? all : zero, ref,
			     json_object_get(s->reference, "results"));
	json_decref(all);
	json_decref(zero);
	json_decref(ref);
}

/* ---- the text -------------------------------------------------------------------- */

/* Close the stream; its buffer (set by fclose) or NULL. */
static char *finish(struct csv *c, char **buf)
{
	if (fclose(c->f) || c->failed) {
		free(*buf);
		return NULL;
	}
	return *buf;
}

char *result_csv(json_t *doc, enum csv_rows rows)
{
	struct csv c = { 0 };
	struct shape s;
	char *buf = NULL;
	size_t len = 0;

	c.f = open_memstream(&buf, &len);
	if (!c.f)
		return NULL;
	shape_of(doc, &s);
	if (rows == CSV_SUMMARY)
		summary_csv(&c, doc, &s);
	else
		intervals_csv(&c, doc, &s);
	return finish(&c, &buf);
}

char *comparison_csv(json_t *comparison)
{
	static const char *const cols[] = {
		"group", "dir", "metric", "baseline", "run", "change_pct", "ci_low_pct",
		"ci_high_pct", "p_value", "p_adjusted", "tested", "gate", "baseline_n", "run_n",
		"spread_pct", "detectable_pct", "verdict", "reason", NULL,
	};
	const char *const *k;
	struct csv c = { 0 };
	char *buf = NULL;
	size_t len = 0, i;
	json_t *m;

	c.f = open_memstream(&buf, &len);
	if (!c.f)
		return NULL;
	for (k = cols; *k; k++)
		field_text(&c, *k);
	end_row(&c);
	json_array_foreach(json_object_get(comparison, "metrics"), i, m) {
		for (k = cols; *k; k++)
			field(&c, json_object_get(m, *k));
		end_row(&c);
	}
	return finish(&c, &buf);
}
