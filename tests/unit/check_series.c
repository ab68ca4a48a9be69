/*
 * What the endurance command makes of the statistics library and its
 * outputs (issue 22), without a run: the drift test on block means
 * (stats/drift.c over trend_mk), the --steady-state rule and its online
 * detector (run/steadystate.c over steady_fio/steady_equiv), the interval
 * series and its hold-back (run/series.c), the Prometheus text
 * (result/metrics_text.c), histograms that downsample exactly
 * (hist_downsample), the report's heatmap, and the loader's reading of a
 * JSON Lines companion (result/load.c). The statistics themselves are
 * tested in check_seriesstats.c.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/prng.h"
#include "report/report.h"
#include "result/hist_json.h"
#include "result/load.h"
#include "result/metrics_text.h"
#include "run/series.h"
#include "run/steadystate.h"
#include "stats/drift.h"
#include "stats/hist.h"
#include "stats/steady.h"
#include "stats/trend.h"

static double gauss(struct prng *r)
{
	double u1 = 1.0 - prng_unit(r), u2 = prng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Intervals of 1 s ending at 1, 2, ..., n. */
static void unit_intervals(double *t, double *len, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t[i] = (double)(i + 1);
		len[i] = 1.0;
	}
}

/* ---- drift ------------------------------------------------------------------------ */

/* The block rule: ceil(n / 240) intervals per block, a short tail joining the block before. */
START_TEST(drift_blocks)
{
	static const struct {
		size_t n, block, points;
	} cases[] = {
		{ 3, 1, 3 }, { 60, 1, 60 }, { 240, 1, 240 }, { 241, 2, 121 }, { 242, 2, 121 },
		{ 481, 3, 160 }, { 482, 3, 161 }, { 1000, 5, 200 }, { 3600, 15, 240 },
		{ 86400, 360, 240 },
	};
	size_t k, n = 86400;
	double *t = malloc(n * sizeof(double)), *len = malloc(n * sizeof(double));
	double *y = malloc(n * sizeof(double));
	struct prng r;
	struct drift d;

	prng_seed(&r, 7, 0);
	unit_intervals(t, len, n);
	for (k = 0; k < n; k++)
		y[k] = 1000 + 10 * gauss(&r);
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		ck_assert_int_eq(drift_analyze(t, len, y, cases[k].n, -1, 0.05, &d), 0);
		ck_assert_uint_eq(d.intervals, cases[k].n);
		ck_assert_msg(d.block == cases[k].block, "n %zu: block %zu, want %zu", cases[k].n,
			      d.block, cases[k].block);
		ck_assert_msg(d.points == cases[k].points, "n %zu: %zu points, want %zu", cases[k].n,
			      d.points, cases[k].points);
		ck_assert(d.valid);
	}
	free(t);
	free(len);
	free(y);
}
END_TEST

/*
 * The test is trend_mk on the time-weighted block means at the blocks'
 * time-weighted centres: the same figures, computed by hand here.
 */
