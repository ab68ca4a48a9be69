/*
 * The text forms of a result: the layout of the JSON the tool writes
 * (result_dumps: the same values, one line per interval), CSV (the rows
 * and columns of dmremap-bench(1), OUTPUT), and the HdrHistogram interval
 * log of report --format hdr, read back with a reader of the tests' own
 * (tests/hdr/hdr_decode.c) and compared count for count.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../hdr/hdr_decode.h"
#include "report/hdrlog.h"
#include "result/hist_json.h"
#include "result/result_csv.h"
#include "result/result_dump.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

static json_t *fixture(const char *name)
{
	const char *dir = getenv("DMRB_FIXTURES") ? getenv("DMRB_FIXTURES") : FIXTURES_DIR;
	char path[4096];
	json_error_t jerr;
	json_t *doc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	doc = json_load_file(path, 0, &jerr);
	ck_assert_msg(doc, "%s: %s", path, jerr.text);
	return doc;
}

static size_t count_lines(const char *s)
{
	size_t n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The line of text that holds the first occurrence of needle. */
static char *line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *a, *b;

	if (!p)
		return NULL;
	for (a = p; a > text && a[-1] != '\n'; a--)
		;
	b = strchr(p, '\n');
	return strndup(a, b ? (size_t)(b - a) : strlen(a));
}

/* Every fixture comes back as the same JSON: only white space differs. */
START_TEST(test_dump_exact)
{
	static const char *const names[] = {
		"concurrency.json", "endurance.json", "scale.json", "mixed.json",
		"comparison.json", "fio-randrw-1job.json",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		json_t *doc = fixture(names[i]), *back, *before;
		char *text = result_dumps(doc);
		char *indented = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		json_error_t jerr;

		ck_assert_ptr_nonnull(text);
		back = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
		ck_assert_msg(back, "%s: the dump does not parse: %s (line %d)", names[i], jerr.text,
			      jerr.line);
		/* What the tool wrote before (10 significant digits for reals), value for value. */
		before = json_loads(indented, 0, &jerr);
		ck_assert_msg(json_equal(before, back), "%s: the dump differs from the document",
			      names[i]);
		json_decref(before);
		/* Same numbers as before, as text too: only white space went. */
		{
			size_t a = 0, b = 0;
			const char *p;

			for (p = text; *p; p++)
				a += !strchr(" \n", *p);
			for (p = indented; *p; p++)
				b += !strchr(" \n", *p);
			ck_assert_msg(a == b, "%s: %zu non-blank characters, json_dumps has %zu",
				      names[i], a, b);
		}
		ck_assert_msg(count_lines(text) < count_lines(indented), "%s: %zu lines, not fewer "
			      "than json_dumps' %zu", names[i], count_lines(text),
			      count_lines(indented));
		free(text);
		free(indented);
		json_decref(back);
		json_decref(doc);
	}
}
END_TEST

