/*
 * The pure parts of a sweep (src/run/sweep_plan.c): the loads and the
 * objective as users type them, and the knee of a curve with and without
 * an objective: saturated from the start, turning, still growing, never
 * within the objective. And the knee as a comparable metric
 * (src/compare/metrics.c): each run's own, better higher.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "compare/metrics.h"
#include "run/sweep.h"

static unsigned loads(const char *spec, unsigned steps, uint64_t max, uint64_t *v)
{
	char err[256];
	unsigned n;

	ck_assert_msg(sweep_parse_loads(spec, steps, 1, max, v, &n, err, sizeof(err)) == 0,
		      "%s: %s", spec, err);
	return n;
}

static void bad_loads(const char *spec, unsigned steps, const char *want)
{
	uint64_t v[SWEEP_MAX_STEPS];
	char err[256] = "";
	unsigned n;

	ck_assert_msg(sweep_parse_loads(spec, steps, 1, 10000, v, &n, err, sizeof(err)) == -1,
		      "%s was accepted", spec);
	ck_assert_msg(strstr(err, want) != NULL, "%s: '%s' lacks '%s'", spec, err, want);
}

START_TEST(parse_loads)
{
	uint64_t v[SWEEP_MAX_STEPS];
	unsigned n;

	n = loads("1,2,4,16", 0, 10000, v);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(v[3], 16);
	/* A range doubles, and ends at its end. */
	n = loads("1..1024", 0, 10000, v);
	ck_assert_uint_eq(n, 11);
	ck_assert_uint_eq(v[0], 1);
	ck_assert_uint_eq(v[10], 1024);
	n = loads("10k..400k", 0, 100000000, v);
	ck_assert_uint_eq(n, 7);
	ck_assert_uint_eq(v[0], 10000);
	ck_assert_uint_eq(v[5], 320000);
	ck_assert_uint_eq(v[6], 400000);
	/* Geometric steps: 10k * 40^(i/4). */
	n = loads("10k..400k", 5, 100000000, v);
	ck_assert_uint_eq(n, 5);
	ck_assert_uint_eq(v[0], 10000);
	ck_assert_uint_eq(v[1], 25149);
	ck_assert_uint_eq(v[2], 63246);
	ck_assert_uint_eq(v[4], 400000);
	n = loads("1..1024", 6, 10000, v);
	ck_assert_uint_eq(n, 6);
	ck_assert_uint_eq(v[1], 4);
	ck_assert_uint_eq(v[5], 1024);
	n = loads("2.5k,5k,1M", 0, 100000000, v);
	ck_assert_uint_eq(v[0], 2500);
	ck_assert_uint_eq(v[2], 1000000);
	bad_loads("1,2", 0, "allowed: 3 to 32 loads");
	bad_loads("4,2,8", 0, "increasing order");
	bad_loads("1,1,2", 0, "increasing order");
	bad_loads("1,2,20000", 0, "out of range");
	bad_loads("0,1,2", 0, "out of range");
	bad_loads("1,x,2", 0, "not a list");
	bad_loads("1,,2", 0, "not a list");
	bad_loads("1.5,2,3", 0, "not a list");
	bad_loads("1,2,4", 3, "--steps goes with a range");
	bad_loads("8..4", 0, "the first below the last");
	bad_loads("1..", 0, "not a range");
	bad_loads("1..4..8", 0, "not a range");
	bad_loads("1..4", 10, "only 4 different loads");
	bad_loads("1..4", 40, "--steps 40");
	bad_loads("1..2", 0, "allowed: 3 to 32 loads");   /* 1, 2 */
	{
		char err[256];

		ck_assert_int_eq(sweep_parse_loads("1..4294967296", 0, 1, 1ULL << 40, v, &n, err,
						   sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "doubles more than"));
	}
}
END_TEST