START_TEST(drift_is_mk_on_block_means)
{
	enum { N = 1000, B = 5 };
	double t[N], len[N], y[N], bt[N / B], by[N / B];
	struct trend_result tr;
	struct trend_cfg cfg;
	struct prng r;
	struct drift d;
	size_t i, k;

	prng_seed(&r, 11, 0);
	for (i = 0; i < N; i++) {
		len[i] = 0.9 + 0.2 * prng_unit(&r);
		t[i] = (i ? t[i - 1] : 0) + len[i];
		y[i] = 500 + 0.05 * (double)i + 20 * gauss(&r);
	}
	for (k = 0; k < N / B; k++) {
		double w = 0, wy = 0, wt = 0;

		for (i = k * B; i < (k + 1) * B; i++) {
			w += len[i];
			wy += len[i] * y[i];
			wt += len[i] * (t[i] - len[i] / 2);
		}
		bt[k] = wt / w;
		by[k] = wy / w;
	}
	trend_cfg_default(&cfg);
	cfg.log_scale = true;  /* every block mean is above 0 */
	ck_assert_int_eq(trend_mk(bt, by, N / B, &cfg, &tr), 0);
	ck_assert_int_eq(drift_analyze(t, len, y, N, -1, 0.05, &d), 0);
	ck_assert(d.log_scale);
	ck_assert_double_eq_tol(d.level_start, exp(tr.level_start), 1e-9);
	ck_assert_uint_eq(d.points, N / B);
	ck_assert_double_eq(d.tr.s, tr.s);
	ck_assert_double_eq_tol(d.tr.p, tr.p, 1e-12);
	ck_assert_double_eq_tol(d.tr.slope, tr.slope, 1e-12);
	ck_assert_double_eq_tol(d.tr.change_low_pct, tr.change_low_pct, 1e-9);
	ck_assert_double_eq_tol(d.tr.change_high_pct, tr.change_high_pct, 1e-9);
	ck_assert_double_eq_tol(d.t_first, bt[0], 1e-9);
	/* A rise of 50 over the span on a level of 500: +10%, found and bracketed. */
	ck_assert(d.drifting);
	ck_assert_str_eq(drift_verdict(&d), "drifting");
	ck_assert_msg(d.tr.change_low_pct < 10 && d.tr.change_high_pct > 10 &&
		      d.tr.change_low_pct > 5, "[%f, %f]", d.tr.change_low_pct,
		      d.tr.change_high_pct);
}
END_TEST

/* A block's value is its I/Os per second: lengths weigh. */
START_TEST(drift_time_weighted)
{
	double t[] = { 2, 3, 5, 6, 8, 9 }, len[] = { 2, 1, 2, 1, 2, 1 };
	double y[] = { 100, 400, 100, 400, 100, 400 };
	struct drift d;

	ck_assert_int_eq(drift_analyze(t, len, y, 6, -1, 0.05, &d), 0);
	/* (2 x 100 + 400) / 3 */
	ck_assert_double_eq_tol(d.mean, 200.0, 1e-12);
	ck_assert_double_eq_tol(d.from_s, 0.0, 1e-12);
	ck_assert_double_eq_tol(d.to_s, 9.0, 1e-12);
}
END_TEST

/* The stub the stop leaves, values that are not there, and an excluded warm-up. */
START_TEST(drift_left_out)
{
	double t[12], len[12], y[12];
	struct drift d;
	size_t i;

	unit_intervals(t, len, 12);
	for (i = 0; i < 12; i++)
		y[i] = 100 + (double)i;
	len[11] = 0.2;
	t[11] = t[10] + 0.2;
	y[11] = 1e6;  /* a few I/Os over a sliver of time */
	ck_assert_int_eq(drift_analyze(t, len, y, 12, -1, 0.05, &d), 0);
	ck_assert_uint_eq(d.intervals, 11);
	y[3] = NAN;
	ck_assert_int_eq(drift_analyze(t, len, y, 12, -1, 0.05, &d), 0);
	ck_assert_uint_eq(d.intervals, 10);
	/* Intervals ending at or before 4 s are the warm-up. */
	ck_assert_int_eq(drift_analyze(t, len, y, 12, 4.0, 0.05, &d), 0);
	ck_assert_uint_eq(d.intervals, 7);
	ck_assert_double_eq_tol(d.from_s, 4.0, 1e-12);
}
END_TEST

