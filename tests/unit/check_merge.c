/*
 * Merging results (result/merge.h, result/fleet.h) on synthetic documents
 * whose every latency is known: counts add exactly, the fleet's
 * percentiles are those of the union of all I/Os (an independent
 * histogram of every sample), intervals add on the wall clock, differing
 * workloads and two results of one host are refused, the outlier is
 * named with its modified z-score (textbook values of stats/outlier.h),
 * and compare gives a verdict per host and one overall.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare/compare.h"
#include "result/fleet.h"
#include "result/hist_json.h"
#include "result/merge.h"
#include "result/result_json.h"
#include "stats/hist.h"
#include "stats/outlier.h"

#define T0_NS 1796400000000000000ULL

/* A deterministic stream of latencies for host h: lognormal-ish, its own scale. */
static uint64_t lat_of(unsigned h, unsigned i, double scale)
{
	uint64_t x = (uint64_t)(h + 1) * 0x9e3779b97f4a7c15ULL + i * 0xbf58476d1ce4e5b9ULL;
	double u;

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	u = (double)(x % 1000000) / 1e6;
	return (uint64_t)(scale * (20000.0 + 80000.0 * u * u * u * (1 + h)));
}

/*
 * A host's result document: n reads with latencies lat_of(h, ...) (also
 * recorded into the union histogram u when given), over 2 intervals with
 * t_ns on a 1 s grid shifted by skew_ns; rw and hostname as given.
 */
static json_t *host_doc(unsigned h, unsigned n, double scale, const char *rw, const char *host,
			uint64_t skew_ns, struct hist *u, unsigned nruns)
{
	struct run_result r;
	json_t *doc, *runs = NULL;
	unsigned i, k;


	ck_assert_int_eq(run_result_init(&r, 1), 0);
	for (i = 0; i < n; i++) {
		uint64_t v = lat_of(h, i, scale);

		hist_record(&r.dir[DIR_READ].hist, v);
		hist_record(&r.streams[0].dir[DIR_READ].hist, v);
		if (u)
			hist_record(u, v);
	}
	r.dir[DIR_READ].ops = r.streams[0].dir[DIR_READ].ops = n;
	r.dir[DIR_READ].bytes = r.streams[0].dir[DIR_READ].bytes = (uint64_t)n * 4096;
	snprintf(r.streams[0].name, sizeof(r.streams[0].name), "main");
	r.streams[0].workers = 2;
	r.duration_s = 2.0;
	r.conc.workers = 2;
	r.conc.inflight_target = 8;
	r.complete = true;
	r.intervals = calloc(2, sizeof(*r.intervals));
	r.nintervals = r.intervals_cap = 2;
	for (i = 0; i < 2; i++) {
		r.intervals[i].t_s = i + 1.0;
		r.intervals[i].len_s = 1.0;
		r.intervals[i].t_ns = T0_NS + (i + 1) * 1000000000ULL + skew_ns;
		r.intervals[i].read_ops = n / 2;
		r.intervals[i].read_bytes = (uint64_t)n / 2 * 4096;
		r.intervals[i].p99_ns = 1000 * (h + 1);
		r.intervals[i].lat[0].p99_ns = 1000 * (h + 1);
	}
	if (nruns) {
		runs = json_array();
		for (k = 0; k < nruns; k++) {
			json_t *res;

			/* Each run's count its own: a spread the tests can reason about. */
			r.dir[DIR_READ].ops = n + k * n / 100;
			res = run_result_json(&r);
			r.dir[DIR_READ].ops = n;
			json_object_del(res, "intervals");
			json_array_append_new(runs, json_pack("{s:i, s:I, s:o}", "index", (int)k,
				"start_time_ns", (json_int_t)(T0_NS + k), "results", res));
		}
	}
	doc = json_pack("{s:i, s:s, s:s, s:s, s:{s:s, s:I, s:f, s:f}, s:{s:s}, "
			"s:{s:s, s:I}, s:o, s:b}",
			"schema_version", 2, "tool", "dmremap-bench", "version", "test",
			"command", "concurrency",
			"params", "rw", rw, "bs", (json_int_t)4096, "duration_s", 2.0,
			"interval_s", 1.0,
			"target", "path", "/dev/sdx",
			"environment", "hostname", host, "start_time_ns", (json_int_t)T0_NS,
			"results", run_result_json(&r),
			"interrupted", 0);
	if (runs)
		json_object_set_new(doc, "runs", runs);
	run_result_free(&r);
	return doc;
}