START_TEST(parse_slo)
{
	struct sweep_slo s;
	char err[256];

	ck_assert_int_eq(sweep_parse_slo("p99=2ms", &s, err, sizeof(err)), 0);
	ck_assert(s.set);
	ck_assert_int_eq(s.stat, SLO_P99);
	ck_assert_uint_eq(s.ns, 2000000);
	ck_assert_int_eq(sweep_parse_slo("p99.9=1.5ms", &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.stat, SLO_P999);
	ck_assert_uint_eq(s.ns, 1500000);
	ck_assert_int_eq(sweep_parse_slo("mean=250us", &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.stat, SLO_MEAN);
	ck_assert_uint_eq(s.ns, 250000);
	ck_assert_int_eq(sweep_parse_slo("p50=800ns", &s, err, sizeof(err)), 0);
	ck_assert_uint_eq(s.ns, 800);
	ck_assert_int_eq(sweep_parse_slo("p50=1s", &s, err, sizeof(err)), 0);
	ck_assert_str_eq(sweep_stat_name(SLO_P999), "p99.9");
	ck_assert_int_eq(sweep_parse_slo("p95=2ms", &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "names no statistic"));
	ck_assert(!s.set);
	ck_assert_int_eq(sweep_parse_slo("p99", &s, err, sizeof(err)), -1);
	ck_assert_int_eq(sweep_parse_slo("p99=2", &s, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "ns, us, ms or s"));
	ck_assert_int_eq(sweep_parse_slo("p99=0ms", &s, err, sizeof(err)), -1);
	ck_assert_int_eq(sweep_parse_slo("p99=-1ms", &s, err, sizeof(err)), -1);
	ck_assert_int_eq(sweep_parse_slo("p99=2hours", &s, err, sizeof(err)), -1);
	ck_assert_int_eq(sweep_parse_slo("p99=2h", &s, err, sizeof(err)), -1);
}
END_TEST

static const double depth[] = { 1, 2, 4, 8, 16, 32, 64, 128 };

START_TEST(knee_kneedle)
{
	/* A device that saturates at 32: a curve that turns there. */
	double iops[] = { 20e3, 39e3, 76e3, 140e3, 230e3, 300e3, 310e3, 312e3 };
	double p99[] = { 60e3, 62e3, 70e3, 90e3, 130e3, 250e3, 500e3, 1e6 };
	struct sweep_slo none = { 0 };
	struct sweep_knee k;
	json_t *j;

	ck_assert_int_eq(sweep_knee_of(depth, iops, p99, 8, &none, &k), 0);
	ck_assert_str_eq(k.method, "kneedle");
	ck_assert(k.found && k.reached && !k.saturated);
	ck_assert_str_eq(sweep_knee_mark(&k), "  <- knee");
	ck_assert_double_eq(k.load, 32);
	ck_assert_double_eq(k.low, 16);
	ck_assert_double_eq(k.high, 64);
	ck_assert_double_eq(k.iops, 300e3);
	ck_assert_double_eq(k.lat_ns, 250e3);
	ck_assert(isfinite(k.power_load));
	j = sweep_knee_json(&k);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "load")), 32);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "step")), 6);
	ck_assert_str_eq(json_string_value(json_object_get(j, "stat")), "p99");
	ck_assert(json_is_false(json_object_get(j, "saturated")));
	json_decref(j);
}
END_TEST

