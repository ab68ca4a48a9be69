/*
 * fio beyond one plain document (real fio output in tests/fixtures, see
 * its README): the --status-interval stream, read as its last report with
 * the intervals of all of them, and json+ clat bins, read as a histogram
 * whose percentiles compare uses. Expected values are computed here from
 * the fixtures' text, independently of the loader.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compare/metrics.h"
#include "result/load.h"

#ifndef FIXTURES_DIR
#define FIXTURES_DIR "tests/fixtures"
#endif

#define MAX_REPORTS 16

static char *fixture_path(const char *name)
{
	const char *dir = getenv("DMRB_FIXTURES") ? getenv("DMRB_FIXTURES") : FIXTURES_DIR;
	char *p;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	ck_assert_msg(f, "cannot open %s", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = 0;
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static json_t *load(const char *path, char *err, size_t elen)
{
	return result_load(path, 0, err, elen);
}

/*
 * The reports of a stream, split where fio starts each document (a line
 * "{" followed by the "fio version" line), each parsed alone.
 */
static size_t split_reports(const char *text, json_t *out[MAX_REPORTS])
{
	const char *p = text, *start[MAX_REPORTS + 1];
	size_t n = 0, i;

	while ((p = strstr(p, "{\n  \"fio version\"")) != NULL) {
		ck_assert_uint_lt(n, MAX_REPORTS);
		start[n++] = p;
		p++;
	}
	start[n] = text + strlen(text);
	for (i = 0; i < n; i++) {
		json_error_t jerr;

		out[i] = json_loadb(start[i], (size_t)(start[i + 1] - start[i]), 0, &jerr);
		ck_assert_msg(out[i], "report %zu: %s", i + 1, jerr.text);
	}
	return n;
}

static json_t *job0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "jobs"), 0);
}

static double dnum(json_t *doc, const char *dir, const char *key)
{
	json_t *v = json_object_get(json_object_get(job0(doc), dir), key);

	ck_assert_msg(json_is_number(v), "no %s.%s", dir, key);
	return json_number_value(v);
}

/* ---- fio's histogram, computed from its definition (stat.h, stat.c) ------------- */

/* The bucket of fio's histogram (64 per power of two, exact below 128) holding v. */
static void fio_bucket(unsigned long long v, unsigned long long *lo, unsigned long long *w)
{
	int m = 63 - __builtin_clzll(v | 1);

	if (v < 128) {
		*lo = v;
		*w = 1;
		return;
	}
	*w = 1ULL << (m - 6);
	*lo = v / *w * *w;
}

/*
 * The value compare should report for percentile p of bins minus prev
 * (prev may be NULL): the middle of the bucket holding the sample of rank
 * ceil(p/100 * n), rounded down, within [mn, mx]. -1 when empty.
 */
static double expected_pct(json_t *bins, json_t *prev, double p, double mn, double mx)
{
	unsigned long long keys[4096], cnt[4096], n = 0, seen = 0, rank, lo, w, t;
	size_t nk = 0, i, j;
	const char *key;
	json_t *v;

	json_object_foreach(bins, key, v) {
		unsigned long long c = (unsigned long long)json_integer_value(v);

		if (prev)
			c -= (unsigned long long)json_integer_value(json_object_get(prev, key));
		if (!c)
			continue;
		ck_assert_uint_lt(nk, 4096);
		keys[nk] = strtoull(key, NULL, 10);
		cnt[nk++] = c;
		n += c;
	}
	if (!n)
		return -1;
	for (i = 1; i < nk; i++)
		for (j = i; j > 0 && keys[j - 1] > keys[j]; j--) {
			t = keys[j], keys[j] = keys[j - 1], keys[j - 1] = t;
			t = cnt[j], cnt[j] = cnt[j - 1], cnt[j - 1] = t;
		}
	rank = (unsigned long long)ceil(p / 100.0 * (double)n);
	for (i = 0; i < nk; i++) {
		seen += cnt[i];
		if (seen >= rank)
			break;
	}
	fio_bucket(keys[i], &lo, &w);
	return fmin(fmax((double)(lo + (w - 1) / 2), mn), mx);
}

static const struct metric *metric(const struct metric_set *s, const char *dir, const char *name)
{
	const struct metric *m = metrics_find(s, "all", dir, name);

	ck_assert_msg(m != NULL, "no metric %s %s", dir, name);
	return m;
}