static long long jint(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *x = json_object_get(o, a);

	if (b)
		x = json_object_get(x, b);
	if (c)
		x = json_object_get(x, c);
	return json_is_integer(x) ? (long long)json_integer_value(x) : -1;
}

static int fleet_of(json_t **docs, const char **names, size_t n, bool allow, json_t **out,
		    char *err, size_t elen)
{
	struct merge_input in[8];
	struct merge_opts o = { .allow_mismatch = allow };
	size_t i;

	for (i = 0; i < n; i++)
		in[i] = (struct merge_input){ .name = names ? names[i] : NULL, .source = "x.json",
					      .doc = docs[i] };
	return merge_fleet(in, n, &o, out, err, elen);
}

START_TEST(sums_and_union_percentiles)
{
	struct hist u, m;
	json_t *docs[3], *fleet = NULL;
	const char *hosts[] = { "a", "b", "c" };
	static const double pct[] = { 50, 90, 99, 99.9, 99.99 };
	static const char *const keys[] = { "p50", "p90", "p99", "p99.9", "p99.99" };
	char err[512];
	long long ops = 0;
	size_t i;

	ck_assert_int_eq(hist_init(&u, HIST_BITS_PRECISE), 0);
	for (i = 0; i < 3; i++) {
		docs[i] = host_doc((unsigned)i, 5000 + 1000 * (unsigned)i, 1.0 + (double)i,
				   "randread", hosts[i], 0, &u, 0);
		ops += 5000 + 1000 * (long long)i;
	}
	ck_assert_int_eq(fleet_of(docs, NULL, 3, false, &fleet, err, sizeof(err)), MERGE_OK);
	/* Counts add exactly. */
	ck_assert_int_eq(jint(fleet, "results", "total", "ops"), ops);
	ck_assert_int_eq(jint(fleet, "results", "read", "ops"), ops);
	ck_assert_int_eq(jint(fleet, "results", "read", "bytes"), ops * 4096);
	ck_assert_int_eq(jint(fleet, "results", "concurrency", "workers"), 6);
	ck_assert_int_eq(json_array_size(json_object_get(fleet, "hosts")), 3);
	/* The window is the hosts' (they ran at once), not their sum. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(fleet, "results"),
								  "duration_s")), 2.0, 1e-9);
	/* Every percentile is that of the union of all I/Os. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_object_get(
					json_object_get(fleet, "results"), "read"), "lat_ns"), keys[i])),
				 (long long)hist_percentile(&u, pct[i]));
	/* And the merged histogram is the union's, bucket by bucket. */
	ck_assert_int_eq(hist_from_json(json_object_get(json_object_get(json_object_get(fleet,
		"results"), "total"), "lat_hist"), NULL, &m, err, sizeof(err)), 0);
	ck_assert_int_eq(m.count, u.count);
	ck_assert_int_eq(m.sum, u.sum);
	ck_assert_int_eq(m.min, u.min);
	ck_assert_int_eq(m.max, u.max);
	for (i = 0; i < u.nbuckets; i++)
		ck_assert_int_eq(m.buckets[i], u.buckets[i]);
	/* Not an average of the hosts' p99s. */
	{
		double avg = 0;

		for (i = 0; i < 3; i++)
			avg += (double)json_integer_value(json_object_get(json_object_get(
				json_object_get(json_object_get(docs[i], "results"), "total"),
				"lat_ns"), "p99")) / 3;
		ck_assert((double)hist_percentile(&u, 99) != avg);
	}
	/* Streams merge by name. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(
		json_object_get(json_object_get(fleet, "results"), "streams"), 0), "total"), "ops")),
			 ops);
	hist_free(&m);
	hist_free(&u);
	json_decref(fleet);
	for (i = 0; i < 3; i++)
		json_decref(docs[i]);
}
END_TEST

START_TEST(intervals_on_the_wall_clock)
{
	json_t *docs[2], *fleet = NULL, *iv;
	const char *hosts[] = { "a", "b" };
	char err[512];

	/* b started 30 ms after a: its intervals fall in the same bins. */
	docs[0] = host_doc(0, 1000, 1, "randread", hosts[0], 0, NULL, 0);
	docs[1] = host_doc(1, 3000, 1, "randread", hosts[1], 30000000ULL, NULL, 0);
	ck_assert_int_eq(fleet_of(docs, NULL, 2, false, &fleet, err, sizeof(err)), MERGE_OK);
	iv = json_object_get(json_object_get(fleet, "results"), "intervals");
	ck_assert_int_eq(json_array_size(iv), 2);
	/* Rates add: 500 + 1500 reads per second. */
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_array_get(iv, 0),
								  "read_iops")), 2000, 1e-6);
	/* Without per-interval histograms the percentile is the largest, and said so. */
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(iv, 0), "p99_ns")),
			 2000);
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(fleet, "results"),
							   "intervals_lat")), "max_of_parts");
	json_decref(fleet);
	/* Per-interval histograms: exact. */
	{
		struct hist a, b, all;
		json_t *x;
		unsigned i;

		ck_assert_int_eq(hist_init(&a, 5), 0);
		ck_assert_int_eq(hist_init(&b, 5), 0);
		ck_assert_int_eq(hist_init(&all, 5), 0);
		for (i = 0; i < 500; i++) {
			hist_record(&a, 1000 + i);
			hist_record(&all, 1000 + i);
		}
		for (i = 0; i < 1500; i++) {
			hist_record(&b, 90000 + 7 * i);
			hist_record(&all, 90000 + 7 * i);
		}
		for (i = 0; i < 2; i++) {
			x = json_array_get(json_object_get(json_object_get(docs[0], "results"),
							   "intervals"), i);
			json_object_set_new(x, "lat_hist", json_pack("{s:o}", "read", hist_json(&a)));
			x = json_array_get(json_object_get(json_object_get(docs[1], "results"),
							   "intervals"), i);
			json_object_set_new(x, "lat_hist", json_pack("{s:o}", "read", hist_json(&b)));
		}
		ck_assert_int_eq(fleet_of(docs, NULL, 2, false, &fleet, err, sizeof(err)), MERGE_OK);
		iv = json_object_get(json_object_get(fleet, "results"), "intervals");
		ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(json_array_get(
			iv, 1), "read_lat_ns"), "p99")), (long long)hist_percentile(&all, 99));
		ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(iv, 1), "p99_ns")),
				 (long long)hist_percentile(&all, 99));
		ck_assert_ptr_null(json_object_get(json_object_get(fleet, "results"), "intervals_lat"));
		hist_free(&a);
		hist_free(&b);
		hist_free(&all);
	}
	json_decref(fleet);
	json_decref(docs[0]);
	json_decref(docs[1]);
}
END_TEST

