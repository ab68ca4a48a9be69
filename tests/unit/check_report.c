/*
 * Report extraction on real result files (tests/fixtures): which charts a
 * document yields, series that match the document's intervals, percentile
 * curves that agree with the recorded percentiles, the endurance drift
 * line, scale steps, workload phases, comparison bars, and the HTML page.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/report.h"

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

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static const struct report_chart *chart(const struct report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->ncharts; i++)
		if (strcmp(r->charts[i].id, id) == 0)
			return &r->charts[i];
	return NULL;
}

static const struct svg_series *series(const struct report_chart *c, const char *name)
{
	size_t i;

	for (i = 0; c && i < c->chart.nseries; i++)
		if (strcmp(c->chart.series[i].name, name) == 0)
			return &c->chart.series[i];
	return NULL;
}

static void build(struct report *r, json_t *doc, json_t *base, const char *label)
{
	char err[1024] = "";

	ck_assert_msg(report_build(r, doc, base, label, err, sizeof(err)) == 0, "%s", err);
}

static void expect_ids(const struct report *r, const char *const *ids, size_t n)
{
	size_t i;

	ck_assert_msg(r->ncharts == n, "%zu charts, want %zu", r->ncharts, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(r->charts[i].id, ids[i]);
}

/* Intervals the report draws: all but those shorter than half the sampling interval. */
static size_t usable(json_t *doc, double **t)
{
	json_t *iv = json_object_get(json_object_get(doc, "results"), "intervals"), *e;
	double nominal = num(json_object_get(doc, "params"), "interval_s");
	size_t i, n = 0;

	*t = calloc(json_array_size(iv) + 1, sizeof(double));
	json_array_foreach(iv, i, e)
		if (num(e, "len_s") >= 0.5 * nominal)
			(*t)[n++] = num(e, "t_s");
	return n;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (hay = strstr(hay, needle); hay; hay = strstr(hay + 1, needle))
		n++;
	return n;
}