/* ---- the --status-interval stream ---------------------------------------------- */

START_TEST(stream_last_is_result)
{
	char *path = fixture_path("fio-status-stream.json"), *text, err[1024];
	json_t *rep[MAX_REPORTS], *doc, *ours, *iv;
	struct metric_set ms;
	size_t len, n, i;
	double prev_rt = 0, prev_ops[2] = { 0, 0 };

	text = slurp(path, &len);
	n = split_reports(text, rep);
	ck_assert_uint_ge(n, 3);
	doc = load(path, err, sizeof(err));
	ck_assert_msg(doc, "%s", err);
	/* The result is the last report, whole. */
	ck_assert(json_equal(json_object_get(doc, "jobs"), json_object_get(rep[n - 1], "jobs")));
	ck_assert_str_eq(json_string_value(json_object_get(doc, "fio version")),
			 json_string_value(json_object_get(rep[n - 1], "fio version")));
	ours = json_object_get(doc, "dmremap-bench");
	ck_assert_int_eq(json_integer_value(json_object_get(ours, "fio_status_reports")), (int)n);
	iv = json_object_get(ours, "intervals");
	ck_assert_uint_eq(json_array_size(iv), n);
	/* Each interval: the difference of two consecutive reports. */
	for (i = 0; i < n; i++) {
		json_t *x = json_array_get(iv, i);
		double rt = json_number_value(json_object_get(job0(rep[i]), "job_runtime"));
		double len_s = (rt - prev_rt) / 1000;
		double ops[2] = { dnum(rep[i], "read", "total_ios"), dnum(rep[i], "write", "total_ios") };

		ck_assert_double_eq_tol(json_number_value(json_object_get(x, "t_s")), rt / 1000, 1e-9);
		ck_assert_double_eq_tol(json_number_value(json_object_get(x, "len_s")), len_s, 1e-9);
		ck_assert_double_eq_tol(json_number_value(json_object_get(x, "read_iops")) * len_s,
					ops[0] - prev_ops[0], 1e-3);
		ck_assert_double_eq_tol(json_number_value(json_object_get(x, "write_iops")) * len_s,
					ops[1] - prev_ops[1], 1e-3);
		ck_assert_int_eq(json_integer_value(json_object_get(x, "t_ns")),
				 json_integer_value(json_object_get(rep[i], "timestamp_ms")) * 1000000);
		/* Plain json has no bins: no interval latencies are made up. */
		ck_assert_ptr_null(json_object_get(x, "read_lat_ns"));
		prev_rt = rt;
		prev_ops[0] = ops[0];
		prev_ops[1] = ops[1];
	}
	/* compare takes its figures from the last report. */
	ck_assert_int_eq(metrics_from_doc(doc, &ms, err, sizeof(err)), 0);
	ck_assert_double_eq(metric(&ms, "read", "iops")->value, dnum(rep[n - 1], "read", "iops"));
	ck_assert_double_eq(metric(&ms, "write", "lat_p99")->value,
			    json_number_value(json_object_get(json_object_get(json_object_get(
				json_object_get(job0(rep[n - 1]), "write"), "clat_ns"), "percentile"),
				"99.000000")));
	metrics_free(&ms);
	for (i = 0; i < n; i++)
		json_decref(rep[i]);
	json_decref(doc);
	free(text);
	free(path);
}
END_TEST