START_TEST(refusals)
{
	json_t *docs[2], *fleet = NULL;
	const char *names[] = { "one", "two" };
	char err[1024];

	/* Another workload: refused, naming the parameter. */
	docs[0] = host_doc(0, 100, 1, "randread", "a", 0, NULL, 0);
	docs[1] = host_doc(1, 100, 1, "randwrite", "b", 0, NULL, 0);
	ck_assert_int_eq(fleet_of(docs, NULL, 2, false, &fleet, err, sizeof(err)), MERGE_REFUSED);
	ck_assert_ptr_null(fleet);
	ck_assert_ptr_nonnull(strstr(err, "rw"));
	ck_assert_ptr_nonnull(strstr(err, "randwrite"));
	ck_assert_ptr_null(strchr(err, '\n'));
	/* --allow-mismatch merges them and says so. */
	ck_assert_int_eq(fleet_of(docs, NULL, 2, true, &fleet, err, sizeof(err)), MERGE_OK);
	ck_assert_int_eq(json_array_size(json_object_get(fleet, "workload_mismatches")), 1);
	json_decref(fleet);
	fleet = NULL;
	json_decref(docs[1]);
	/* Two results of one host: refused, unless named. */
	docs[1] = host_doc(1, 100, 1, "randread", "a", 0, NULL, 0);
	ck_assert_int_eq(fleet_of(docs, NULL, 2, false, &fleet, err, sizeof(err)), MERGE_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "host a"));
	ck_assert_int_eq(fleet_of(docs, names, 2, false, &fleet, err, sizeof(err)), MERGE_OK);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(json_object_get(fleet,
		"hosts"), 1), "hostname")), "two");
	json_decref(fleet);
	fleet = NULL;
	/* Histograms of another precision cannot be added. */
	{
		struct hist h;
		json_t *t = json_object_get(json_object_get(docs[1], "results"), "total");

		ck_assert_int_eq(hist_init(&h, 5), 0);
		hist_record(&h, 1234);
		json_object_set_new(t, "lat_hist", hist_json(&h));
		hist_free(&h);
		ck_assert_int_eq(fleet_of(docs, names, 2, false, &fleet, err, sizeof(err)),
				 MERGE_REFUSED);
		ck_assert_ptr_nonnull(strstr(err, "bits"));
	}
	/* A result without histograms has nothing to add. */
	json_object_del(json_object_get(json_object_get(docs[1], "results"), "read"), "lat_hist");
	ck_assert_int_eq(fleet_of(docs, names, 2, false, &fleet, err, sizeof(err)), MERGE_REFUSED);
	ck_assert_ptr_nonnull(strstr(err, "lat_hist"));
	json_decref(docs[0]);
	json_decref(docs[1]);
}
END_TEST