START_TEST(test_concurrency)
{
	static const char *const ids[] = { "throughput", "bandwidth", "latency", "percentiles" };
	json_t *doc = fixture("concurrency.json"), *iv;
	const struct report_chart *c;
	const struct svg_series *s;
	struct report r;
	double *t;
	size_t n, i;

	build(&r, doc, NULL, NULL);
	expect_ids(&r, ids, 4);
	c = chart(&r, "throughput");
	n = usable(doc, &t);
	ck_assert_uint_gt(n, 5);
	iv = json_object_get(json_object_get(doc, "results"), "intervals");
	ck_assert_uint_lt(n, json_array_size(iv) + 1);
	ck_assert_ptr_nonnull(s = series(c, "read"));
	ck_assert_uint_eq(s->n, n);
	for (i = 0; i < n; i++)
		ck_assert_double_eq(s->x[i], t[i]);
	ck_assert_double_eq(s->y[0], num(json_array_get(iv, 0), "read_iops"));
	ck_assert_ptr_nonnull(s = series(c, "total"));
	ck_assert_double_eq_tol(s->y[0], num(json_array_get(iv, 0), "read_iops") +
				num(json_array_get(iv, 0), "write_iops"), 1e-6);
	ck_assert_ptr_nonnull(series(c, "write"));
	/* The ramp (params.ramp_s) is shaded before t = 0. */
	ck_assert_uint_eq(c->chart.nregions, 1);
	ck_assert_double_eq(c->chart.regions[0].x0, -num(json_object_get(doc, "params"), "ramp_s"));
	ck_assert_double_eq(c->chart.regions[0].x1, 0);
	ck_assert_uint_eq(c->chart.nmarkers, 0);
	ck_assert_uint_eq(chart(&r, "latency")->chart.nseries, 4);
	ck_assert_ptr_null(series(chart(&r, "latency"), "p99 trend"));
	ck_assert_ptr_null(r.comparison);
	free(t);
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* Curves rise with the percentile and agree with the percentiles the tool recorded. */
static void check_curve(json_t *dir)
{
	static const struct {
		const char *key;
		double x;
	} at[] = { { "p50", 0.30103 }, { "p90", 1 }, { "p99", 2 } };
	double x[REPORT_CURVE_MAX], y[REPORT_CURVE_MAX];
	json_t *lat = json_object_get(dir, "lat_ns");
	size_t n = report_percentile_curve(dir, x, y, REPORT_CURVE_MAX), i, k;

	ck_assert_uint_gt(n, 100);
	ck_assert_double_eq(x[0], 0);
	ck_assert_double_eq(y[0], num(lat, "min"));
	ck_assert_double_le(y[n - 1], num(lat, "max"));
	ck_assert_double_le(x[n - 1], log10(num(dir, "ops")) + 1e-9);
	ck_assert_double_ge(x[n - 1], log10(num(dir, "ops")) - 0.05);
	for (i = 1; i < n; i++) {
		ck_assert_msg(x[i] > x[i - 1], "x not increasing at %zu", i);
		ck_assert_msg(y[i] >= y[i - 1], "curve falls at %zu: %g < %g", i, y[i], y[i - 1]);
	}
	for (k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		size_t best = 0;

		for (i = 0; i < n; i++)
			if (fabs(x[i] - at[k].x) < fabs(x[best] - at[k].x))
				best = i;
		ck_assert_msg(fabs(x[best] - at[k].x) < 0.011, "no point near %s", at[k].key);
		/* The neighbouring grid points bracket the recorded value. */
		ck_assert_msg(y[best ? best - 1 : 0] <= num(lat, at[k].key) &&
			      num(lat, at[k].key) <= y[best + 1 < n ? best + 1 : best],
			      "%s: curve %g, recorded %g", at[k].key, y[best], num(lat, at[k].key));
	}
}

START_TEST(test_percentile_curves)
{
	static const char *const files[] = { "concurrency.json", "endurance.json", "scale.json" };
	size_t f;

	for (f = 0; f < 3; f++) {
		json_t *doc = fixture(files[f]), *res = json_object_get(doc, "results");

		check_curve(json_object_get(res, "read"));
		check_curve(json_object_get(res, "write"));
		check_curve(json_object_get(res, "total"));
		json_decref(doc);
	}
}
END_TEST

START_TEST(test_percentile_curve_bad_input)
{
	double x[8], y[8];
	json_t *d;

	d = json_pack("{s:{s:i, s:[]}}", "lat_hist", "bits", 7, "buckets");
	ck_assert_uint_eq(report_percentile_curve(d, x, y, 8), 0);
	json_decref(d);
	d = json_pack("{s:{s:i, s:[[i,i]]}}", "lat_hist", "bits", 70, "buckets", 5, 5);
	ck_assert_uint_eq(report_percentile_curve(d, x, y, 8), 0);
	json_decref(d);
	/* A bucket out of range: a malformed histogram draws nothing. */
	d = json_pack("{s:{s:i, s:[[i,i],[i,i],[i,i]]}}", "lat_hist", "bits", 7, "buckets",
		      100, 10, 10, 90, 999999999, 5);
	ck_assert_uint_eq(report_percentile_curve(d, x, y, 8), 0);
	json_decref(d);
	/* Unsorted schema 1 buckets are sorted. */
	d = json_pack("{s:{s:i, s:[[i,i],[i,i]]}}", "lat_hist", "bits", 7, "buckets",
		      100, 10, 10, 90);
	ck_assert_uint_eq(report_percentile_curve(d, x, y, 8), 8);
	ck_assert_double_eq(y[0], 10);
	ck_assert_double_eq(y[7], 100);
	json_decref(d);
	/* The schema 2 string: the same histogram, the same curve. */
	d = json_pack("{s:{s:i, s:i, s:i, s:i, s:s}}", "lat_hist", "bits", 7, "count", 100,
		      "min", 10, "max", 100, "buckets", "10:90,90:10");
	ck_assert_uint_eq(report_percentile_curve(d, x, y, 8), 8);
	ck_assert_double_eq(y[0], 10);
	ck_assert_double_eq(y[7], 100);
	json_decref(d);
	/* Malformed strings draw nothing. */
	{
		static const char *const bad[] = { "10:0", "10:5,0:5", "x", "10:5,", "-1:5",
						   "10:5;11:5", "99999999999:1", "" };
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			d = json_pack("{s:{s:i, s:s}}", "lat_hist", "bits", 7, "buckets", bad[i]);
			ck_assert_msg(report_percentile_curve(d, x, y, 8) == 0, "'%s' drew a curve",
				      bad[i]);
			json_decref(d);
		}
	}
}
END_TEST