START_TEST(drift_flat_and_gate)
{
	enum { N = 600 };
	double t[N], len[N], y[N];
	struct prng r;
	struct drift d;
	size_t i;

	prng_seed(&r, 3, 0);
	unit_intervals(t, len, N);
	for (i = 0; i < N; i++)
		y[i] = 2000 + 30 * gauss(&r);
	ck_assert_int_eq(drift_analyze(t, len, y, N, -1, 0.05, &d), 0);
	ck_assert(!d.drifting);
	ck_assert_str_eq(drift_verdict(&d), "no evidence of drift");
	ck_assert(!drift_exceeds(&d, 0));
	/* Down 5% over the span: drifting; the gate needs |change| >= PCT too. */
	for (i = 0; i < N; i++)
		y[i] = 2000 - 100.0 * (double)i / N + 10 * gauss(&r);
	ck_assert_int_eq(drift_analyze(t, len, y, N, -1, 0.05, &d), 0);
	ck_assert(d.drifting);
	ck_assert_msg(fabs(d.tr.change_pct + 5) < 1, "change %f%%", d.tr.change_pct);
	ck_assert(drift_exceeds(&d, 4));
	ck_assert(!drift_exceeds(&d, 6));
	/* Too few intervals: no test, no verdict, no gate. */
	ck_assert_int_eq(drift_analyze(t, len, y, 2, -1, 0.05, &d), 0);
	ck_assert(!d.valid);
	ck_assert_str_eq(drift_verdict(&d), "too few intervals");
	ck_assert(!drift_exceeds(&d, 0));
	/* A device losing 10% every 3 s for a minute: a ratio, never below -100%. */
	for (i = 0; i < 60; i++)
		y[i] = 2000 * pow(0.9, (double)(i / 3)) * (1 + 0.02 * gauss(&r));
	ck_assert_int_eq(drift_analyze(t, len, y, 60, -1, 0.05, &d), 0);
	ck_assert(d.log_scale && d.drifting);
	ck_assert_msg(d.tr.change_low_pct > -100 && d.tr.change_pct < -70, "%f%% [%f%%]",
		      d.tr.change_pct, d.tr.change_low_pct);
	ck_assert_double_eq_tol(d.change, d.level_start * d.tr.change_pct / 100, 1e-9);
	/* An interval without any I/O: the test is linear. */
	y[30] = 0;
	ck_assert_int_eq(drift_analyze(t, len, y, 60, -1, 0.05, &d), 0);
	ck_assert(!d.log_scale && d.drifting);
	ck_assert_double_eq_tol(d.change, d.tr.change, 1e-9);
	errno = 0;
	ck_assert_int_eq(drift_analyze(t, len, y, N, -1, 1.5, &d), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* ---- the steady-state rule --------------------------------------------------------- */

START_TEST(ss_parse_good)
{
	static const struct {
		const char *in, *text;
		enum ss_metric metric;
		enum ss_kind kind;
		double limit;
		bool pct;
	} cases[] = {
		{ "iops:5%", "iops:5%:1m:0s", SS_IOPS, SS_RANGE, 5, true },
		{ "iops:5%:60s", "iops:5%:1m:0s", SS_IOPS, SS_RANGE, 5, true },
		{ "iops_slope:0.1%:2m:30s", "iops_slope:0.1%:2m:30s", SS_IOPS, SS_SLOPE, 0.1, true },
		{ "bw:1000000:10s", "bw:1e+06:10s:0s", SS_BW, SS_RANGE, 1e6, false },
		{ "bw_slope:500:20s", "bw_slope:500:20s:0s", SS_BW, SS_SLOPE, 500, false },
		{ "iops_equiv:5%:20s", "iops_equiv:5%:20s:0s", SS_IOPS, SS_EQUIV, 5, true },
		{ "bw_equiv:2.5%:1m:5s", "bw_equiv:2.5%:1m:5s", SS_BW, SS_EQUIV, 2.5, true },
	};
	struct ss_rule r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(ss_rule_parse(cases[i].in, &r, err, sizeof(err)) == 0, "%s: %s",
			      cases[i].in, err);
		ck_assert_str_eq(r.text, cases[i].text);
		ck_assert_int_eq(r.metric, cases[i].metric);
		ck_assert_int_eq(r.kind, cases[i].kind);
		ck_assert_double_eq(r.limit, cases[i].limit);
		ck_assert_int_eq(r.pct, cases[i].pct);
	}
}
END_TEST

START_TEST(ss_parse_bad)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "", "CRIT:LIMIT" }, { "iops", "CRIT:LIMIT" }, { "iops:", "limit ''" },
		{ "iops:-5%", "'-5%'" }, { "iops:5%%", "'5%%'" }, { "iops:abc", "'abc'" },
		{ "iops:0", "'0'" }, { "iops:nan", "'nan'" }, { "latency:5%", "unknown criterion" },
		{ "iops:5%:0s", "window '0s'" }, { "iops:5%:1x", "window '1x'" },
		{ "iops:5%:10s:x", "ramp 'x'" }, { "iops_equiv:500", "in percent" },
		{ "iops_equiv:100%", "in percent" }, { "iops:5%:1s:1s:1s", "CRIT:LIMIT" },
	};
	struct ss_rule r;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		ck_assert_msg(ss_rule_parse(cases[i].in, &r, err, sizeof(err)) == -1,
			      "'%s' accepted", cases[i].in);
		ck_assert_msg(strstr(err, cases[i].want), "'%s': %s", cases[i].in, err);
	}
}
END_TEST