/* json+ in a stream: each interval's latencies from the difference of the bins. */
START_TEST(stream_jsonplus_latencies)
{
	static const double pct[] = { 50, 99, 99.9 };
	static const char *const keys[] = { "p50", "p99", "p99.9" };
	char *path = fixture_path("fio-jsonplus-stream.json"), *text, err[1024];
	json_t *rep[MAX_REPORTS], *doc, *iv, *prev_bins = NULL;
	double prev_sum = 0, prev_n = 0;
	size_t len, n, i, k;

	text = slurp(path, &len);
	n = split_reports(text, rep);
	ck_assert_uint_ge(n, 2);
	doc = load(path, err, sizeof(err));
	ck_assert_msg(doc, "%s", err);
	iv = json_object_get(json_object_get(doc, "dmremap-bench"), "intervals");
	ck_assert_uint_eq(json_array_size(iv), n);
	for (i = 0; i < n; i++) {
		json_t *clat = json_object_get(json_object_get(job0(rep[i]), "read"), "clat_ns");
		json_t *bins = json_object_get(clat, "bins");
		json_t *lat = json_object_get(json_array_get(iv, i), "read_lat_ns");
		double nn = json_number_value(json_object_get(clat, "N"));
		double sum = json_number_value(json_object_get(clat, "mean")) * nn;

		ck_assert_msg(json_is_object(lat), "interval %zu has no read_lat_ns", i);
		for (k = 0; k < 3; k++)
			ck_assert_double_eq(json_number_value(json_object_get(lat, keys[k])),
					    expected_pct(bins, prev_bins, pct[k], 0, INFINITY));
		ck_assert_double_eq_tol(json_number_value(json_object_get(lat, "mean")),
					(sum - prev_sum) / (nn - prev_n), 1e-3);
		/* Reads only: the interval's p99 over both directions is the reads'. */
		ck_assert_double_eq(json_number_value(json_object_get(json_array_get(iv, i), "p99_ns")),
				    json_number_value(json_object_get(lat, "p99")));
		prev_bins = bins;
		prev_sum = sum;
		prev_n = nn;
	}
	for (i = 0; i < n; i++)
		json_decref(rep[i]);
	json_decref(doc);
	free(text);
	free(path);
}
END_TEST

/* ---- json+ bins as the percentiles' histogram ----------------------------------- */

START_TEST(jsonplus_percentiles_from_bins)
{
	static const char *const dirs[] = { "read", "write" };
	static const char *const names[] = { "lat_p50", "lat_p99", "lat_p99.9" };
	static const char *const fiokeys[] = { "50.000000", "99.000000", NULL };
	static const double pct[] = { 50, 99, 99.9 };
	char *path = fixture_path("fio-jsonplus.json"), err[1024];
	json_t *doc = load(path, err, sizeof(err));
	struct metric_set ms;
	size_t d, k;

	ck_assert_msg(doc, "%s", err);
	ck_assert_int_eq(metrics_from_doc(doc, &ms, err, sizeof(err)), 0);
	for (d = 0; d < 2; d++) {
		json_t *clat = json_object_get(json_object_get(job0(doc), dirs[d]), "clat_ns");
		json_t *bins = json_object_get(clat, "bins");
		double mn = json_number_value(json_object_get(clat, "min"));
		double mx = json_number_value(json_object_get(clat, "max"));

		ck_assert_msg(json_object_size(bins) > 10, "the fixture has no bins for %s", dirs[d]);
		/* fio was asked for no p99.9: only the bins can give it. */
		ck_assert_ptr_null(json_object_get(json_object_get(clat, "percentile"), "99.900000"));
		for (k = 0; k < 3; k++) {
			double v = metric(&ms, dirs[d], names[k])->value;
			unsigned long long lo, w, flo, fw;

			ck_assert_double_eq(v, expected_pct(bins, NULL, pct[k], mn, mx));
			if (!fiokeys[k])
				continue;
			/* The same bucket as fio's own percentile. */
			fio_bucket((unsigned long long)v, &lo, &w);
			fio_bucket((unsigned long long)json_number_value(json_object_get(
				json_object_get(clat, "percentile"), fiokeys[k])), &flo, &fw);
			ck_assert_msg(lo == flo && w == fw, "%s %s: %.0f is not in fio's bucket %llu+%llu",
				      dirs[d], names[k], v, flo, fw);
		}
		ck_assert_double_eq(metric(&ms, dirs[d], "lat_mean")->value,
				    json_number_value(json_object_get(clat, "mean")));
	}
	metrics_free(&ms);
	json_decref(doc);
	free(path);
}
END_TEST