START_TEST(test_endurance_drift)
{
	json_t *doc = fixture("endurance.json");
	json_t *drift = json_object_get(json_object_get(doc, "results"), "drift");
	const struct svg_series *s, *data;
	struct report r;
	double slope;

	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 4);
	s = series(chart(&r, "throughput"), "total trend");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, 2);
	ck_assert_int_eq(s->style, SVG_STYLE_DASHED);
	slope = (s->y[1] - s->y[0]) / (s->x[1] - s->x[0]);
	ck_assert_double_eq_tol(slope, num(json_object_get(drift, "iops"), "slope_per_s"), 1e-9);
	/* The fit spans the measured intervals and passes near their mean. */
	data = series(chart(&r, "throughput"), "total");
	ck_assert_ptr_nonnull(data);
	ck_assert_double_eq(s->x[0], data->x[0]);
	ck_assert_double_eq(s->x[1], data->x[data->n - 1]);
	ck_assert_double_eq_tol((s->y[0] + s->y[1]) / 2,
				num(json_object_get(drift, "iops"), "mean"),
				1e-5 * num(json_object_get(drift, "iops"), "mean"));
	s = series(chart(&r, "latency"), "p99 trend");
	ck_assert_ptr_nonnull(s);
	slope = (s->y[1] - s->y[0]) / (s->x[1] - s->x[0]);
	ck_assert_double_eq_tol(slope, num(json_object_get(drift, "p99_ns"), "slope_per_s"), 1e-6);
	ck_assert_ptr_nonnull(series(chart(&r, "latency"), "p99 all"));
	{
		const struct report_chart *tp = chart(&r, "throughput");
		const char *caption;

		ck_assert_ptr_nonnull(tp);
		caption = tp->caption;
		ck_assert_ptr_nonnull(caption);
		ck_assert_msg(strstr(caption, "%/h") != NULL, "%s", caption);
	}
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* A run killed mid-way: only the series so far, no totals. */
START_TEST(test_endurance_incomplete)
{
	json_t *doc = fixture("endurance.json"), *res = json_object_get(doc, "results");
	struct report r;
	struct sbuf b;

	json_object_del(res, "read");
	json_object_del(res, "write");
	json_object_del(res, "total");
	json_object_set_new(doc, "complete", json_false());
	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 3);
	ck_assert_ptr_null(chart(&r, "percentiles"));
	sbuf_init(&b);
	ck_assert_int_eq(report_html(&r, "e.json", &b), 0);
	ck_assert(strstr(sbuf_str(&b), "Incomplete"));
	ck_assert_uint_eq(count(sbuf_str(&b), "<svg"), 3);
	sbuf_free(&b);
	report_free(&r);
	json_decref(doc);
}
END_TEST