START_TEST(ss_check)
{
	struct ss_rule r;
	char err[256];

	ck_assert_int_eq(ss_rule_parse("iops:5%:10s", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ss_rule_check(&r, 1000000000ULL, 60000000000ULL, err, sizeof(err)), 0);
	/* 10 s at 10 s intervals is one interval: too few. */
	ck_assert_int_eq(ss_rule_check(&r, 10000000000ULL, 60000000000ULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "at least 2 intervals"), "%s", err);
	ck_assert_int_eq(ss_rule_parse("iops_equiv:5%:5s", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ss_rule_check(&r, 1000000000ULL, 60000000000ULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "at least 10 intervals"), "%s", err);
	ck_assert_int_eq(ss_rule_parse("iops:5%:50s:20s", &r, err, sizeof(err)), 0);
	ck_assert_int_eq(ss_rule_check(&r, 1000000000ULL, 60000000000ULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "longer than --duration"), "%s", err);
}
END_TEST

/* A warm-up: 20 intervals rising to the level, then noise around it. */
static void warmup_series(double *y, size_t n, uint64_t seed)
{
	struct prng r;
	size_t i;

	prng_seed(&r, seed, 0);
	for (i = 0; i < n; i++)
		y[i] = (i < 20 ? 200 + 40 * (double)i : 1000) + 10 * gauss(&r);
}

/*
 * Fed interval by interval, the detector stops at the first steady window,
 * the one steady_fio and steady_equiv find on the whole series at the end.
 */
START_TEST(ss_detector_matches_whole_series)
{
	static const char *const rules[] = { "iops:5%:10s", "iops_slope:0.5%:10s:5s",
					     "iops_equiv:5%:15s" };
	enum { N = 90 };
	double y[N];
	size_t k, i;

	warmup_series(y, N, 5);
	for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		struct steady_result whole;
		struct ss_detector d;
		struct ss_rule r;
		char err[256];
		size_t at = N;

		ck_assert_int_eq(ss_rule_parse(rules[k], &r, err, sizeof(err)), 0);
		ss_detector_init(&d, &r, 1000000000ULL);
		for (i = 0; i < N; i++)
			if (ss_detector_add(&d, (double)(i + 1), 1.0, (uint64_t)llround(y[i]), 0)) {
				ck_assert_uint_eq(at, N);  /* once */
				at = i;
			}
		if (r.kind == SS_EQUIV) {
			struct steady_equiv_cfg c;

			steady_equiv_cfg_default(&c);
			c.window = d.window;
			c.tol_pct = r.limit;
			c.ramp = d.ramp;
			for (i = 0; i < N; i++)
				y[i] = (double)llround(y[i]);
			ck_assert_int_eq(steady_equiv(y, N, &c, &whole), 0);
		} else {
			struct steady_fio_cfg c = {
				.crit = r.kind == SS_SLOPE ? STEADY_SLOPE : STEADY_RANGE,
				.window = d.window, .ramp = d.ramp, .limit = r.limit, .pct = r.pct,
			};

			for (i = 0; i < N; i++)
				y[i] = (double)llround(y[i]);
			ck_assert_int_eq(steady_fio(y, N, &c, &whole), 0);
		}
		ck_assert_msg(whole.reached, "%s: not steady", rules[k]);
		ck_assert_msg(d.reached && d.index == whole.index, "%s: at %zu, whole %zu", rules[k],
			      at, whole.index);
		ck_assert_uint_eq(at, whole.index);
		ck_assert_double_eq_tol(d.at_s, (double)(whole.index + 1), 1e-12);
		ck_assert_double_eq_tol(d.start_s, (double)whole.start, 1e-12);
		ck_assert_msg(d.at_s > 20, "%s: steady at %f s, inside the warm-up", rules[k],
			      d.at_s);
		ss_detector_free(&d);
		warmup_series(y, N, 5);
	}
}
END_TEST

/* ---- the series ------------------------------------------------------------------------ */

static struct interval_sample sample(double t, double len, uint64_t reads)
{
	struct interval_sample s = { .t_s = t, .len_s = len, .read_ops = reads,
				     .read_bytes = reads * 4096 };

	return s;
}

/*
 * Lines are handed on one interval late, and the engine's last call may
 * replace the interval held back: the series keeps the replacement only.
 */
START_TEST(series_hold_back)
{
	struct hist h[2];
	struct series_out so;
	struct interval_view v = { .lat = { &h[0], &h[1] }, .origin_ns = 0 };
	struct interval_sample s;
	json_t *a;
	int i;

	ck_assert_int_eq(hist_init(&h[0], HIST_BITS_PRECISE), 0);
	ck_assert_int_eq(hist_init(&h[1], HIST_BITS_PRECISE), 0);
	ck_assert_int_eq(series_out_init(&so, NULL), 0);
	for (i = 1; i <= 3; i++) {
		hist_reset(&h[0]);
		h[0].buckets[hist_index(&h[0], 10000)] = 100u * i;
		h[0].count = 100u * i;
		s = sample(i, 1, 100u * i);
		v.end_ns = (uint64_t)i * 1000000000ULL;
		series_out_interval(&so, &s, &v, 0, 0, NULL);
		ck_assert_uint_eq(so.lines, (uint64_t)i - 1);
	}
	/* The drain grew the third interval: it replaces it, and the series is complete. */
	h[0].buckets[hist_index(&h[0], 10000)] += 7;
	h[0].count += 7;
	s = sample(3.01, 1.01, 307);
	v.last = v.replaces_last = true;
	series_out_interval(&so, &s, &v, 0, 0, NULL);
	ck_assert_uint_eq(so.lines, 3);
	/* The next engine run (the next --repeat run): its t_s moved on, its run stamped. */
	v.last = v.replaces_last = false;
	s = sample(1, 1, 50);
	series_out_interval(&so, &s, &v, 1, 3.01, NULL);
	series_out_flush(&so);
	a = series_out_inline(&so);
	ck_assert_uint_eq(json_array_size(a), 4);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(a, 2), "len_s")),
				1.01, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_array_get(a, 2), "lat_hist"), "read"), "count")), 307);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(a, 3), "run")), 1);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(a, 3), "t_s")),
				4.01, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
		json_array_get(a, 0), "lat_hist"), "read"), "bits")), HIST_BITS_INTERVAL);
	json_decref(a);
	series_out_free(&so);
	hist_free(&h[0]);
	hist_free(&h[1]);
}
END_TEST

