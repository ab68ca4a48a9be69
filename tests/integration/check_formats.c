/*
 * Output for other tools, end to end on scratch files in /dev/shm: the JSON
 * result with one line per interval; --output-format csv of the run
 * commands and of compare (header, rows, -o FILE and -o -, --csv-rows);
 * report --format csv and hdr (the default output name, the log read back
 * with the tests' own reader, tests/hdr/hdr_decode.c, its counts those of
 * the result).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../hdr/hdr_decode.h"
#include "runbin.h"

#define TAG "formats"

struct fx {
	char *dir;
	struct runbin_result r;
};

static void setup(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->dir = runbin_tmpdir(TAG);
	ck_assert_ptr_nonnull(f->dir);
}

static void teardown(struct fx *f)
{
	runbin_result_free(&f->r);
	runbin_rmtree(f->dir);
	free(f->dir);
}

static char *path(const struct fx *f, const char *name)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", f->dir, name), 0);
	return p;
}

/* Run the tool; args end with NULL. */
static void run(struct fx *f, const char *const *args)
{
	struct runbin_opts o = { .as_uid = -1, .timeout_ms = 60000 };

	runbin_result_free(&f->r);
	ck_assert_int_eq(runbin_run(args, &o, &f->r), 0);
}

/* A JSON file, parsed. */
static json_t *json_file(const char *p)
{
	char *text = runbin_slurp(p);
	json_t *doc = text ? runbin_json(text) : NULL;

	free(text);
	ck_assert_msg(doc != NULL, "%s: no JSON", p);
	return doc;
}

static size_t lines_starting(const char *text, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = text;

	while (p && *p) {
		n += !strncmp(p, prefix, len);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return n;
}

static size_t lines_with(const char *text, const char *needle)
{
	size_t n = 0;
	const char *p = text;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p = strchr(p, '\n');
		if (!p)
			break;
	}
	return n;
}

/* The i-th line (0-based) of text, malloc'd. */
static char *line(const char *text, size_t i)
{
	const char *p = text, *e;

	while (i-- && p)
		p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL;
	ck_assert_ptr_nonnull(p);
	e = strchr(p, '\n');
	return strndup(p, e ? (size_t)(e - p) : strlen(p));
}

#define SCRATCH "--scratch-dir", "/dev/shm", "--size", "64M", "--no-dm"