START_TEST(test_scale_steps)
{
	static const char *const ids[] = {
		"throughput", "bandwidth", "latency", "percentiles", "scale-iops", "scale-latency",
	};
	json_t *doc = fixture("scale.json");
	json_t *steps = json_object_get(json_object_get(doc, "results"), "steps"), *st;
	const struct report_chart *c;
	const struct svg_series *s;
	struct report r;
	double t = 0;
	size_t i;

	build(&r, doc, NULL, NULL);
	expect_ids(&r, ids, 6);
	c = chart(&r, "scale-iops");
	ck_assert_int_eq(c->chart.x_scale, SVG_LOG);
	s = series(c, "IOPS");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, json_array_size(steps));
	ck_assert_uint_ge(s->n, 2);
	json_array_foreach(steps, i, st) {
		ck_assert_double_eq(s->x[i], num(st, "span_bytes"));
		ck_assert_double_eq(s->y[i], num(json_object_get(st, "total"), "iops"));
		if (i)
			ck_assert_double_gt(s->x[i], s->x[i - 1]);
	}
	ck_assert_uint_eq(chart(&r, "scale-latency")->chart.nseries, 3);
	/* Step starts on the time series, at the cumulative step durations. */
	c = chart(&r, "throughput");
	ck_assert_uint_eq(c->chart.nmarkers, json_array_size(steps));
	json_array_foreach(steps, i, st) {
		ck_assert_double_eq_tol(c->chart.markers[i].x, t, 1e-9);
		ck_assert(strncmp(c->chart.markers[i].label, "step ", 5) == 0);
		t += num(st, "duration_s");
	}
	ck_assert(strstr(c->chart.markers[0].label, "MiB"));
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* A sweep with --repeat 2, --slo and an interleaved reference: its curve and knee. */
START_TEST(test_sweep_curve)
{
	json_t *doc = fixture("sweep.json"), *res = json_object_get(doc, "results");
	json_t *steps = json_object_get(res, "steps"), *knee = json_object_get(res, "knee"), *st;
	const struct report_chart *c;
	const struct svg_series *s;
	struct report r;
	struct sbuf b;
	const char *html;
	char want[64];
	size_t i;

	build(&r, doc, NULL, NULL);
	c = chart(&r, "sweep-curve");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->chart.y_scale, SVG_LOG);
	s = series(c, "run p99");
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->n, json_array_size(steps));
	json_array_foreach(steps, i, st) {
		ck_assert_double_eq(s->x[i], num(json_object_get(st, "total"), "iops"));
		ck_assert_double_eq(s->y[i], num(json_object_get(json_object_get(st, "total"),
								 "lat_ns"), "p99"));
	}
	ck_assert_ptr_nonnull(series(c, "run p50"));
	ck_assert_ptr_nonnull(series(c, "reference p99"));
	ck_assert_ptr_nonnull(series(c, "run 1 p99"));
	ck_assert_ptr_nonnull(series(c, "run 2 p99"));
	s = series(c, "objective p99");
	ck_assert_ptr_nonnull(s);
	ck_assert_double_eq(s->y[0], num(knee, "slo_ns"));
	/* The knee, marked at its throughput, named by its load. */
	ck_assert_uint_eq(c->chart.nmarkers, 1);
	ck_assert_double_eq(c->chart.markers[0].x, num(knee, "iops"));
	snprintf(want, sizeof(want), "knee: depth %.0f", num(knee, "load"));
	ck_assert_msg(strncmp(c->chart.markers[0].label, want, strlen(want)) == 0, "%s",
		      c->chart.markers[0].label);
	c = chart(&r, "sweep-iops");
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(c->chart.x_scale, SVG_LOG);
	ck_assert_double_eq(c->chart.markers[0].x, num(knee, "load"));
	c = chart(&r, "sweep-cpu");
	ck_assert_ptr_nonnull(c);
	s = series(c, "system");
	ck_assert_ptr_nonnull(s);
	ck_assert_double_eq(s->y[0], num(json_object_get(json_object_get(json_array_get(steps, 0),
		"cpu"), "per_io_ns"), "system"));
	ck_assert_ptr_nonnull(series(c, "tool"));
	/* Time-series markers name the steps by their load. */
	c = chart(&r, "throughput");
	ck_assert_str_eq(c->chart.markers[1].label, "step 2: 4");
	sbuf_init(&b);
	ck_assert_int_eq(report_html(&r, "sweep.json", &b), 0);
	html = sbuf_str(&b);
	ck_assert(strstr(html, "<h2>Steps</h2>") && strstr(html, "<b>knee</b>"));
	ck_assert(strstr(html, "<h2>Cost</h2>") && strstr(html, "the system used"));
	ck_assert(strstr(html, "IOPS overhead"));
	ck_assert(strstr(html, "id=\"chart-sweep-curve\""));
	sbuf_free(&b);
	report_free(&r);
	json_decref(doc);
}
END_TEST

