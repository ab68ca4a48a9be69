/*
 * The latency histogram against exact answers: percentiles of a million
 * samples compared with a sorted copy, merging, and the edge cases (empty,
 * tiny, huge values) that a run can produce.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/prng.h"
#include "result/hist_json.h"
#include "stats/hist.h"

#define NSAMPLES 1000000u
#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/*
 * Every ck_assert records its location through Check's pipe, a system call
 * each; loops over every bucket use this instead, which only calls into
 * Check when the condition fails.
 */
#define REQUIRE(cond, ...)                          \
	do {                                        \
		if (!(cond))                        \
			ck_abort_msg(__VA_ARGS__);  \
	} while (0)

/* Uniform over 1..10^6 ns. */
static uint64_t dist_uniform(struct prng *r)
{
	return 1 + prng_below(r, 1000000);
}

/* Log-uniform over 100 ns .. 10 s: every decade equally likely. */
static uint64_t dist_loguniform(struct prng *r)
{
	double lo = log(100.0), hi = log(1e10);

	return (uint64_t)exp(lo + prng_unit(r) * (hi - lo));
}

/* Exponential with a 1 ms mean: a long right tail. */
static uint64_t dist_exponential(struct prng *r)
{
	return 1 + (uint64_t)(-1e6 * log(1.0 - prng_unit(r)));
}

/* Cache hits around 20-30 us, 20% misses around 2-3 ms. */
static uint64_t dist_bimodal(struct prng *r)
{
	if (prng_below(r, 100) < 80)
		return 20000 + prng_below(r, 10000);
	return 2000000 + prng_below(r, 1000000);
}