/* Downsampling and merging commute: per-interval histograms add up to the run's. */
START_TEST(downsample_exact)
{
	struct hist a, b, sum, da, db, dsum;
	struct prng r;
	uint32_t i;
	int k;

	prng_seed(&r, 9, 0);
	ck_assert_int_eq(hist_init(&a, HIST_BITS_PRECISE) | hist_init(&b, HIST_BITS_PRECISE) |
			 hist_init(&sum, HIST_BITS_PRECISE) | hist_init(&da, HIST_BITS_INTERVAL) |
			 hist_init(&db, HIST_BITS_INTERVAL) | hist_init(&dsum, HIST_BITS_INTERVAL), 0);
	for (k = 0; k < 100000; k++) {
		uint64_t v = (uint64_t)exp(7 + 8 * prng_unit(&r));

		hist_record(k % 3 ? &a : &b, v);
		hist_record(&dsum, v);  /* the same values, recorded at 5 bits directly */
	}
	/* Every value lands where a 5-bit histogram would have put it. */
	hist_merge(&sum, &a);
	hist_merge(&sum, &b);
	ck_assert_int_eq(hist_downsample(&da, &sum), 0);
	for (i = 0; i < dsum.nbuckets; i++)
		ck_assert_msg(da.buckets[i] == dsum.buckets[i], "bucket %u: %llu, recorded %llu", i,
			      (unsigned long long)da.buckets[i], (unsigned long long)dsum.buckets[i]);
	hist_reset(&sum);
	hist_merge(&sum, &a);
	hist_merge(&sum, &b);
	ck_assert_int_eq(hist_downsample(&da, &a), 0);
	ck_assert_int_eq(hist_downsample(&db, &b), 0);
	ck_assert_int_eq(hist_downsample(&dsum, &sum), 0);
	hist_merge(&da, &db);
	for (i = 0; i < dsum.nbuckets; i++)
		ck_assert_uint_eq(da.buckets[i], dsum.buckets[i]);
	ck_assert_uint_eq(da.count, 100000);
	ck_assert_uint_eq(dsum.count, sum.count);
	ck_assert_int_eq(hist_downsample(&a, &da), -1);  /* never finer */
	hist_free(&a);
	hist_free(&b);
	hist_free(&sum);
	hist_free(&da);
	hist_free(&db);
	hist_free(&dsum);
}
END_TEST