/* Textbook values of the modified z-score, on the ln(1 + x) scale. */
START_TEST(outlier_textbook)
{
	static const double v[] = { 2, 3, 3, 4, 5, 100 };
	static const double flat[] = { 5, 5, 5, 5, 9 };
	static const double capped[] = { 1000, 310, 1000 };
	static const double loaded[] = { 8000, 12000, 300, 10000 };
	static const double close[] = { 1000, 1000, 950, 1000 };
	static const double skipped[] = { 1000, -1, 1000, NAN, 310 };
	static const double two[] = { 1, 100 };
	static const double same[] = { 7, 7, 7 };
	double half = 0.5 * log(20), mad = ((half - log(4)) + (log(6) - half)) / 2;
	struct outlier o;

	/*
	 * y = ln 3, ln 4, ln 4, ln 5, ln 6, ln 101; median ln sqrt(20);
	 * |dev| ln(sqrt20/4) three times, ln(6/sqrt20), ln(sqrt20/3), ln(101/sqrt20):
	 * MAD = (ln(sqrt20/4) + ln(6/sqrt20)) / 2
	 */
	ck_assert_int_eq(outlier_find(v, 6, &o), 0);
	ck_assert_int_eq(o.index, 5);
	ck_assert_double_eq_tol(o.median, sqrt(20) - 1, 1e-9);
	ck_assert_str_eq(o.spread_kind, "MAD");
	ck_assert_double_eq_tol(o.spread, 1.4826 * mad, 1e-12);
	ck_assert_double_eq_tol(o.z, (log(101) - half) / (1.4826 * mad), 1e-9);
	ck_assert_double_eq_tol(outlier_z(&o, 2), (log(3) - half) / (1.4826 * mad), 1e-9);
	ck_assert(o.beyond);
	/* MAD 0 (4 of 5 equal): the 2% floor, z = ln(10 / 6) / 0.02 */
	ck_assert_int_eq(outlier_find(flat, 5, &o), 0);
	ck_assert_int_eq(o.index, 4);
	ck_assert_str_eq(o.spread_kind, "floor");
	ck_assert_double_eq_tol(o.z, log(10.0 / 6) / 0.02, 1e-9);
	ck_assert(o.beyond);
	/* Three hosts, two capped alike: the third is named (MeanAD could never pass 2.39). */
	ck_assert_int_eq(outlier_find(capped, 3, &o), 0);
	ck_assert_int_eq(o.index, 1);
	ck_assert_double_eq_tol(o.z, log(311.0 / 1001) / 0.02, 1e-9);
	ck_assert(o.beyond);
	/* Healthy members 50% apart (linear z -2.93) do not hide one at 300. */
	ck_assert_int_eq(outlier_find(loaded, 4, &o), 0);
	ck_assert_int_eq(o.index, 2);
	ck_assert(o.z < -OUTLIER_Z && o.beyond);
	/* Within 7.3% of identical peers: furthest, not an outlier. */
	ck_assert_int_eq(outlier_find(close, 4, &o), 0);
	ck_assert_int_eq(o.index, 2);
	ck_assert_double_eq_tol(o.z, log(951.0 / 1001) / 0.02, 1e-9);
	ck_assert(!o.beyond);
	/* NaN and negative members are skipped, and keep their index. */
	ck_assert_int_eq(outlier_find(skipped, 5, &o), 0);
	ck_assert_int_eq(o.index, 4);
	ck_assert(isnan(outlier_z(&o, -1)) && isnan(outlier_z(&o, NAN)));
	/* Fewer than three, or all equal: none. */
	ck_assert_int_eq(outlier_find(two, 2, &o), 1);
	ck_assert_int_eq(outlier_find(same, 3, &o), 1);
	ck_assert_int_eq(outlier_find(skipped, 4, &o), 1);
}
END_TEST