static const struct {
	const char *name;
	uint64_t (*draw)(struct prng *r);
} dists[] = {
	{ "uniform", dist_uniform },
	{ "log-uniform", dist_loguniform },
	{ "exponential", dist_exponential },
	{ "bimodal", dist_bimodal },
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the sample of rank ceil(p/100 * n), 1-based. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p)
{
	uint64_t rank = (uint64_t)ceil(p / 100.0 * (double)n);

	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

START_TEST(percentiles_match_exact)
{
	static const double ps[] = { 50, 90, 99, 99.9, 99.99 };
	/* What hist.h promises for bucket midpoints: 2^-(bits+1). */
	const double bound = ldexp(1.0, -(HIST_BITS_PRECISE + 1));
	uint64_t *v = malloc(NSAMPLES * sizeof(*v));
	uint64_t sum = 0, min = UINT64_MAX, max = 0;
	long double mean;
	struct hist h;
	struct prng r;
	size_t i;
	int k;

	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	prng_seed(&r, 20240601, (uint64_t)_i);
	for (i = 0; i < NSAMPLES; i++) {
		v[i] = dists[_i].draw(&r);
		hist_record(&h, v[i]);
		sum += v[i];
		if (v[i] < min)
			min = v[i];
		if (v[i] > max)
			max = v[i];
	}
	qsort(v, NSAMPLES, sizeof(*v), cmp_u64);

	ck_assert_uint_eq(h.count, NSAMPLES);
	ck_assert_uint_eq(h.sum, sum);
	ck_assert_uint_eq(h.min, min);
	ck_assert_uint_eq(h.max, max);
	ck_assert_uint_eq(hist_percentile(&h, 100.0), max);
	mean = (long double)sum / NSAMPLES;
	ck_assert_msg(fabsl((long double)hist_mean(&h) - mean) <= 1e-9L * mean,
		      "%s: mean %.6f, exact %.6Lf", dists[_i].name, hist_mean(&h), mean);

	for (k = 0; k < N(ps); k++) {
		uint64_t want = exact_percentile(v, NSAMPLES, ps[k]);
		uint64_t got = hist_percentile(&h, ps[k]);
		double err = fabs((double)got - (double)want) / (double)want;

		ck_assert_msg(err < 0.01 && err <= bound,
			      "%s p%g: histogram %llu, exact %llu (error %.4f%%)",
			      dists[_i].name, ps[k], (unsigned long long)got,
			      (unsigned long long)want, err * 100);
	}
	/* The smallest rank lands in min's bucket, clamped to min. */
	ck_assert_uint_ge(hist_percentile(&h, 1e-9), min);
	ck_assert_double_le(fabs((double)hist_percentile(&h, 1e-9) - (double)min) / (double)min,
			    bound);
	hist_free(&h);
	free(v);
}
END_TEST

static void assert_hist_eq(const struct hist *a, const struct hist *b)
{
	uint32_t i;

	ck_assert_uint_eq(a->nbuckets, b->nbuckets);
	for (i = 0; i < a->nbuckets; i++)
		REQUIRE(a->buckets[i] == b->buckets[i], "bucket %u: %llu vs %llu", i,
			(unsigned long long)a->buckets[i], (unsigned long long)b->buckets[i]);
	ck_assert_uint_eq(a->count, b->count);
	ck_assert_uint_eq(a->sum, b->sum);
	ck_assert_uint_eq(a->min, b->min);
	ck_assert_uint_eq(a->max, b->max);
}

START_TEST(merge_equals_single)
{
	enum { PARTS = 5 };  /* the last part stays empty */
	struct hist parts[PARTS], all, merged;
	struct prng r;
	unsigned i;

	ck_assert_int_eq(hist_init(&all, HIST_BITS_PRECISE), 0);
	ck_assert_int_eq(hist_init(&merged, HIST_BITS_PRECISE), 0);
	for (i = 0; i < PARTS; i++)
		ck_assert_int_eq(hist_init(&parts[i], HIST_BITS_PRECISE), 0);
	prng_seed(&r, 7, 0);
	for (i = 0; i < 200000; i++) {
		uint64_t v = i & 1 ? dist_bimodal(&r) : dist_loguniform(&r);

		hist_record(&all, v);
		hist_record(&parts[prng_below(&r, PARTS - 1)], v);
	}
	/* The extremes in different parts, so min and max come from merging. */
	hist_record(&all, 3);
	hist_record(&parts[0], 3);
	hist_record(&all, 1ULL << 40);
	hist_record(&parts[3], 1ULL << 40);

	for (i = 0; i < PARTS; i++)
		hist_merge(&merged, &parts[i]);
	assert_hist_eq(&merged, &all);
	ck_assert_uint_eq(merged.min, 3);
	ck_assert_uint_eq(merged.max, 1ULL << 40);
	ck_assert_uint_eq(hist_percentile(&merged, 99.0), hist_percentile(&all, 99.0));

	/* Merging an empty histogram changes nothing, min included. */
	hist_merge(&merged, &parts[PARTS - 1]);
	assert_hist_eq(&merged, &all);

	for (i = 0; i < PARTS; i++)
		hist_free(&parts[i]);
	hist_free(&all);
	hist_free(&merged);
}
END_TEST

START_TEST(empty)
{
	struct hist h;

	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	ck_assert_uint_eq(h.count, 0);
	ck_assert_uint_eq(hist_percentile(&h, 50.0), 0);
	ck_assert_uint_eq(hist_percentile(&h, 99.99), 0);
	ck_assert_uint_eq(hist_percentile(&h, 100.0), 0);
	ck_assert_double_eq(hist_mean(&h), 0.0);
	hist_free(&h);
	ck_assert_ptr_null(h.buckets);
}
END_TEST

START_TEST(single_value)
{
	static const uint64_t values[] = { 0, 1, 127, 128, 12345, 999999937, 1ULL << 41 };
	static const double ps[] = { 1e-6, 1, 50, 99.99, 100 };
	unsigned i, k;

	for (i = 0; i < (unsigned)N(values); i++) {
		struct hist h;

		ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
		hist_record(&h, values[i]);
		ck_assert_uint_eq(h.count, 1);
		ck_assert_uint_eq(h.min, values[i]);
		ck_assert_uint_eq(h.max, values[i]);
		ck_assert_double_eq(hist_mean(&h), (double)values[i]);
		/* Clamping to [min, max] makes a lone sample exact. */
		for (k = 0; k < (unsigned)N(ps); k++)
			ck_assert_uint_eq(hist_percentile(&h, ps[k]), values[i]);
		hist_free(&h);
	}
}
END_TEST

START_TEST(small_values_exact)
{
	struct hist h;
	uint64_t v, lo, width;
	unsigned k;
	const unsigned sub = 1u << HIST_BITS_PRECISE;

	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	for (v = 0; v < sub; v++) {
		ck_assert_uint_eq(hist_index(&h, v), v);
		hist_bucket_range(&h, (uint32_t)v, &lo, &width);
		ck_assert_uint_eq(lo, v);
		ck_assert_uint_eq(width, 1);
		hist_record(&h, v);
	}
	/* Rank k holds value k - 1 exactly; aim at the middle of each rank. */
	for (k = 1; k <= sub; k++)
		ck_assert_uint_eq(hist_percentile(&h, 100.0 * (k - 0.5) / sub), k - 1);
	ck_assert_uint_eq(h.min, 0);
	ck_assert_uint_eq(h.max, sub - 1);
	ck_assert_uint_eq(h.sum, (uint64_t)sub * (sub - 1) / 2);
	ck_assert_uint_eq(h.buckets[0], 1);
	hist_free(&h);
}
END_TEST

START_TEST(huge_values_clamp)
{
	static const uint64_t huge[] = {
		1ULL << HIST_MAX_MAGNITUDE, (1ULL << 50) + 12345, UINT64_MAX / 4,
	};
	struct hist h;
	unsigned i;

	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	/* The last value the buckets represent still has its own bucket... */
	ck_assert_uint_eq(hist_index(&h, (1ULL << HIST_MAX_MAGNITUDE) - 1), h.nbuckets - 1);
	for (i = 0; i < (unsigned)N(huge); i++)
		ck_assert_uint_eq(hist_index(&h, huge[i]), h.nbuckets - 1);
	ck_assert_uint_eq(hist_index(&h, UINT64_MAX), h.nbuckets - 1);

	/* ...and larger ones pile into it, while max stays exact. */
	hist_record(&h, 100);
	for (i = 0; i < (unsigned)N(huge); i++)
		hist_record(&h, huge[i]);
	ck_assert_uint_eq(h.buckets[h.nbuckets - 1], N(huge));
	ck_assert_uint_eq(h.max, UINT64_MAX / 4);
	ck_assert_uint_eq(h.min, 100);
	ck_assert_uint_eq(hist_percentile(&h, 100.0), UINT64_MAX / 4);
	ck_assert_uint_eq(hist_percentile(&h, 10.0), 100);
	/* 100 is below 2^bits, so exact; a clamped percentile never leaves [min, max]. */
	ck_assert_uint_ge(hist_percentile(&h, 99.0), 100);
	ck_assert_uint_le(hist_percentile(&h, 99.0), UINT64_MAX / 4);
	hist_free(&h);
}
END_TEST

START_TEST(reset)
{
	struct hist h, fresh;
	struct prng r;
	unsigned i;

	ck_assert_int_eq(hist_init(&h, HIST_BITS_PRECISE), 0);
	ck_assert_int_eq(hist_init(&fresh, HIST_BITS_PRECISE), 0);
	prng_seed(&r, 99, 1);
	for (i = 0; i < 10000; i++)
		hist_record(&h, dist_loguniform(&r));
	hist_reset(&h);
	assert_hist_eq(&h, &fresh);
	ck_assert_uint_eq(hist_percentile(&h, 50.0), 0);
	ck_assert_double_eq(hist_mean(&h), 0.0);

	/* After a reset, min must come from new samples, not the old ones. */
	hist_record(&h, 5000000);
	hist_record(&fresh, 5000000);
	assert_hist_eq(&h, &fresh);
	ck_assert_uint_eq(h.min, 5000000);
	hist_free(&h);
	hist_free(&fresh);
}
END_TEST

/* Every bits setting: buckets tile [0, 2^MAX_MAGNITUDE) with no gap or overlap. */
START_TEST(bucket_ranges_contiguous)
{
	unsigned bits = (unsigned)_i;
	uint64_t lo, width, next = 0;
	struct hist h;
	uint32_t i;

	ck_assert_int_eq(hist_init(&h, bits), 0);
	for (i = 0; i < h.nbuckets; i++) {
		hist_bucket_range(&h, i, &lo, &width);
		REQUIRE(lo == next, "bits %u bucket %u starts at %llu, previous ended at %llu",
			bits, i, (unsigned long long)lo, (unsigned long long)next);
		REQUIRE(width >= 1, "bits %u bucket %u is empty", bits, i);
		/* Both ends of the range map back to this bucket. */
		REQUIRE(hist_index(&h, lo) == i && hist_index(&h, lo + width - 1) == i,
			"bits %u bucket %u: [%llu, +%llu) indexes elsewhere", bits, i,
			(unsigned long long)lo, (unsigned long long)width);
		/* Width is at most 2^-bits of the bucket's values. */
		REQUIRE(lo < (1ULL << bits) || (width << bits) <= lo,
			"bits %u bucket %u too wide", bits, i);
		next = lo + width;
	}
	ck_assert_uint_eq(next, 1ULL << HIST_MAX_MAGNITUDE);
	hist_free(&h);
}
END_TEST

/* The schema 2 string form: every bucket, count, sum and extreme survives a round trip. */
START_TEST(json_round_trip)
{
	struct hist h, back;
	uint64_t x = 88172645463325252ULL;
	char err[200];
	json_t *j;
	uint32_t i;
	int k;

	ck_assert_int_eq(hist_init(&h, 7), 0);
	for (k = 0; k < 20000; k++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		hist_record(&h, (x % 5000000) * (k % 3 ? 1 : 977));
	}
	j = hist_json(&h);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(json_string_value(json_object_get(j, "enc")), "d1");
	ck_assert_msg(hist_from_json(j, NULL, &back, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(back.bits, h.bits);
	ck_assert_uint_eq(back.count, h.count);
	ck_assert_uint_eq(back.sum, h.sum);
	ck_assert_uint_eq(back.min, h.min);
	ck_assert_uint_eq(back.max, h.max);
	for (i = 0; i < h.nbuckets; i++)
		REQUIRE(back.buckets[i] == h.buckets[i], "bucket %u: %llu, not %llu", i,
			(unsigned long long)back.buckets[i], (unsigned long long)h.buckets[i]);
	hist_free(&back);
	json_decref(j);
	/* An empty histogram: an empty string, and back. */
	hist_reset(&h);
	j = hist_json(&h);
	ck_assert_str_eq(json_string_value(json_object_get(j, "buckets")), "");
	ck_assert_int_eq(hist_from_json(j, NULL, &back, err, sizeof(err)), 0);
	ck_assert_uint_eq(back.count, 0);
	hist_free(&back);
	json_decref(j);
	hist_free(&h);
}
END_TEST

/* Schema 1 pairs decode to the same buckets; the summary supplies min, max, mean. */
START_TEST(json_schema1_pairs)
{
	json_t *j = json_pack("{s:i, s:[[i,i],[i,i]]}", "bits", 7, "buckets", 300, 2, 5, 1);
	json_t *lat = json_pack("{s:i, s:i, s:f}", "min", 5, "max", 1400, "mean", 700.0);
	struct hist h;
	char err[200];

	ck_assert_msg(hist_from_json(j, lat, &h, err, sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(h.count, 3);
	ck_assert_uint_eq(h.buckets[300], 2);
	ck_assert_uint_eq(h.buckets[5], 1);
	ck_assert_uint_eq(h.min, 5);
	ck_assert_uint_eq(h.max, 1400);
	ck_assert_uint_eq(h.sum, 2100);
	hist_free(&h);
	json_decref(j);
	json_decref(lat);
}
END_TEST

/* Malformed histograms are refused with a reason, nothing allocated. */
START_TEST(json_malformed)
{
	static const char *const bad[] = {
		"10:0", "10:5,0:5", "x", "10:5,", "-1:5", "10:5;11:5", "99999999999:1",
		"5:1,18446744073709551615:1", ":5", "5:", "5:1,,6:1", "5:+1",
	};
	struct hist h;
	char err[200];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *j = json_pack("{s:i, s:s}", "bits", 7, "buckets", bad[i]);

		err[0] = '\0';
		REQUIRE(hist_from_json(j, NULL, &h, err, sizeof(err)) == -1, "'%s' accepted", bad[i]);
		REQUIRE(err[0], "'%s' refused without a reason", bad[i]);
		json_decref(j);
	}
	{
		json_t *j = json_pack("{s:i, s:i, s:s}", "bits", 7, "count", 3, "buckets", "5:1");

		ck_assert_int_eq(hist_from_json(j, NULL, &h, err, sizeof(err)), -1);
		ck_assert_ptr_nonnull(strstr(err, "count"));
		json_decref(j);
	}
	{
		json_t *j = json_pack("{s:i, s:s}", "bits", 70, "buckets", "5:1");

		ck_assert_int_eq(hist_from_json(j, NULL, &h, err, sizeof(err)), -1);
		json_decref(j);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hist");
	TCase *acc = tcase_create("accuracy");
	TCase *tc = tcase_create("structure");
	SRunner *sr;
	int failed;

	tcase_add_loop_test(acc, percentiles_match_exact, 0, N(dists));
	tcase_set_timeout(acc, 60);
	suite_add_tcase(s, acc);

	tcase_add_test(tc, merge_equals_single);
	tcase_add_test(tc, empty);
	tcase_add_test(tc, single_value);
	tcase_add_test(tc, small_values_exact);
	tcase_add_test(tc, huge_values_clamp);
	tcase_add_test(tc, reset);
	tcase_add_loop_test(tc, bucket_ranges_contiguous, 0, 13);
	tcase_add_test(tc, json_round_trip);
	tcase_add_test(tc, json_schema1_pairs);
	tcase_add_test(tc, json_malformed);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