/* ---- the metrics --------------------------------------------------------------------- */

START_TEST(metrics_format)
{
	struct metrics_state m = {
		.command = "endurance", .version = "9", .device = "/dev/a\"b\\c", .intensity = "light",
		.start_time_s = 1e9, .now_s = 1e9 + 5, .measured_s = 5, .running = true,
		.errors = 3, .steady_rule = true, .steady_reached = true, .steady_at_s = 4,
	};
	struct hist h;
	char *text, *p, *line;
	double prev = -1;
	size_t len;
	int i;

	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	for (i = 1; i <= 1000; i++)
		hist_record(&h, (uint64_t)i * 1000);  /* 1 us .. 1 ms */
	m.dir[0] = (struct metrics_dir){ .ops = 1000, .bytes = 4096000, .lat = &h, .iops = 200,
					 .bw = 819200, .p99_s = 0.00099 };
	m.dir[1] = (struct metrics_dir){ .p99_s = NAN };
	m.drift_iops = (struct metrics_drift){ .valid = true, .drifting = true,
					       .change_ratio = -0.05 };
	m.drift_p99.change_ratio = NAN;
	text = metrics_text(&m, &len);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(strlen(text), len);
	ck_assert(strstr(text, "# TYPE dmremap_bench_ops_total counter\n"));
	ck_assert(strstr(text, "dmremap_bench_ops_total{direction=\"read\",device=\"/dev/a\\\"b\\\\c\"} "
			 "1000\n"));
	ck_assert(strstr(text, "# TYPE dmremap_bench_latency_seconds histogram\n"));
	ck_assert(strstr(text, "dmremap_bench_latency_seconds_count{direction=\"read\","));
	ck_assert(strstr(text, "dmremap_bench_errors_total{device=\"/dev/a\\\"b\\\\c\"} 3\n"));
	ck_assert(strstr(text, "dmremap_bench_drifting{metric=\"iops\","));
	ck_assert(strstr(text, "dmremap_bench_drift_change_ratio{metric=\"p99\","));
	ck_assert(strstr(text, "dmremap_bench_steady_state_seconds{"));
	/* The read buckets: cumulative, ending at the count; half by 500 us (within a bucket). */
	for (p = text; (line = strstr(p, "dmremap_bench_latency_seconds_bucket{direction=\"read\""));
	     p = line + 1) {
		char one[256];
		double v;

		snprintf(one, sizeof(one), "%.*s", (int)strcspn(line, "\n"), line);
		v = strtod(strrchr(one, '}') + 1, NULL);
		ck_assert(v >= prev);
		prev = v;
		if (strstr(one, "le=\"0.0005\""))
			ck_assert_msg(fabs(v - 500) <= 4, "%f by 500 us", v);
	}
	ck_assert_double_eq(prev, 1000);
	free(text);
	hist_free(&h);
}
END_TEST