/* Bins that are not fio's histogram are refused, naming what is wrong. */
START_TEST(jsonplus_bad_bins)
{
	static const struct {
		const char *key;
		json_int_t count;
		bool string;
		const char *want;
	} bad[] = {
		{ "14785", 1, false, "\"14785\" is not a bucket" },  /* not a bucket's middle */
		{ "-5", 1, false, "\"-5\" is not a bucket" },
		{ "12x", 1, false, "\"12x\" is not a bucket" },
		{ "100", -1, false, "not a whole number" },
		{ "100", 1, true, "not a whole number" },
		{ NULL, 0, false, "clat_ns.N says" },                  /* N no longer the sum */
	};
	char *path = fixture_path("fio-jsonplus.json"), err[1024];
	json_t *orig = load(path, err, sizeof(err));
	size_t i;

	ck_assert_msg(orig, "%s", err);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_deep_copy(orig);
		json_t *clat = json_object_get(json_object_get(job0(doc), "read"), "clat_ns");
		struct metric_set ms;

		if (!bad[i].key)
			json_object_set_new(clat, "N", json_integer(
				json_integer_value(json_object_get(clat, "N")) + 1));
		else
			json_object_set_new(json_object_get(clat, "bins"), bad[i].key,
					    bad[i].string ? json_string("1") : json_integer(bad[i].count));
		ck_assert_int_eq(metrics_from_doc(doc, &ms, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, bad[i].want) && strstr(err, "jobs[0].read"),
			      "case %zu: %s", i, err);
		json_decref(doc);
	}
	json_decref(orig);
	free(path);
}
END_TEST

/* ---- streams that cannot be read ------------------------------------------------ */

static char *write_tmp(const char *dir, const char *name, const char *data, size_t len)
{
	char *p;
	FILE *f;

	ck_assert_int_ge(asprintf(&p, "%s/%s", dir, name), 0);
	f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
	return p;
}

START_TEST(stream_bad)
{
	char *path = fixture_path("fio-status-stream.json"), *text, dir[] = "/tmp/dmrb-fio-XXXXXX";
	char *second, *last, *p, *mixed, err[1024];
	size_t len;
	json_t *doc;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	text = slurp(path, &len);
	second = strstr(text + 1, "{\n  \"fio version\"");
	ck_assert_ptr_nonnull(second);
	for (last = text; strstr(last + 1, "{\n  \"fio version\""); )
		last = strstr(last + 1, "{\n  \"fio version\"");

	/* Cut off in the last report: the run did not finish. */
	p = write_tmp(dir, "cut.json", text, len - 200);
	ck_assert_ptr_null(load(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, p) && strstr(err, "cut off"), "%s", err);
	unlink(p);
	free(p);

	/* Text between two reports. */
	ck_assert_int_ge(asprintf(&mixed, "%.*sfio: some warning\n%s", (int)(second - text), text,
				  second), 0);
	p = write_tmp(dir, "junk.json", mixed, strlen(mixed));
	ck_assert_ptr_null(load(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "report 2 is not valid JSON (line"), "%s", err);
	unlink(p);
	free(p);
	free(mixed);

	/* Another JSON document in the stream. */
	ck_assert_int_ge(asprintf(&mixed, "%.*s{\"tool\": \"x\"}\n%s", (int)(second - text), text,
				  second), 0);
	p = write_tmp(dir, "other.json", mixed, strlen(mixed));
	ck_assert_ptr_null(load(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "report 2") && strstr(err, "no fio JSON document"), "%s", err);
	unlink(p);
	free(p);
	free(mixed);

	/* The last report first: the reports go backwards. */
	ck_assert_int_ge(asprintf(&mixed, "%s%.*s", last, (int)(last - text), text), 0);
	p = write_tmp(dir, "backwards.json", mixed, strlen(mixed));
	ck_assert_ptr_null(load(p, err, sizeof(err)));
	ck_assert_msg(strstr(err, "goes backwards"), "%s", err);
	unlink(p);
	free(p);
	free(mixed);

	/* One report and white space: a plain document, no intervals made up. */
	p = write_tmp(dir, "one.json", last, strlen(last));
	doc = load(p, err, sizeof(err));
	ck_assert_msg(doc, "%s", err);
	ck_assert_ptr_null(json_object_get(doc, "dmremap-bench"));
	json_decref(doc);
	unlink(p);
	free(p);

	ck_assert_int_eq(rmdir(dir), 0);
	free(text);
	free(path);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("fio");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, stream_last_is_result);
	tcase_add_test(tc, stream_jsonplus_latencies);
	tcase_add_test(tc, jsonplus_percentiles_from_bins);
	tcase_add_test(tc, jsonplus_bad_bins);
	tcase_add_test(tc, stream_bad);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