START_TEST(test_mixed_phases)
{
	static const char *const names[] = { "database", "file_server", "virtualization" };
	json_t *doc = fixture("mixed.json");
	json_t *phases = json_object_get(json_object_get(doc, "results"), "phases");
	const struct report_chart *c;
	struct report r;
	size_t i;

	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 4);
	ck_assert_uint_eq(json_array_size(phases), 3);
	for (i = 0; i < r.ncharts; i++) {
		c = &r.charts[i];
		if (strcmp(c->id, "percentiles") == 0) {
			ck_assert_uint_eq(c->chart.nmarkers, 0);
			continue;
		}
		ck_assert_uint_eq(c->chart.nmarkers, 3);
		ck_assert_str_eq(c->chart.markers[0].label, names[0]);
		ck_assert_str_eq(c->chart.markers[1].label, names[1]);
		ck_assert_str_eq(c->chart.markers[2].label, names[2]);
		ck_assert_double_eq(c->chart.markers[0].x, 0);
		ck_assert_double_eq_tol(c->chart.markers[1].x,
					num(json_array_get(phases, 0), "duration_s"), 1e-9);
		ck_assert_double_eq_tol(c->chart.markers[2].x,
					num(json_array_get(phases, 0), "duration_s") +
					num(json_array_get(phases, 1), "duration_s"), 1e-9);
		ck_assert_uint_eq(c->chart.nregions, 0);  /* no ramp */
	}
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* Bars expected from the document: every finite change except errors. */
static void count_metrics(json_t *cmp, size_t *tput, size_t *lat, size_t *regressions)
{
	json_t *m;
	size_t i;

	*tput = *lat = *regressions = 0;
	json_array_foreach(json_object_get(cmp, "metrics"), i, m) {
		const char *name = json_string_value(json_object_get(m, "metric"));

		if (strcmp(name, "errors") == 0 || !json_is_number(json_object_get(m, "change_pct")))
			continue;
		if (strncmp(name, "lat_", 4) == 0)
			(*lat)++;
		else
			(*tput)++;
		if (strcmp(json_string_value(json_object_get(m, "verdict")), "regression") == 0)
			(*regressions)++;
	}
}

static void check_bars(const struct report *r)
{
	const struct report_chart *t = chart(r, "comparison-throughput");
	const struct report_chart *l = chart(r, "comparison-latency");
	size_t nt, nl, nreg, red = 0, i;

	count_metrics(r->comparison, &nt, &nl, &nreg);
	ck_assert_uint_gt(nt + nl, 10);
	ck_assert_ptr_nonnull(t);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(t->chart.nbars, nt);
	ck_assert_uint_eq(l->chart.nbars, nl);
	for (i = 0; i < t->chart.nbars; i++)
		red += t->chart.bars[i].color == SVG_RED;
	for (i = 0; i < l->chart.nbars; i++) {
		red += l->chart.bars[i].color == SVG_RED;
		if (isfinite(l->chart.bars[i].lo))
			ck_assert(l->chart.bars[i].lo <= l->chart.bars[i].hi);
	}
	ck_assert_uint_eq(red, nreg);
	/* Threshold lines at -throughput and +latency. */
	ck_assert_uint_eq(t->chart.nmarkers, 1);
	ck_assert_double_eq(t->chart.markers[0].x,
			    -num(json_object_get(r->comparison, "thresholds_pct"), "throughput"));
	ck_assert_double_eq(l->chart.markers[0].x,
			    num(json_object_get(r->comparison, "thresholds_pct"), "latency"));
}