/* ---- the report's heatmap ------------------------------------------------------------- */

/*
 * A result whose 40 intervals have histograms: reads at 20 us, with a tail
 * at 8 ms in interval 25; writes at 40 us.
 */
static json_t *heat_doc(uint64_t *total)
{
	json_t *ivs = json_array(), *doc, *rj;
	struct hist h;
	int i;

	*total = 0;
	ck_assert_int_eq(hist_init(&h, HIST_BITS_INTERVAL), 0);
	for (i = 0; i < 40; i++) {
		hist_reset(&h);
		h.buckets[hist_index(&h, 20000)] = 1000;
		h.count = 1000;
		if (i == 25) {
			h.buckets[hist_index(&h, 8000000)] = 30;
			h.count += 30;
		}
		h.min = 0;
		h.max = 9000000;
		*total += h.count;
		rj = hist_json(&h);
		/* The writes: 500 at 40 us. */
		hist_reset(&h);
		h.buckets[hist_index(&h, 40000)] = 500;
		h.count = 500;
		h.min = 0;
		h.max = 41000;
		*total += h.count;
		json_array_append_new(ivs, json_pack("{s:f, s:f, s:f, s:f, s:{s:o, s:o}}",
			"t_s", (double)(i + 1), "len_s", 1.0, "read_iops", 1000.0, "write_iops", 500.0,
			"lat_hist", "read", rj, "write", hist_json(&h)));
	}
	hist_free(&h);
	doc = json_pack("{s:s, s:s, s:{s:o}}", "tool", "dmremap-bench", "command", "endurance",
			"results", "intervals", ivs);
	return doc;
}

START_TEST(heatmap_cells)
{
	uint64_t total;
	json_t *doc = heat_doc(&total);
	struct report r;
	char err[256];
	const struct report_chart *c = NULL;
	struct sbuf b;
	size_t i;

	ck_assert_int_eq(report_build(&r, doc, NULL, NULL, err, sizeof(err)), 0);
	for (i = 0; i < r.ncharts; i++)
		if (strcmp(r.charts[i].id, "heatmap") == 0)
			c = &r.charts[i];
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_nonnull(c->heat);
	ck_assert_uint_eq(heatmap_columns(c->heat), 40);
	ck_assert_uint_eq(heatmap_total(c->heat), total);
	/* Reads and writes together; the tail is in column 25 only. */
	ck_assert_uint_eq(heatmap_cell(c->heat, 25, 8000000), 30);
	ck_assert_uint_eq(heatmap_cell(c->heat, 24, 8000000), 0);
	ck_assert_uint_eq(heatmap_cell(c->heat, 0, 20000), 1000);
	ck_assert_uint_eq(heatmap_cell(c->heat, 7, 40000), 500);
	sbuf_init(&b);
	ck_assert_int_eq(report_chart_svg(&r, (size_t)(c - r.charts), &b, true), 0);
	ck_assert(strstr(sbuf_str(&b), "<svg"));
	ck_assert(strstr(sbuf_str(&b), "Latency heatmap"));
	sbuf_free(&b);
	report_free(&r);
	json_decref(doc);
}
END_TEST