START_TEST(slow_host_is_the_outlier)
{
	json_t *docs[5], *fleet = NULL, *o;
	const char *hosts[] = { "h1", "h2", "h3", "h4", "h5" };
	static const unsigned ops[] = { 10000, 10100, 9900, 3000, 10050 };
	char err[512];
	size_t i;

	for (i = 0; i < 5; i++)
		docs[i] = host_doc((unsigned)i % 2, ops[i], i == 3 ? 9.0 : 1.0, "randread", hosts[i],
				   0, NULL, 0);
	ck_assert_int_eq(fleet_of(docs, NULL, 5, false, &fleet, err, sizeof(err)), MERGE_OK);
	o = json_object_get(json_object_get(json_object_get(fleet, "outliers"), "hosts"), "iops");
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "h4");
	ck_assert(json_is_true(json_object_get(o, "outlier")));
	ck_assert(json_number_value(json_object_get(o, "z")) < -OUTLIER_Z);
	/*
	 * IOPS 5000 5050 4950 1500 5025: on ln(1 + x), 1.4826 MAD = 0.0148 is
	 * under the 2% floor, so z = ln(1501 / 5001) / 0.02
	 */
	ck_assert_str_eq(json_string_value(json_object_get(o, "spread_kind")), "floor");
	ck_assert_double_eq_tol(json_number_value(json_object_get(o, "z")),
				log(1501.0 / 5001) / 0.02, 1e-6);
	o = json_object_get(json_object_get(json_object_get(fleet, "outliers"), "hosts"),
			    "lat_p99");
	ck_assert_str_eq(json_string_value(json_object_get(o, "name")), "h4");
	json_decref(fleet);
	for (i = 0; i < 5; i++)
		json_decref(docs[i]);
}
END_TEST