/* The JSON result: one line per interval, far fewer lines than indented JSON. */
START_TEST(json_one_line_per_interval)
{
	struct fx f;
	json_t *doc;

	setup(&f);
	run(&f, (const char *const[]){ "concurrency", "--duration", "3", "--ops", "8", SCRATCH,
		 "--output-format", "json", NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	doc = runbin_json(f.r.out);
	ck_assert_ptr_nonnull(doc);
	ck_assert_uint_eq(lines_starting(f.r.out, "      {\"t_s\": "),
			  json_array_size(runbin_jget(doc, "results.intervals")));
	/* Each histogram on its line: read, write, total, and the same of the stream. */
	ck_assert_uint_eq(lines_with(f.r.out, "\"lat_hist\": {\"bits\": 7, \"count\": "), 6);
	ck_assert_msg(runbin_count_lines(f.r.out) < 120, "%zu lines", runbin_count_lines(f.r.out));
	json_decref(doc);
	teardown(&f);
}
END_TEST

START_TEST(csv_run_commands)
{
	static const char *const header =
		"run,t_s,len_s,t_ns,read_iops,write_iops,read_bw_bytes_per_s,write_bw_bytes_per_s,"
		"bw_bytes_per_s,p99_ns,errors,read_lat_mean_ns,read_lat_p50_ns,read_lat_p99_ns,"
		"read_lat_p99.9_ns,write_lat_mean_ns,write_lat_p50_ns,write_lat_p99_ns,"
		"write_lat_p99.9_ns";
	struct fx f;
	char *csv, *text, *l;

	setup(&f);
	/* To standard output, like json. */
	run(&f, (const char *const[]){ "concurrency", "--duration", "3", "--ops", "8", SCRATCH,
		 "--output-format", "csv", NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	l = line(f.r.out, 0);
	ck_assert_str_eq(l, header);
	free(l);
	ck_assert_uint_eq(lines_starting(f.r.out, "0,"), 3);
	ck_assert_uint_eq(runbin_count_lines(f.r.out), 4);

	/* To a file: the summary still on stdout; -o - alone on stdout. */
	csv = path(&f, "r.csv");
	run(&f, (const char *const[]){ "concurrency", "--duration", "2", "--ops", "8", SCRATCH,
		 "--output-format", "csv", "--csv-rows", "summary", "--repeat", "2", "-o", csv,
		 NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	ck_assert_msg(strstr(f.r.out, "IOPS") || strstr(f.r.out, "iops"), "no summary: %s", f.r.out);
	text = runbin_slurp(csv);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(!strncmp(text, "run,stream,duration_s,read_ops,", 31), "%.80s", text);
	ck_assert_uint_eq(lines_starting(text, "0,all,"), 1);
	ck_assert_uint_eq(lines_starting(text, "1,all,"), 1);
	ck_assert_uint_eq(lines_starting(text, "all,all,"), 1);
	free(text);
	free(csv);

	/* Phases of workload mixed: a phase column. */
	run(&f, (const char *const[]){ "workload", "mixed", "--duration", "3", "--intensity",
		 "light", SCRATCH, "--output-format", "csv", "-o", "-", NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	ck_assert_msg(!strncmp(f.r.out, "run,phase,t_s,", 14), "%.80s", f.r.out);
	ck_assert_uint_ge(lines_starting(f.r.out, "0,1,"), 1);
	ck_assert_uint_ge(lines_starting(f.r.out, "0,3,"), 1);
	teardown(&f);
}
END_TEST

START_TEST(csv_compare_and_report)
{
	struct fx f;
	char *a = NULL, *b = NULL, *out = NULL, *text, *l;
	size_t nmetrics, i;
	json_t *doc, *ivs;

	setup(&f);
	a = path(&f, "a.json");
	b = path(&f, "b.json");
	run(&f, (const char *const[]){ "concurrency", "--duration", "2", "--ops", "8", SCRATCH,
		 "-q", "--output-format", "json", "-o", a, NULL });
	ck_assert_int_eq(f.r.status, 0);
	run(&f, (const char *const[]){ "concurrency", "--duration", "2", "--ops", "8", SCRATCH,
		 "-q", "--output-format", "json", "-o", b, NULL });
	ck_assert_int_eq(f.r.status, 0);

	run(&f, (const char *const[]){ "compare", a, b, "--output-format", "json", NULL });
	doc = runbin_json(f.r.out);
	ck_assert_ptr_nonnull(doc);
	nmetrics = json_array_size(runbin_jget(doc, "comparison.metrics"));
	json_decref(doc);
	run(&f, (const char *const[]){ "compare", a, b, "--output-format", "csv", NULL });
	ck_assert_msg(f.r.status == 0 || f.r.status == 1, "exit %d: %s", f.r.status, f.r.err);
	l = line(f.r.out, 0);
	ck_assert_str_eq(l, "group,dir,metric,baseline,run,change_pct,ci_low_pct,ci_high_pct,"
			 "p_value,p_adjusted,tested,gate,baseline_n,run_n,spread_pct,detectable_pct,"
			 "verdict,reason");
	free(l);
	ck_assert_uint_eq(lines_starting(f.r.out, "all,"), nmetrics);
	out = path(&f, "cmp.csv");
	run(&f, (const char *const[]){ "compare", a, b, "--output-format", "csv", "-o", out, NULL });
	text = runbin_slurp(out);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(lines_starting(text, "all,"), nmetrics);
	free(text);
	free(out);

	/* report --format csv: next to the result by default. */
	run(&f, (const char *const[]){ "report", "-q", "--format", "csv", a, NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	out = path(&f, "a.csv");
	text = runbin_slurp(out);
	ck_assert_ptr_nonnull(text);
	doc = json_file(a);
	ivs = runbin_jget(doc, "results.intervals");
	ck_assert_uint_eq(lines_starting(text, "0,"), json_array_size(ivs));
	for (i = 0; i < json_array_size(ivs); i++) {
		char want[64];

		snprintf(want, sizeof(want), "0,%.10g,", json_real_value(json_object_get(
			json_array_get(ivs, i), "t_s")));
		l = line(text, i + 1);
		ck_assert_msg(!strncmp(l, want, strlen(want)), "row %zu: %s, want %s...", i, l, want);
		free(l);
	}
	json_decref(doc);
	free(text);
	free(out);
	free(a);
	free(b);
	teardown(&f);
}
END_TEST

/* report --format hdr: the log next to the result, read back count for count. */
START_TEST(hdr_report)
{
	static const char *const dirs[] = { "total", "read", "write" };
	struct fx f;
	char *a, *hl, *text, err[256];
	struct hdr_log log;
	json_t *doc;
	int d;

	setup(&f);
	a = path(&f, "run.json");
	run(&f, (const char *const[]){ "concurrency", "--duration", "2", "--ops", "8", SCRATCH,
		 "-q", "--output-format", "json", "-o", a, NULL });
	ck_assert_int_eq(f.r.status, 0);
	run(&f, (const char *const[]){ "report", "--format", "hdr", a, NULL });
	ck_assert_msg(f.r.status == 0, "exit %d: %s", f.r.status, f.r.err);
	hl = path(&f, "run.hlog");
	ck_assert_msg(strstr(f.r.err, hl), "stderr does not say where: %s", f.r.err);
	text = runbin_slurp(hl);
	ck_assert_ptr_nonnull(text);
	ck_assert_msg(hdr_decode_log(text, &log, err, sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(log.version, "1.3");
	ck_assert_uint_eq(log.n, 3);
	doc = json_file(a);
	for (d = 0; d < 3; d++) {
		char p[64];

		ck_assert_str_eq(log.iv[d].tag, d ? dirs[d] : "");
		snprintf(p, sizeof(p), "results.%s.lat_hist.count", dirs[d]);
		ck_assert_int_eq((long long)log.iv[d].total,
				 json_integer_value(runbin_jget(doc, p)));
		snprintf(p, sizeof(p), "results.%s.ops", dirs[d]);
		ck_assert_int_eq((long long)log.iv[d].total, json_integer_value(runbin_jget(doc, p)));
		ck_assert_int_eq(log.iv[d].digits, 2);
	}
	hdr_log_free(&log);
	json_decref(doc);
	free(text);
	/* -o - writes it to standard output and says nothing else. */
	run(&f, (const char *const[]){ "report", "--format", "hdr", a, "-o", "-", NULL });
	ck_assert_int_eq(f.r.status, 0);
	ck_assert_msg(!strncmp(f.r.out, "#[Logged with dmremap-bench", 27), "%.80s", f.r.out);
	ck_assert_str_eq(f.r.err, "");
	free(hl);
	free(a);
	teardown(&f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("formats");
	TCase *tc = tcase_create("core");

	runbin_sweep(TAG);
	tcase_set_timeout(tc, 180);
	tcase_add_test(tc, json_one_line_per_interval);
	tcase_add_test(tc, csv_run_commands);
	tcase_add_test(tc, csv_compare_and_report);
	tcase_add_test(tc, hdr_report);
	suite_add_tcase(s, tc);
	return runbin_run_suite(s, TAG, NULL);
}