/* ---- the loader ------------------------------------------------------------------------ */

static char tmpdir[64];

static void put(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static json_t *load(const char *name, char *err, size_t elen)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return result_load(path, 0, err, elen);
}

#define LINE(t) "{\"run\":0,\"t_s\":" #t ",\"len_s\":1,\"read_iops\":10,\"write_iops\":5}\n"
#define START_DOC(file) "{\"schema_version\":2,\"tool\":\"dmremap-bench\",\"command\":" \
	"\"endurance\",\"complete\":false,\"results\":{\"duration_s\":0}," \
	"\"intervals_file\":{\"path\":\"" file "\",\"format\":\"jsonl\"}}"

START_TEST(loader_companion)
{
	char err[512];
	json_t *doc;

	snprintf(tmpdir, sizeof(tmpdir), "/dev/shm/dmrb-unit-series-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	/* Three lines and a torn fourth (a crash mid-write). */
	put("a.json", START_DOC("a.json.intervals.jsonl"));
	put("a.json.intervals.jsonl", LINE(1) LINE(2) LINE(3) "{\"run\":0,\"t_s\":4,\"len");
	doc = load("a.json", err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(doc, "results"),
							  "intervals")), 3);
	/* The document of the start says how far the run got. */
	ck_assert_double_eq(json_number_value(json_object_get(json_object_get(doc, "results"),
							      "duration_s")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(doc, "results"),
							    "ops_so_far")), 45);
	json_decref(doc);
	/* A torn last line that ends with its newline is left out too. */
	put("a.json.intervals.jsonl", LINE(1) LINE(2) "{\"run\":0,\"t_s\n");
	doc = load("a.json", err, sizeof(err));
	ck_assert_msg(doc != NULL, "%s", err);
	ck_assert_uint_eq(json_array_size(json_object_get(json_object_get(doc, "results"),
							  "intervals")), 2);
	json_decref(doc);
	/* A bad line in the middle is no crash: refused, with its number. */
	put("a.json.intervals.jsonl", LINE(1) "garbage\n" LINE(3));
	ck_assert_ptr_null(load("a.json", err, sizeof(err)));
	ck_assert_msg(strstr(err, "line 2"), "%s", err);
	/* A missing companion, and paths that leave the document's directory. */
	put("b.json", START_DOC("b.json.intervals.jsonl"));
	ck_assert_ptr_null(load("b.json", err, sizeof(err)));
	ck_assert_msg(strstr(err, "b.json.intervals.jsonl"), "%s", err);
	put("c.json", START_DOC("/etc/passwd"));
	ck_assert_ptr_null(load("c.json", err, sizeof(err)));
	ck_assert_msg(strstr(err, "relative"), "%s", err);
	put("d.json", START_DOC("../x.jsonl"));
	ck_assert_ptr_null(load("d.json", err, sizeof(err)));
	ck_assert_msg(strstr(err, "relative"), "%s", err);
	{
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		ck_assert_int_eq(system(cmd), 0);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("series");
	TCase *tc = tcase_create("drift");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, drift_blocks);
	tcase_add_test(tc, drift_is_mk_on_block_means);
	tcase_add_test(tc, drift_time_weighted);
	tcase_add_test(tc, drift_left_out);
	tcase_add_test(tc, drift_flat_and_gate);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	tc = tcase_create("steady");
	tcase_add_test(tc, ss_parse_good);
	tcase_add_test(tc, ss_parse_bad);
	tcase_add_test(tc, ss_check);
	tcase_add_test(tc, ss_detector_matches_whole_series);
	suite_add_tcase(s, tc);
	tc = tcase_create("outputs");
	tcase_add_test(tc, series_hold_back);
	tcase_add_test(tc, downsample_exact);
	tcase_add_test(tc, metrics_format);
	tcase_add_test(tc, heatmap_cells);
	tcase_add_test(tc, loader_companion);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