/* A host's results.cpu, as cost_cpu_json() writes it. */
static json_t *cpu_of(double win, int cpus, double tool_user, double tool_sys, double busy,
		      double idle, bool system)
{
	json_t *c = json_pack("{s:f, s:i, s:I, s:I, s:{s:f, s:f, s:I, s:I, s:f}, s:{s:f}, s:f}",
			      "window_s", win, "cpus", cpus, "interrupts", (json_int_t)1000,
			      "context_switches", (json_int_t)5000, "tool", "user_s", tool_user,
			      "system_s", tool_sys, "voluntary_ctxt", (json_int_t)10,
			      "involuntary_ctxt", (json_int_t)20, "pct", 99.0, "per_io_ns",
			      "tool", 1.0, "busy_pct", 99.0);

	if (system)
		json_object_set_new(c, "system", json_pack("{s:f, s:f, s:f, s:f, s:i}", "user_s",
			busy / 4, "system_s", busy * 3 / 4, "idle_s", idle, "busy_s", busy, "cpus",
			cpus));
	return c;
}

/* A fleet's CPU: the hosts' seconds and counts add, the shares come from the sums. */
START_TEST(fleet_cpu_adds)
{
	json_t *docs[3], *fleet = NULL, *c;
	static const unsigned ops[] = { 10000, 20000, 30000 };
	double tool = 0, busy = 0, all = 0, cap = 0;
	char err[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		docs[i] = host_doc((unsigned)i % 2, ops[i], 1.0, "randread", i == 0 ? "a" : i == 1 ?
				   "b" : "c", 0, NULL, 0);
		json_object_set_new(json_object_get(docs[i], "results"), "cpu",
				    cpu_of(2.0 + 0.1 * (double)i, 2 + 2 * (int)i, 0.1 * (double)(i + 1),
					   0.2 * (double)(i + 1), 1.0 + (double)i, 0.5, true));
		tool += 0.3 * (double)(i + 1);
		busy += 1.0 + (double)i;
		all += 1.0 + (double)i + 0.5;
		cap += (2.0 + 0.1 * (double)i) * (2 + 2 * (int)i);
	}
	ck_assert_int_eq(fleet_of(docs, NULL, 3, false, &fleet, err, sizeof(err)), MERGE_OK);
	c = json_object_get(json_object_get(fleet, "results"), "cpu");
	ck_assert_ptr_nonnull(c);
	ck_assert_double_eq_tol(json_number_value(json_object_get(c, "window_s")), 2.2, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "cpus")), 2 + 4 + 6);
	ck_assert_int_eq(json_integer_value(json_object_get(c, "interrupts")), 3000);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(c, "tool"),
				"pct")), 100 * tool / cap, 1e-9);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(c, "per_io_ns"),
				"tool")), tool * 1e9 / 60000, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(json_object_get(c, "per_io_ns"),
				"system")), busy * 1e9 / 60000, 1e-6);
	ck_assert_double_eq_tol(json_number_value(json_object_get(c, "busy_pct")),
				100 * busy / all, 1e-9);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(c, "system"), "cpus")),
			 12);
	json_decref(fleet);
	/* A host without /proc/stat: the tool's figures only. */
	json_object_set_new(json_object_get(docs[1], "results"), "cpu",
			    cpu_of(2.1, 4, 0.2, 0.4, 2.0, 0.5, false));
	ck_assert_int_eq(fleet_of(docs, NULL, 3, false, &fleet, err, sizeof(err)), MERGE_OK);
	c = json_object_get(json_object_get(fleet, "results"), "cpu");
	ck_assert_ptr_nonnull(json_object_get(json_object_get(c, "per_io_ns"), "tool"));
	ck_assert_ptr_null(json_object_get(c, "system"));
	ck_assert_ptr_null(json_object_get(json_object_get(c, "per_io_ns"), "system"));
	json_decref(fleet);
	/* A host without CPU figures: none for the fleet, not a share of it. */
	json_object_del(json_object_get(docs[2], "results"), "cpu");
	ck_assert_int_eq(fleet_of(docs, NULL, 3, false, &fleet, err, sizeof(err)), MERGE_OK);
	ck_assert_ptr_null(json_object_get(json_object_get(fleet, "results"), "cpu"));
	json_decref(fleet);
	for (i = 0; i < 3; i++)
		json_decref(docs[i]);
}
END_TEST