START_TEST(test_comparison_embedded)
{
	json_t *doc = fixture("comparison.json");
	struct report r;

	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 6);
	ck_assert_ptr_eq(r.comparison, json_object_get(doc, "comparison"));
	check_bars(&r);
	ck_assert_uint_eq(chart(&r, "percentiles")->chart.nseries, 2);
	report_free(&r);
	json_decref(doc);
}
END_TEST

START_TEST(test_comparison_with_baseline)
{
	json_t *doc = fixture("comparison.json"), *base = fixture("concurrency.json");
	const struct report_chart *p;
	struct report r;

	build(&r, doc, base, "concurrency.json");
	ck_assert_uint_eq(r.ncharts, 6);
	/*
	 * Computed afresh: one schema 1 run against one cannot be tested, so
	 * the regression the fixture's interval test claimed is untested now.
	 */
	ck_assert_ptr_ne(r.comparison, json_object_get(doc, "comparison"));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "comparison"),
							   "verdict")), "regression");
	ck_assert_str_eq(json_string_value(json_object_get(r.comparison, "verdict")), "pass");
	ck_assert_int_gt(json_integer_value(json_object_get(r.comparison, "untested")), 0);
	check_bars(&r);
	p = chart(&r, "percentiles");
	ck_assert_uint_eq(p->chart.nseries, 4);
	ck_assert_int_eq(series(p, "baseline read")->style, SVG_STYLE_DASHED);
	ck_assert_int_eq(series(p, "run read")->style, SVG_STYLE_LINE);
	/* The time series too: the baseline's intervals, dashed, point for point. */
	{
		json_t *biv = json_object_get(json_object_get(base, "results"), "intervals");
		const struct report_chart *t = chart(&r, "throughput");
		const struct svg_series *b = series(t, "baseline read");

		ck_assert_msg(b != NULL, "no baseline on the throughput chart");
		ck_assert_int_eq(b->style, SVG_STYLE_DASHED);
		ck_assert_uint_ge(b->n, 2);
		ck_assert_double_eq(b->x[0], num(json_array_get(biv, 0), "t_s"));
		ck_assert_double_eq(b->y[0], num(json_array_get(biv, 0), "read_iops"));
		ck_assert_ptr_nonnull(series(chart(&r, "latency"), "baseline read p99"));
		ck_assert_ptr_nonnull(series(chart(&r, "bandwidth"), "baseline read"));
		ck_assert(strstr(t->caption, "Dashed: the baseline"));
	}
	report_free(&r);
	json_decref(doc);
	json_decref(base);
}
END_TEST

START_TEST(test_errors_chart)
{
	json_t *doc = fixture("concurrency.json");
	json_t *iv = json_object_get(json_object_get(doc, "results"), "intervals");
	const struct report_chart *c;
	struct report r;

	json_object_set_new(json_array_get(iv, 2), "errors", json_integer(3));
	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 5);
	c = chart(&r, "errors");
	ck_assert_ptr_nonnull(c);
	ck_assert_double_eq(c->chart.series[0].y[2], 3);
	report_free(&r);
	json_decref(doc);
}
END_TEST

START_TEST(test_not_a_result)
{
	static const char *const bad[] = {
		"{\"a\": 1}", "[1, 2]", "{\"tool\": \"fio\", \"command\": \"x\", \"results\": {}}",
		"{\"tool\": \"dmremap-bench\", \"results\": {}}",
		"{\"tool\": \"dmremap-bench\", \"command\": \"concurrency\"}",
	};
	char err[256];
	struct report r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_loads(bad[i], 0, NULL);

		err[0] = '\0';
		ck_assert_int_eq(report_build(&r, doc, NULL, NULL, err, sizeof(err)), -1);
		ck_assert_msg(strstr(err, "not a dmremap-bench result"), "%s: %s", bad[i], err);
		report_free(&r);
		json_decref(doc);
	}
}
END_TEST