START_TEST(knee_saturated_and_growing)
{
	/* Throttled: flat from the first step, with a little noise. */
	double flat[] = { 1000, 1010, 995, 1003, 1000, 990, 1005, 1001 };
	double grow[] = { 1e3, 2e3, 4e3, 8e3, 16e3, 32e3, 64e3, 128e3 };
	double lat[] = { 1e6, 2e6, 4e6, 8e6, 16e6, 32e6, 64e6, 128e6 };
	struct sweep_slo none = { 0 };
	struct sweep_knee k;
	char text[512];
	json_t *j;

	ck_assert_int_eq(sweep_knee_of(depth, flat, lat, 8, &none, &k), 0);
	ck_assert(k.found && k.reached && k.saturated);
	ck_assert_double_eq(k.load, 1);
	ck_assert_double_eq(k.high, 2);
	sweep_knee_describe(&k, SWEEP_BY_OPS, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "depth 1 or below"));
	/* A throttle's burstiness: 85% of the peak at depth 1, the rest in noise. */
	flat[0] = 850;
	flat[5] = 1000;
	ck_assert_int_eq(sweep_knee_of(depth, flat, lat, 8, &none, &k), 0);
	ck_assert(k.saturated);
	ck_assert_double_eq(k.load, 1);
	ck_assert_str_eq(sweep_knee_mark(&k), "  <- knee or below");
	/* Scaling by a quarter is no longer flat. */
	flat[0] = 700;
	ck_assert_int_eq(sweep_knee_of(depth, flat, lat, 8, &none, &k), 0);
	ck_assert(!k.saturated);
	ck_assert_int_eq(sweep_knee_of(depth, grow, lat, 8, &none, &k), 0);
	ck_assert(k.found && !k.reached);
	ck_assert_double_eq(k.load, 128);
	ck_assert(isnan(k.high));
	j = sweep_knee_json(&k);
	ck_assert(json_is_null(json_object_get(j, "high")));
	ck_assert(json_is_false(json_object_get(j, "reached")));
	json_decref(j);
	sweep_knee_describe(&k, SWEEP_BY_OPS, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "not reached"));
	/* The steps table says the same: not "<- knee" on a curve still growing. */
	ck_assert_str_eq(sweep_knee_mark(&k), "  <- knee or beyond");
	/* Too few steps, and a value that is not a number. */
	ck_assert_int_eq(sweep_knee_of(depth, grow, lat, 2, &none, &k), -1);
	grow[3] = NAN;
	ck_assert_int_eq(sweep_knee_of(depth, grow, lat, 8, &none, &k), -1);
}
END_TEST

START_TEST(knee_objective)
{
	double iops[] = { 20e3, 39e3, 76e3, 140e3, 230e3, 300e3, 310e3, 312e3 };
	double p99[] = { 60e3, 62e3, 70e3, 90e3, 130e3, 250e3, 500e3, 1e6 };
	struct sweep_slo slo = { .set = true, .stat = SLO_P99, .ns = 200000 };
	struct sweep_knee k;
	char text[512];
	json_t *j;

	ck_assert_int_eq(sweep_knee_of(depth, iops, p99, 8, &slo, &k), 0);
	ck_assert_str_eq(k.method, "slo");
	ck_assert(k.found && k.reached);
	ck_assert_double_eq(k.load, 16);
	ck_assert_double_eq(k.low, 16);
	ck_assert_double_eq(k.high, 32);
	ck_assert(k.crossing > 16 && k.crossing < 32);
	j = sweep_knee_json(&k);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "slo_ns")), 200000);
	ck_assert_int_eq(json_integer_value(json_object_get(j, "load")), 16);
	json_decref(j);
	sweep_knee_describe(&k, SWEEP_BY_OPS, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "depth 16, the highest load with p99 within 200.0us"));
	/* Within the objective everywhere: the last load, or beyond. */
	slo.ns = 5000000;
	ck_assert_int_eq(sweep_knee_of(depth, iops, p99, 8, &slo, &k), 0);
	ck_assert(k.found && !k.reached);
	ck_assert_double_eq(k.load, 128);
	/* Never within: no knee, a null load. */
	slo.ns = 1000;
	ck_assert_int_eq(sweep_knee_of(depth, iops, p99, 8, &slo, &k), 0);
	ck_assert(!k.found && k.reached);
	ck_assert(isnan(k.load));
	ck_assert_double_eq(k.high, 1);
	j = sweep_knee_json(&k);
	ck_assert(json_is_null(json_object_get(j, "load")));
	ck_assert_ptr_null(json_object_get(j, "step"));
	json_decref(j);
	sweep_knee_describe(&k, SWEEP_BY_RATE, text, sizeof(text));
	ck_assert_ptr_nonnull(strstr(text, "knee: none"));
}
END_TEST