/* Runs of every host merge run by run; compare then judges each host and the fleet. */
START_TEST(fleet_compare_per_host)
{
	json_t *base[3], *run[3], *fb = NULL, *fr = NULL, *cj, *v, *x;
	const char *hosts[] = { "h1", "h2", "h3" };
	struct compare_cfg cfg;
	struct comparison c;
	char err[512];
	size_t i;

	for (i = 0; i < 3; i++) {
		base[i] = host_doc((unsigned)i, 10000, 1, "randread", hosts[i], 0, NULL, 8);
		/* h3 lost 60% of its IOPS in the run. */
		run[i] = host_doc((unsigned)i, i == 2 ? 4000 : 10000, 1, "randread", hosts[i], 0,
				  NULL, 8);
	}
	ck_assert_int_eq(fleet_of(base, NULL, 3, false, &fb, err, sizeof(err)), MERGE_OK);
	ck_assert_int_eq(fleet_of(run, NULL, 3, false, &fr, err, sizeof(err)), MERGE_OK);
	ck_assert_int_eq(json_array_size(json_object_get(fr, "runs")), 8);
	x = json_array_get(json_object_get(fr, "runs"), 0);
	ck_assert_int_eq(json_array_size(json_object_get(x, "hosts")), 3);
	compare_cfg_defaults(&cfg);
	cfg.gate = "*/total.iops";
	ck_assert_int_eq(compare_docs(fb, fr, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), 1);
	cj = comparison_json(&c);
	v = json_object_get(cj, "verdicts");
	ck_assert_int_eq(json_array_size(v), 4);
	json_array_foreach(v, i, x) {
		const char *g = json_string_value(json_object_get(x, "group"));
		const char *verdict = json_string_value(json_object_get(x, "verdict"));

		if (!strcmp(g, "host h1") || !strcmp(g, "host h2"))
			ck_assert_str_eq(verdict, "pass");
		else
			ck_assert_msg(!strcmp(verdict, "regression"), "%s: %s", g, verdict);
	}
	json_decref(cj);
	comparison_free(&c);
	/* The default gate judges each host on its own metrics too. */
	cfg.gate = NULL;
	ck_assert_int_eq(compare_docs(fb, fr, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), 1);
	cj = comparison_json(&c);
	v = json_object_get(cj, "verdicts");
	json_array_foreach(v, i, x)
		if (!strcmp(json_string_value(json_object_get(x, "group")), "host h3"))
			ck_assert_str_eq(json_string_value(json_object_get(x, "verdict")),
					 "regression");
		else if (strcmp(json_string_value(json_object_get(x, "group")), "all"))
			ck_assert_str_eq(json_string_value(json_object_get(x, "verdict")), "pass");
	json_decref(cj);
	comparison_free(&c);
	cfg.gate = "*/total.iops";
	/* The same fleet against itself passes, every host too. */
	ck_assert_int_eq(compare_docs(fb, fb, "base", &cfg, &c, err, sizeof(err)), 0);
	ck_assert_int_eq(comparison_exit_status(&c), 0);
	comparison_free(&c);
	json_decref(fb);
	json_decref(fr);
	for (i = 0; i < 3; i++) {
		json_decref(base[i]);
		json_decref(run[i]);
	}
}
END_TEST

static Suite *merge_suite(void)
{
	Suite *s = suite_create("merge");
	TCase *tc = tcase_create("merge");

	tcase_add_test(tc, sums_and_union_percentiles);
	tcase_add_test(tc, intervals_on_the_wall_clock);
	tcase_add_test(tc, refusals);
	tcase_add_test(tc, outlier_textbook);
	tcase_add_test(tc, slow_host_is_the_outlier);
	tcase_add_test(tc, fleet_cpu_adds);
	tcase_add_test(tc, fleet_compare_per_host);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(merge_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