/* A compare document: bars only; a baseline makes no sense for it. */
START_TEST(test_compare_document)
{
	json_t *run = fixture("comparison.json"), *base = fixture("concurrency.json");
	json_t *doc = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:O}", "schema_version", 1,
				"tool", "dmremap-bench", "version", "x", "command", "compare",
				"a", "A.json", "b", "B.json",
				"comparison", json_object_get(run, "comparison"));
	char err[256] = "";
	struct report r;
	struct sbuf b;

	build(&r, doc, NULL, NULL);
	ck_assert_uint_eq(r.ncharts, 2);
	check_bars(&r);
	sbuf_init(&b);
	ck_assert_int_eq(report_html(&r, "cmp.json", &b), 0);
	ck_assert(strstr(sbuf_str(&b), "REGRESSION"));
	sbuf_free(&b);
	report_free(&r);
	ck_assert_int_eq(report_build(&r, doc, base, "A.json", err, sizeof(err)), -1);
	ck_assert(strstr(err, "--baseline"));
	report_free(&r);
	json_decref(doc);
	json_decref(run);
	json_decref(base);
}
END_TEST

START_TEST(test_html_page)
{
	static const char *const files[] = {
		"concurrency.json", "endurance.json", "scale.json", "mixed.json", "comparison.json",
		"sweep.json",
	};
	size_t f;

	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		json_t *doc = fixture(files[f]);
		struct report r;
		struct sbuf b;
		const char *html, *p;

		build(&r, doc, NULL, NULL);
		sbuf_init(&b);
		ck_assert_int_eq(report_html(&r, files[f], &b), 0);
		html = sbuf_str(&b);
		ck_assert(strncmp(html, "<!DOCTYPE html>", 15) == 0);
		ck_assert_uint_eq(count(html, "<svg"), r.ncharts);
		ck_assert_uint_eq(count(html, "</svg>"), r.ncharts);
		ck_assert_uint_eq(count(html, "<figcaption>"), r.ncharts);
		/* Self-contained: no scripts, links or fetched resources. */
		ck_assert(!strstr(html, "<script") && !strstr(html, "<link") &&
			  !strstr(html, "<img") && !strstr(html, "@import") && !strstr(html, "url("));
		for (p = strstr(html, "http"); p; p = strstr(p + 1, "http"))
			ck_assert_msg(strncmp(p, "http://www.w3.org/2000/svg", 26) == 0,
				      "%s: external reference %.40s", files[f], p);
		ck_assert(!strstr(html, "\"nan") && !strstr(html, "\"-nan") &&
			  !strstr(html, "\"inf") && !strstr(html, "\"-inf") && !strstr(html, ">nan") &&
			  !strstr(html, " nan"));
		ck_assert(strstr(html, json_string_value(json_object_get(doc, "command"))));
		ck_assert(strstr(html, "<h2>Target</h2>") && strstr(html, "<h2>Environment</h2>") &&
			  strstr(html, "<h2>Parameters</h2>"));
		ck_assert(strstr(html, "class=\"verdict"));
		if (json_object_get(doc, "comparison"))
			ck_assert(strstr(html, "<h2>Comparison</h2>"));
		sbuf_free(&b);
		report_free(&r);
		json_decref(doc);
	}
}
END_TEST