/* The results of one run: what the loader wants, the same IOPS, and a knee. */
static json_t *results_obj(double knee)
{
	json_t *d = json_pack("{s:I, s:I, s:f, s:f, s:{s:I, s:f, s:I, s:I, s:I, s:I}}",
			      "ops", (json_int_t)100000, "bytes", (json_int_t)409600000,
			      "iops", 50000.0, "bw_bytes_per_s", 204800000.0,
			      "lat_ns", "min", (json_int_t)1000, "mean", 20000.0,
			      "max", (json_int_t)900000, "p50", (json_int_t)15000,
			      "p99", (json_int_t)100000, "p99.9", (json_int_t)200000);

	return json_pack("{s:f, s:O, s:O, s:o, s:[], s:{s:I, s:I, s:I}, s:{s:f}}",
			 "duration_s", 2.0, "read", d, "write", d, "total", d, "intervals",
			 "errors", "io", (json_int_t)0,
			 "short", (json_int_t)0, "verify", (json_int_t)0, "knee", "load", knee);
}

/* A sweep result of `runs` runs whose knees are knee0 + i. */
static json_t *sweep_doc(int runs, double knee0)
{
	json_t *doc = json_pack("{s:i, s:s, s:s, s:{s:s}}",
				"schema_version", 2, "tool", "dmremap-bench", "command", "sweep",
				"params", "rw", "randread");
	json_t *a = json_array();
	int i;

	json_object_set_new(doc, "results", results_obj(knee0));
	for (i = 0; i < runs; i++)
		json_array_append_new(a, json_pack("{s:i, s:o}", "index", i, "results",
						   results_obj(knee0 + i)));
	if (runs > 1)
		json_object_set_new(doc, "runs", a);
	else
		json_decref(a);
	return doc;
}

START_TEST(knee_metric)
{
	json_t *base = sweep_doc(5, 64), *run = sweep_doc(5, 16), *same = sweep_doc(5, 64);
	const struct metric *m;
	struct metric_set ms;
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	size_t i;
	bool seen = false;

	ck_assert_msg(metrics_from_doc(run, &ms, err, sizeof(err)) == 0, "%s", err);
	m = metrics_find(&ms, "knee", "total", "load");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->nruns, 5);
	ck_assert_double_eq(m->runs[4], 20);
	ck_assert_double_eq(m->value, 18);   /* the median of the runs */
	ck_assert_int_eq(m->better, BETTER_HIGHER);
	metrics_free(&ms);
	/* A knee 4 times lower, the same IOPS: a regression, and it gates by default. */
	compare_cfg_defaults(&cfg);
	ck_assert_msg(compare_docs(base, run, "base", &cfg, &c, err, sizeof(err)) == 0, "%s", err);
	for (i = 0; i < c.nrows; i++)
		if (!strcmp(c.rows[i].base->group, "knee")) {
			ck_assert(c.rows[i].gate);
			ck_assert_int_eq(c.rows[i].v.verdict, VERDICT_REGRESSED);
			seen = true;
		}
	ck_assert(seen);
	ck_assert_int_eq(comparison_exit_status(&c), 1);
	comparison_free(&c);
	ck_assert_int_eq(compare_docs(base, same, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), 0);
	comparison_free(&c);
	/* No step within the objective: a knee of 0, which no test needs. */
	json_object_set_new(json_object_get(json_object_get(run, "results"), "knee"), "load",
			    json_null());
	for (i = 0; i < 5; i++) {
		json_t *r = json_object_get(json_array_get(json_object_get(run, "runs"), i),
					    "results");

		json_object_set_new(json_object_get(r, "knee"), "load", json_null());
	}
	ck_assert_int_eq(compare_docs(base, run, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), 1);
	comparison_free(&c);
	/* A result without a knee has no knee group. */
	json_object_del(json_object_get(same, "results"), "knee");
	json_object_del(same, "runs");
	ck_assert_int_eq(metrics_from_doc(same, &ms, err, sizeof(err)), 0);
	ck_assert_ptr_null(metrics_find(&ms, "knee", "total", "load"));
	metrics_free(&ms);
	json_decref(base);
	json_decref(run);
	json_decref(same);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, parse_loads);
	tcase_add_test(tc, parse_slo);
	tcase_add_test(tc, knee_kneedle);
	tcase_add_test(tc, knee_saturated_and_growing);
	tcase_add_test(tc, knee_objective);
	tcase_add_test(tc, knee_metric);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