/* The layout: an interval per line, a histogram per line, the rest indented. */
START_TEST(test_dump_layout)
{
	json_t *doc = fixture("concurrency.json");
	json_t *iv = json_object_get(json_object_get(doc, "results"), "intervals");
	char *text = result_dumps(doc), *line, *first;
	size_t nint = json_array_size(iv), lines;

	ck_assert_ptr_nonnull(text);
	ck_assert_uint_gt(nint, 4);
	/* One line per interval, nested latencies included. */
	first = json_dumps(json_array_get(iv, 0), JSON_REAL_PRECISION(10));
	line = line_of(text, "\"t_s\"");
	ck_assert_ptr_nonnull(line);
	ck_assert_msg(strstr(line, "\"write_lat_ns\": {") && strstr(line, first),
		      "the first interval is not on one line: %s", line);
	free(line);
	free(first);
	/* A histogram is one line, its pairs included (schema 1 form here). */
	line = line_of(text, "\"lat_hist\"");
	ck_assert_msg(strstr(line, "\"bits\": 7") && strstr(line, "\"buckets\": [["),
		      "lat_hist spans lines: %s", line);
	free(line);
	/* Containers that nest deeper stay indented: "results" opens its own line. */
	line = line_of(text, "\"results\"");
	ck_assert_str_eq(line, "  \"results\": {");
	free(line);
	lines = count_lines(text);
	/* Every interval and every stream's directions: far from the thousands of before. */
	ck_assert_msg(lines < nint + 120, "%zu lines for %zu intervals", lines, nint);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(test_dump_small)
{
	json_t *doc = json_pack("{s:[], s:{}, s:{s:i, s:[i, i]}, s:[{s:{s:i}}, {s:{s:{s:i}}}]}",
				"empty", "none", "flat", "a", 1, "b", 2, 3,
				"list", "x", "y", 1, "x", "y", "z", 2);
	char *text = result_dumps(doc);

	ck_assert_ptr_nonnull(text);
	ck_assert_str_eq(text,
		"{\n"
		"  \"empty\": [],\n"
		"  \"none\": {},\n"
		"  \"flat\": {\n"
		"    \"a\": 1,\n"
		"    \"b\": [2, 3]\n"
		"  },\n"
		"  \"list\": [\n"
		"    {\"x\": {\"y\": 1}},\n"
		"    {\n"
		"      \"x\": {\n"
		"        \"y\": {\"z\": 2}\n"
		"      }\n"
		"    }\n"
		"  ]\n"
		"}");
	free(text);
	json_decref(doc);
	ck_assert_ptr_null(result_dumps(NULL));
}
END_TEST

/* ---- CSV ------------------------------------------------------------------------ */

struct csv_table {
	char ***rows;       /* rows[r][c], row 0 the header */
	size_t nrows, ncols;
};

/* RFC 4180: fields split at commas, quoted fields with "" for a quote. */
static void csv_parse(const char *text, struct csv_table *t)
{
	const char *p = text;

	memset(t, 0, sizeof(*t));
	while (*p) {
		char **row = NULL;
		size_t n = 0;

		for (;;) {
			char *f = malloc(strlen(p) + 1), *o = f;

			ck_assert_ptr_nonnull(f);
			if (*p == '"') {
				for (p++; *p && !(*p == '"' && p[1] != '"'); p++) {
					if (*p == '"')
						p++;
					*o++ = *p;
				}
				ck_assert_msg(*p == '"', "an unterminated quoted field");
				p++;
			} else {
				while (*p && *p != ',' && *p != '\n')
					*o++ = *p++;
			}
			*o = 0;
			row = realloc(row, (n + 1) * sizeof(*row));
			row[n++] = f;
			if (*p == ',') {
				p++;
				continue;
			}
			ck_assert_msg(*p == '\n', "a row does not end with a line break");
			p++;
			break;
		}
		if (!t->nrows)
			t->ncols = n;
		ck_assert_msg(n == t->ncols, "row %zu has %zu fields, the header %zu", t->nrows, n,
			      t->ncols);
		t->rows = realloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
		t->rows[t->nrows++] = row;
	}
}

static void csv_free(struct csv_table *t)
{
	size_t r, c;

	for (r = 0; r < t->nrows; r++) {
		for (c = 0; c < t->ncols; c++)
			free(t->rows[r][c]);
		free(t->rows[r]);
	}
	free(t->rows);
}

static int col(const struct csv_table *t, const char *name)
{
	size_t c;

	for (c = 0; c < t->ncols; c++)
		if (!strcmp(t->rows[0][c], name))
			return (int)c;
	return -1;
}

/* The field holds v as the document has it (10 significant digits, empty for none). */
static void field_is(const char *f, json_t *v, const char *what)
{
	if (!v || json_is_null(v)) {
		ck_assert_msg(!*f, "%s: \"%s\", want empty", what, f);
		return;
	}
	if (json_is_integer(v)) {
		ck_assert_msg(strtoll(f, NULL, 10) == json_integer_value(v) && *f, "%s: %s, want %"
			      JSON_INTEGER_FORMAT, what, f, json_integer_value(v));
		return;
	}
	if (json_is_string(v)) {
		ck_assert_msg(!strcmp(f, json_string_value(v)), "%s: %s, want %s", what, f,
			      json_string_value(v));
		return;
	}
	ck_assert_msg(*f && fabs(strtod(f, NULL) - json_number_value(v)) <=
		      1e-9 * fabs(json_number_value(v)), "%s: %s, want %.10g", what, f,
		      json_number_value(v));
}

static const char *const want_interval_header =
	"run,t_s,len_s,t_ns,read_iops,write_iops,read_bw_bytes_per_s,write_bw_bytes_per_s,"
	"bw_bytes_per_s,p99_ns,errors,read_lat_mean_ns,read_lat_p50_ns,read_lat_p99_ns,"
	"read_lat_p99.9_ns,write_lat_mean_ns,write_lat_p50_ns,write_lat_p99_ns,"
	"write_lat_p99.9_ns\n";

START_TEST(test_csv_intervals)
{
	static const char *const keys[] = { "t_s", "len_s", "read_iops", "write_iops",
		"bw_bytes_per_s", "p99_ns", "errors", NULL };
	json_t *doc = fixture("concurrency.json"), *ivs, *iv;
	char *text = result_csv(doc, CSV_INTERVALS);
	struct csv_table t;
	size_t i;
	int k;

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(!strncmp(text, want_interval_header, strlen(want_interval_header)),
		      "header: %.400s", text);
	csv_parse(text, &t);
	ivs = json_object_get(json_object_get(doc, "results"), "intervals");
	ck_assert_uint_eq(t.nrows - 1, json_array_size(ivs));
	json_array_foreach(ivs, i, iv) {
		char **row = t.rows[i + 1];

		ck_assert_str_eq(row[col(&t, "run")], "0");
		for (k = 0; keys[k]; k++)
			field_is(row[col(&t, keys[k])], json_object_get(iv, keys[k]), keys[k]);
		field_is(row[col(&t, "read_lat_p99.9_ns")],
			 json_object_get(json_object_get(iv, "read_lat_ns"), "p99.9"), "read p99.9");
		field_is(row[col(&t, "write_lat_mean_ns")],
			 json_object_get(json_object_get(iv, "write_lat_ns"), "mean"), "write mean");
		/* Schema 1 intervals have no t_ns: an empty field, not a 0. */
		ck_assert_str_eq(row[col(&t, "t_ns")], "");
	}
	csv_free(&t);
	free(text);
	json_decref(doc);
}
END_TEST

/* Steps and phases: a column that says which, the same series as results.intervals. */
START_TEST(test_csv_parts)
{
	static const char *const names[] = { "scale.json", "mixed.json" };
	static const char *const keys[] = { "steps", "phases" };
	static const char *const cols[] = { "step", "phase" };
	int f;

	for (f = 0; f < 2; f++) {
		json_t *doc = fixture(names[f]), *r = json_object_get(doc, "results"), *p;
		char *text = result_csv(doc, CSV_INTERVALS);
		struct csv_table t;
		size_t row = 1, i, j;
		int c;

		ck_assert_ptr_nonnull(text);
		csv_parse(text, &t);
		c = col(&t, cols[f]);
		ck_assert_int_eq(c, 1);
		ck_assert_uint_eq(t.nrows - 1, json_array_size(json_object_get(r, "intervals")));
		json_array_foreach(json_object_get(r, keys[f]), i, p)
			for (j = 0; j < json_array_size(json_object_get(p, "intervals")); j++, row++) {
				json_t *top = json_array_get(json_object_get(r, "intervals"), row - 1);

				field_is(t.rows[row][c], json_object_get(p, cols[f]), cols[f]);
				field_is(t.rows[row][col(&t, "t_s")], json_object_get(top, "t_s"), "t_s");
				field_is(t.rows[row][col(&t, "read_iops")],
					 json_object_get(json_array_get(json_object_get(p, "intervals"), j),
							 "read_iops"), "the part's read_iops");
			}
		ck_assert_uint_eq(row, t.nrows);
		csv_free(&t);
		free(text);
		json_decref(doc);
	}
}
END_TEST

START_TEST(test_csv_summary)
{
	json_t *doc = fixture("mixed.json"), *r, *ph;
	char *text;
	struct csv_table t;
	size_t i, row = 1, k;
	static const char *const lat[] = { "min", "mean", "max", "p50", "p90", "p99", "p99.9",
		"p99.99" };

	/* A stream name that needs quoting. */
	r = json_object_get(doc, "results");
	json_object_set_new(json_array_get(json_object_get(json_array_get(
		json_object_get(r, "phases"), 0), "streams"), 0), "name", json_string("a,\"b\""));
	text = result_csv(doc, CSV_SUMMARY);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(strstr(text, ",\"a,\"\"b\"\"\","), "not quoted: %s", text);
	csv_parse(text, &t);
	ck_assert_str_eq(t.rows[0][0], "run");
	ck_assert_str_eq(t.rows[0][1], "phase");
	ck_assert_str_eq(t.rows[0][2], "stream");
	ck_assert_str_eq(t.rows[0][3], "duration_s");
	ck_assert_int_eq(col(&t, "errors_verify"), (int)t.ncols - 1);
	ck_assert_uint_eq(t.ncols, 4 + 3 * 12 + 3);
	/* The whole run first, then each phase and its streams (when more than one). */
	ck_assert_str_eq(t.rows[1][1], "all");
	ck_assert_str_eq(t.rows[1][2], "all");
	field_is(t.rows[1][col(&t, "total_iops")], json_object_get(json_object_get(r, "total"),
		 "iops"), "total iops");
	for (k = 0; k < 8; k++) {
		char name[64];

		snprintf(name, sizeof(name), "read_lat_%s_ns", lat[k]);
		field_is(t.rows[1][col(&t, name)], json_object_get(json_object_get(json_object_get(
			 r, "read"), "lat_ns"), lat[k]), name);
	}
	json_array_foreach(json_object_get(r, "phases"), i, ph) {
		json_t *streams = json_object_get(ph, "streams"), *st;
		size_t j;

		row++;
		field_is(t.rows[row][1], json_object_get(ph, "phase"), "phase");
		ck_assert_str_eq(t.rows[row][2], "all");
		field_is(t.rows[row][col(&t, "write_ops")], json_object_get(json_object_get(ph,
			 "write"), "ops"), "phase write ops");
		if (json_array_size(streams) > 1)
			json_array_foreach(streams, j, st) {
				row++;
				field_is(t.rows[row][2], json_object_get(st, "name"), "stream");
				field_is(t.rows[row][col(&t, "read_bytes")], json_object_get(
					 json_object_get(st, "read"), "bytes"), "stream read bytes");
				field_is(t.rows[row][3], json_object_get(ph, "duration_s"), "duration");
			}
	}
	ck_assert_uint_eq(row + 1, t.nrows);
	csv_free(&t);
	free(text);
	json_decref(doc);
}
END_TEST

/* --repeat: one row per run, then their merge as run "all". */
START_TEST(test_csv_runs)
{
	json_t *doc = fixture("concurrency.json"), *r = json_object_get(doc, "results");
	json_t *runs = json_array(), *ivs = json_object_get(r, "intervals"), *iv;
	struct csv_table t;
	char *text;
	size_t i;

	for (i = 0; i < 2; i++) {
		json_t *rr = json_deep_copy(r);

		json_object_set_new(json_object_get(rr, "total"), "iops", json_real(1000.0 + (double)i));
		json_array_append_new(runs, json_pack("{s:I, s:o}", "index", (json_int_t)i, "results", rr));
	}
	json_object_set_new(doc, "runs", runs);
	json_array_foreach(ivs, i, iv)
		json_object_set_new(iv, "run", json_integer((json_int_t)(i % 2)));
	text = result_csv(doc, CSV_SUMMARY);
	csv_parse(text, &t);
	ck_assert_uint_eq(t.nrows, 4);
	ck_assert_str_eq(t.rows[1][0], "0");
	ck_assert_str_eq(t.rows[2][0], "1");
	ck_assert_str_eq(t.rows[3][0], "all");
	ck_assert_str_eq(t.rows[2][col(&t, "total_iops")], "1001");
	csv_free(&t);
	free(text);
	text = result_csv(doc, CSV_INTERVALS);
	csv_parse(text, &t);
	ck_assert_str_eq(t.rows[1][0], "0");
	ck_assert_str_eq(t.rows[2][0], "1");
	csv_free(&t);
	free(text);
	json_decref(doc);
}
END_TEST

START_TEST(test_csv_comparison)
{
	json_t *doc = fixture("comparison.json"), *cmp = json_object_get(doc, "comparison"), *m;
	char *text = comparison_csv(cmp);
	struct csv_table t;
	size_t i;

	ck_assert_ptr_nonnull(text);
	ck_assert_msg(!strncmp(text, "group,dir,metric,baseline,run,change_pct,ci_low_pct,"
			       "ci_high_pct,p_value,p_adjusted,tested,gate,baseline_n,run_n,"
			       "spread_pct,detectable_pct,verdict,reason\n", 120), "%.200s", text);
	csv_parse(text, &t);
	ck_assert_uint_gt(json_array_size(json_object_get(cmp, "metrics")), 3);
	ck_assert_uint_eq(t.nrows - 1, json_array_size(json_object_get(cmp, "metrics")));
	json_array_foreach(json_object_get(cmp, "metrics"), i, m) {
		field_is(t.rows[i + 1][col(&t, "metric")], json_object_get(m, "metric"), "metric");
		field_is(t.rows[i + 1][col(&t, "change_pct")], json_object_get(m, "change_pct"),
			 "change");
		field_is(t.rows[i + 1][col(&t, "verdict")], json_object_get(m, "verdict"), "verdict");
	}
	csv_free(&t);
	free(text);
	json_decref(doc);
}
END_TEST

/* ---- HdrHistogram interval log ------------------------------------------------------ */

static void decode(json_t *doc, struct hdr_log *log)
{
	struct sbuf b;
	char err[512];

	sbuf_init(&b);
	ck_assert_msg(hdr_log(doc, "test.json", &b, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(hdr_decode_log(sbuf_str(&b), log, err, sizeof(err)) == 0, "%s", err);
	sbuf_free(&b);
}

/* counts of the log's histogram equal those of lat_hist, index for index. */
static void same_counts(const struct hdr_interval *iv, json_t *dir)
{
	struct hist h;
	char err[256];
	size_t i;

	ck_assert_msg(hist_from_json(json_object_get(dir, "lat_hist"), json_object_get(dir, "lat_ns"),
				     &h, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(iv->digits, 2);
	ck_assert_uint_eq(iv->highest, (1ULL << 42) - 1);
	ck_assert_double_eq(iv->ratio, 1.0);
	ck_assert_uint_eq(iv->ncounts, h.nbuckets);
	ck_assert_uint_eq(iv->total, h.count);
	for (i = 0; i < iv->ncounts; i++)
		ck_assert_msg(iv->counts[i] == h.buckets[i], "bucket %zu: %llu in the log, %llu in the "
			      "result", i, (unsigned long long)iv->counts[i],
			      (unsigned long long)h.buckets[i]);
	ck_assert_double_eq_tol(iv->max, (double)h.max / 1e6, 0.0005);
	hist_free(&h);
}

/* HdrHistogram's layouts are ours: d digits <-> bits, index for index. */
START_TEST(test_hdr_layouts)
{
	static const unsigned want_bits[] = { 0, 4, 7, 10, 14, 17 };
	unsigned bits, tb;
	int d, digits;
	bool exact;

	for (d = 1; d <= 5; d++) {
		struct hist h;
		uint64_t v;
		int m;

		ck_assert_int_eq(hdr_layout(want_bits[d], &digits, &tb, &exact), 0);
		ck_assert(exact && digits == d && tb == want_bits[d]);
		if (want_bits[d] > 16)
			continue;
		ck_assert_int_eq(hist_init(&h, want_bits[d]), 0);
		ck_assert_uint_eq(hdr_counts_length(d, HDR_HIGHEST_TRACKABLE), h.nbuckets);
		for (m = 0; m < HIST_MAX_MAGNITUDE; m++)
			for (v = (1ULL << m) - 1; v <= (1ULL << m) + 1; v++)
				ck_assert_msg(hdr_index(d, v) == hist_index(&h, v), "d %d, value %llu: "
					      "HdrHistogram index %zu, ours %u", d, (unsigned long long)v,
					      hdr_index(d, v), hist_index(&h, v));
		for (v = 1; v < (1ULL << 42); v = v * 3 + 1)
			ck_assert_uint_eq(hdr_index(d, v), hist_index(&h, v));
		hist_free(&h);
	}
	/* No layout is ours: the next finer one. */
	for (bits = 1; bits <= 17; bits++) {
		ck_assert_int_eq(hdr_layout(bits, &digits, &tb, &exact), 0);
		ck_assert(tb >= bits && exact == (tb == bits));
	}
	ck_assert_int_eq(hdr_layout(5, &digits, &tb, &exact), 0);
	ck_assert(!exact && digits == 2 && tb == 7);
	ck_assert_int_eq(hdr_layout(18, &digits, &tb, &exact), -1);
}
END_TEST

/* A run's histograms (7 bits): every count where it was. */
START_TEST(test_hdr_run_exact)
{
	json_t *doc = fixture("concurrency.json"), *r = json_object_get(doc, "results");
	struct hdr_log log;
	struct tm tm = { 0 };

	decode(doc, &log);
	ck_assert_str_eq(log.version, "1.3");
	ck_assert_ptr_nonnull(strptime(json_string_value(json_object_get(json_object_get(doc,
		"environment"), "start_time")), "%Y-%m-%dT%H:%M:%SZ", &tm));
	ck_assert_double_eq(log.start_time, (double)timegm(&tm));
	ck_assert_double_eq(log.base_time, (double)timegm(&tm));
	ck_assert_uint_eq(log.n, 3);
	ck_assert_str_eq(log.iv[0].tag, "");
	ck_assert_str_eq(log.iv[1].tag, "read");
	ck_assert_str_eq(log.iv[2].tag, "write");
	same_counts(&log.iv[0], json_object_get(r, "total"));
	same_counts(&log.iv[1], json_object_get(r, "read"));
	same_counts(&log.iv[2], json_object_get(r, "write"));
	/* After the ramp, as long as the measured window. */
	ck_assert_double_eq_tol(log.iv[0].start_s, json_number_value(json_object_get(
		json_object_get(doc, "params"), "ramp_s")), 0.0005);
	ck_assert_double_eq_tol(log.iv[0].len_s, json_number_value(json_object_get(r, "duration_s")),
				0.0005);
	ck_assert_ptr_null(strstr(log.comments, "significant digits"));
	hdr_log_free(&log);
	json_decref(doc);
}
END_TEST

/* Phases one after the other, each with its own histograms. */
START_TEST(test_hdr_phases)
{
	json_t *doc = fixture("mixed.json"), *ph;
	struct hdr_log log;
	double start = 0;
	size_t i, k = 0;

	decode(doc, &log);
	json_array_foreach(json_object_get(json_object_get(doc, "results"), "phases"), i, ph) {
		const char *dirs[] = { "total", "read", "write" };
		int d;

		if (!i)
			start = log.iv[0].start_s;
		for (d = 0; d < 3; d++) {
			if (d && !json_integer_value(json_object_get(json_object_get(ph, dirs[d]), "ops")))
				continue;
			ck_assert_uint_lt(k, log.n);
			ck_assert_str_eq(log.iv[k].tag, d ? dirs[d] : "");
			ck_assert_double_eq_tol(log.iv[k].start_s, start, 0.0015);
			same_counts(&log.iv[k], json_object_get(ph, dirs[d]));
			k++;
		}
		start += json_number_value(json_object_get(ph, "duration_s"));
	}
	ck_assert_uint_eq(k, log.n);
	hdr_log_free(&log);
	json_decref(doc);
}
END_TEST

/*
 * Interval histograms of 5 bits: no HdrHistogram layout is theirs; each
 * count goes into the 7-bit bucket that holds the middle of its own.
 */
START_TEST(test_hdr_intervals_inexact)
{
	json_t *doc = json_pack("{s:s, s:s, s:{s:f}, s:{s:s}, s:{s:[]}}", "tool", "dmremap-bench",
				"command", "concurrency", "params", "ramp_s", 0.0, "environment",
				"start_time", "2026-12-05T10:00:00Z", "results", "intervals");
	json_t *ivs = json_object_get(json_object_get(doc, "results"), "intervals");
	struct hist src[3][2], fine;
	struct hdr_log log;
	uint64_t seed = 12345;
	size_t i, j, d, n;
	struct tm tm = { 0 };
	long long base;

	ck_assert_ptr_nonnull(strptime("2026-12-05T10:00:00Z", "%Y-%m-%dT%H:%M:%SZ", &tm));
	base = (long long)timegm(&tm);

	for (i = 0; i < 3; i++) {
		json_t *lh = json_object();

		for (d = 0; d < 2; d++) {
			ck_assert_int_eq(hist_init(&src[i][d], 5), 0);
			for (n = 0; n < 5000; n++) {
				seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
				hist_record(&src[i][d], 1000 + (seed >> 33) % (200000 * (d + 1)));
			}
			json_object_set_new(lh, d ? "write" : "read", hist_json(&src[i][d]));
		}
		json_array_append_new(ivs, json_pack("{s:f, s:f, s:I, s:o}", "t_s", 1.0 + (double)i,
			"len_s", 1.0, "t_ns", (json_int_t)(base + 1 + (long long)i) * 1000000000LL,
			"lat_hist", lh));
	}
	decode(doc, &log);
	ck_assert_msg(strstr(log.comments, "5-bit histograms written with 2 significant digits"),
		      "%s", log.comments);
	ck_assert_uint_eq(log.n, 9);
	ck_assert_int_eq(hist_init(&fine, 7), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_double_eq_tol(log.iv[3 * i].start_s, (double)i, 0.0005);
		for (d = 0; d < 3; d++) {
			const struct hdr_interval *iv = &log.iv[3 * i + d];
			uint64_t *want = calloc(fine.nbuckets, sizeof(uint64_t));
			size_t dd;

			for (dd = 0; dd < 2; dd++) {
				if (d && dd != d - 1)
					continue;
				for (j = 0; j < src[i][dd].nbuckets; j++)
					if (src[i][dd].buckets[j]) {
						uint64_t lo, w;

						hist_bucket_range(&src[i][dd], (uint32_t)j, &lo, &w);
						want[hist_index(&fine, lo + (w - 1) / 2)] +=
							src[i][dd].buckets[j];
					}
			}
			ck_assert_int_eq(iv->digits, 2);
			for (j = 0; j < fine.nbuckets; j++)
				ck_assert_msg(iv->counts[j] == want[j], "interval %zu, %s, bucket %zu: "
					      "%llu, want %llu", i, iv->tag, j,
					      (unsigned long long)iv->counts[j],
					      (unsigned long long)want[j]);
			ck_assert_uint_eq(iv->total, d ? 5000 : 10000);
			free(want);
		}
		hist_free(&src[i][0]);
		hist_free(&src[i][1]);
	}
	hist_free(&fine);
	hdr_log_free(&log);
	json_decref(doc);
}
END_TEST

/* Counts of any size: LEB128 up to its ninth byte, runs of zeros. */
START_TEST(test_hdr_big_counts)
{
	static const uint64_t counts[] = { 1, 127, 128, 1ULL << 35, (1ULL << 56) + 3, 1ULL << 62 };
	struct hist h;
	struct hdr_log log;
	struct sbuf b;
	char err[256], *line;
	bool exact;
	size_t i;

	ck_assert_int_eq(hist_init(&h, 7), 0);
	for (i = 0; i < 6; i++)
		h.buckets[i * 700 + 3] = counts[i];
	h.count = 1;  /* not used by the encoding */
	line = hdr_encode_base64(&h, &exact);
	ck_assert(line && exact);
	sbuf_init(&b);
	sbuf_printf(&b, "#[Histogram log format version 1.3]\n0.000,1.000,1.000,%s\n", line);
	ck_assert_msg(hdr_decode_log(sbuf_str(&b), &log, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(log.n, 1);
	for (i = 0; i < h.nbuckets; i++)
		ck_assert_uint_eq(log.iv[0].counts[i], h.buckets[i]);
	hdr_log_free(&log);
	sbuf_free(&b);
	free(line);
	hist_free(&h);
}
END_TEST

START_TEST(test_hdr_no_histogram)
{
	json_t *doc = json_pack("{s:{s:f, s:{s:i}}}", "results", "duration_s", 1.0, "read", "ops", 1);
	struct sbuf b;
	char err[256];

	sbuf_init(&b);
	ck_assert_int_eq(hdr_log(doc, "x.json", &b, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "no latency histogram"), "%s", err);
	sbuf_free(&b);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_dump_exact);
	tcase_add_test(tc, test_dump_layout);
	tcase_add_test(tc, test_dump_small);
	tcase_add_test(tc, test_csv_intervals);
	tcase_add_test(tc, test_csv_parts);
	tcase_add_test(tc, test_csv_summary);
	tcase_add_test(tc, test_csv_runs);
	tcase_add_test(tc, test_csv_comparison);
	tcase_add_test(tc, test_hdr_layouts);
	tcase_add_test(tc, test_hdr_run_exact);
	tcase_add_test(tc, test_hdr_phases);
	tcase_add_test(tc, test_hdr_intervals_inexact);
	tcase_add_test(tc, test_hdr_big_counts);
	tcase_add_test(tc, test_hdr_no_histogram);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