/* dm targets: table and status shown as dmsetup prints them. */
START_TEST(test_html_dm_target)
{
	json_t *doc = fixture("concurrency.json"), *t = json_object_get(doc, "target");
	struct report r;
	struct sbuf b;

	json_object_set_new(t, "kind", json_string("dm"));
	json_object_set_new(t, "dm_name", json_string("remap<0>"));
	json_object_set_new(t, "table", json_pack("[{s:i, s:i, s:s, s:s}]", "start", 0,
						  "length", 2097152, "type", "remap",
						  "params", "7:0 7:1 0"));
	build(&r, doc, NULL, NULL);
	sbuf_init(&b);
	ck_assert_int_eq(report_html(&r, "x.json", &b), 0);
	ck_assert(strstr(sbuf_str(&b), "<pre>0 2097152 remap 7:0 7:1 0</pre>"));
	ck_assert(strstr(sbuf_str(&b), "remap&lt;0&gt;"));
	sbuf_free(&b);
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* A report's HTML of doc, in b (free with sbuf_free). */
static const char *html_of(json_t *doc, struct sbuf *b)
{
	struct report r;

	build(&r, doc, NULL, NULL);
	sbuf_init(b);
	ck_assert_int_eq(report_html(&r, "x.json", b), 0);
	report_free(&r);
	return sbuf_str(b);
}

/* A workload of several streams: a row per stream, so a database's log is seen. */
START_TEST(test_html_streams)
{
	json_t *mixed = fixture("mixed.json"), *one = fixture("concurrency.json");
	struct sbuf b;
	const char *html = html_of(mixed, &b), *t;

	t = strstr(html, "<h2>Streams</h2>");
	ck_assert_msg(t != NULL, "no streams table for a mixed workload");
	/* database's data and log, file_server's files, virtualization's vm0-vm3 */
	ck_assert(strstr(t, "<td>database</td><th>log</th><td>write</td>"));
	ck_assert(strstr(t, "<td>database</td><th>data</th><td>read</td>"));
	ck_assert(strstr(t, "<td>virtualization</td><th>vm3</th>"));
	ck_assert(strstr(t, "<td>file_server</td><th>files</th>"));
	sbuf_free(&b);
	html = html_of(one, &b);
	ck_assert_msg(!strstr(html, "<h2>Streams</h2>"), "one stream is the run's own table");
	sbuf_free(&b);
	json_decref(mixed);
	json_decref(one);
}
END_TEST

/* Whether the Parameters section of html has a row for key. */
static bool param_row(const char *html, const char *key)
{
	const char *p = strstr(html, "<h2>Parameters</h2>"), *end = p ? strstr(p, "</div>") : NULL;
	char th[64];
	const char *at;

	ck_assert_msg(p && end, "no Parameters section");
	snprintf(th, sizeof(th), "<th>%s</th>", key);
	at = strstr(p, th);
	return at && at < end;
}

/* size_bytes is shown only where it sized something: the scratch file. */
START_TEST(test_html_size_bytes)
{
	json_t *doc = fixture("scale.json");
	struct sbuf b;

	ck_assert(param_row(html_of(doc, &b), "size_bytes"));
	sbuf_free(&b);
	json_object_set_new(json_object_get(doc, "target"), "scratch", json_false());
	ck_assert_msg(!param_row(html_of(doc, &b), "size_bytes"),
		      "a device of the user's with the size of a scratch file it never had");
	ck_assert(param_row(sbuf_str(&b), "dataset_bytes"));
	sbuf_free(&b);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("fixtures");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_concurrency);
	tcase_add_test(tc, test_percentile_curves);
	tcase_add_test(tc, test_percentile_curve_bad_input);
	tcase_add_test(tc, test_endurance_drift);
	tcase_add_test(tc, test_endurance_incomplete);
	tcase_add_test(tc, test_scale_steps);
	tcase_add_test(tc, test_sweep_curve);
	tcase_add_test(tc, test_mixed_phases);
	tcase_add_test(tc, test_comparison_embedded);
	tcase_add_test(tc, test_comparison_with_baseline);
	tcase_add_test(tc, test_errors_chart);
	tcase_add_test(tc, test_not_a_result);
	tcase_add_test(tc, test_compare_document);
	tcase_add_test(tc, test_html_page);
	tcase_add_test(tc, test_html_dm_target);
	tcase_add_test(tc, test_html_streams);
	tcase_add_test(tc, test_html_size_bytes);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
