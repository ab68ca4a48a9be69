/*
 * The paired (interleaved) comparison: the Wilcoxon signed-rank test, the
 * one-sample Hodges-Lehmann estimate and its CI, paired_compare()
 * (paired.h).
 *
 * Reference values are textbook examples (R's ?wilcox.test, Hollander &
 * Wolfe) or were computed independently with a throwaway Python script
 * (enumeration of every sign pattern, every Walsh average sorted); they
 * are stated where used.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/prng.h"
#include "stats/paired.h"
#include "datasets.h"

static double gauss(struct prng *r)
{
	double u1 = 1.0 - prng_unit(r), u2 = prng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- paired --------------------------------------------------------------------- */

START_TEST(wsr_cdf_small)
{
	/* subsets of {1,2,3} by sum: 0,1,2,3,3,4,5,6 -> counts 1,1,1,2,1,1,1 of 8 */
	static const double want[] = { 1, 2, 3, 5, 6, 7, 8 };
	double cdf[7], big[50 * 51 / 2 + 1];
	size_t v;

	ck_assert_int_eq(wsr_exact_cdf(3, cdf), 0);
	for (v = 0; v < 7; v++)
		ck_assert_double_eq_tol(cdf[v], want[v] / 8.0, 1e-16);
	ck_assert_int_eq(wsr_exact_cdf(50, big), 0);
	ck_assert_double_eq(big[0], ldexp(1.0, -50));
	ck_assert_double_eq(big[1275], 1.0);
	for (v = 0; v < 637; v++)	/* symmetric about 637.5 */
		ck_assert_double_eq_tol(big[v], 1.0 - big[1274 - v], 1e-14);
	errno = 0;
	ck_assert_int_eq(wsr_exact_cdf(51, big), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(wsr_exact_cdf(0, big), -1);
}
END_TEST

/*
 * R's ?wilcox.test example (Hollander & Wolfe 1973, p. 29: Hamilton
 * depression scale, first and second visit): wilcox.test(x, y, paired =
 * TRUE, alternative = "greater") prints V = 40, p-value = 0.01953; the
 * two-sided exact p is twice: 0.0390625 = 20/512. HL and the exact CI
 * (ranks 6 and 40 of the 45 Walsh averages, coverage 1 - 2 * 5/512 =
 * 0.9609375) from the Python enumeration: 0.46, [0.01, 0.786].
 */
START_TEST(wsr_depression)
{
	static const double x[] = { 1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30 };
	static const double y[] = { 0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29 };
	double d[9];
	struct wsr_result w;
	struct hl1_est h;
	size_t i;

	for (i = 0; i < 9; i++)
		d[i] = x[i] - y[i];
	ck_assert_int_eq(wsr_test(d, 9, &w), 0);
	ck_assert_double_eq(w.v, 40.0);
	ck_assert(w.exact && !w.ties);
	ck_assert_uint_eq(w.zeros, 0);
	ck_assert_double_eq_tol(w.p, 0.0390625, 1e-15);
	ck_assert_int_eq(hl_onesample(d, 9, 0.95, &h), 0);
	ck_assert(h.ci_exact);
	ck_assert_double_eq_tol(h.est, 0.46, 1e-14);
	ck_assert_double_eq_tol(h.ci_low, 0.01, 1e-14);
	ck_assert_double_eq_tol(h.ci_high, 0.786, 1e-14);
	ck_assert_double_eq_tol(h.ci_level, 0.9609375, 1e-15);
}
END_TEST

/*
 * Ties and a zero: R's wilcox.test(extra ~ group, data = sleep, paired =
 * TRUE) prints V = 0, p-value = 0.009091 ("cannot compute exact p-value
 * with ties / zeroes"): the zero dropped, n = 9, one tie pair at 1.3,
 * sigma = sqrt(9*10*19/24 - 6/48), z = (0 - 22.5 + 0.5) / sigma;
 * Python: 0.009090698015925061. HL over all 10 differences (zero kept) and
 * the normal-approximation ranks: -1.3, [-2.8, -0.8] at ranks 8 and 48,
 * coverage 0.9586410895181056.
 */
START_TEST(wsr_sleep_ties_zero)
{
	double d[10];
	struct wsr_result w;
	struct hl1_est h;
	size_t i;

	for (i = 0; i < 10; i++)
		d[i] = sleep1[i] - sleep2[i];
	ck_assert_int_eq(wsr_test(d, 10, &w), 0);
	ck_assert_double_eq(w.v, 0.0);
	ck_assert_uint_eq(w.n, 9);
	ck_assert_uint_eq(w.zeros, 1);
	ck_assert(w.ties && !w.exact);
	ck_assert_double_eq_tol(w.sigma, 8.4335638967165, 1e-12);
	ck_assert_double_eq_tol(w.z, -2.60862433360651, 1e-12);
	ck_assert_double_eq_tol(w.p, 0.009090698015925061, 1e-15);
	ck_assert_int_eq(hl_onesample(d, 10, 0.95, &h), 0);
	ck_assert(!h.ci_exact);
	ck_assert_double_eq_tol(h.est, -1.3, 1e-14);
	ck_assert_double_eq_tol(h.ci_low, -2.8, 1e-14);
	ck_assert_double_eq_tol(h.ci_high, -0.8, 1e-14);
	ck_assert_double_eq_tol(h.ci_level, 0.9586410895181056, 1e-13);
}
END_TEST

/*
 * Zeros are dropped before ranking (Wilcoxon's method, R's default):
 * d = 0, 0.5, 1, -0.2, 2, 0.3 ranks the five nonzero |d| 1..5, V = 2+3+4+5
 * = 14 (18 if the zero took rank 1); with a zero the normal approximation
 * applies: z = (14 - 7.5 - 0.5) / sqrt(13.75), p = 0.10564542920187693
 * (R: wilcox.test(c(0, 0.5, 1, -0.2, 2, 0.3)) gives V = 14, p = 0.1056).
 */
START_TEST(wsr_zero_dropped)
{
	static const double d[] = { 0, 0.5, 1, -0.2, 2, 0.3 };
	struct wsr_result w;

	ck_assert_int_eq(wsr_test(d, 6, &w), 0);
	ck_assert_uint_eq(w.n, 5);
	ck_assert_uint_eq(w.zeros, 1);
	ck_assert_double_eq(w.v, 14.0);
	ck_assert(!w.exact && !w.ties);
	ck_assert_double_eq_tol(w.z, 1.618079669911781, 1e-13);
	ck_assert_double_eq_tol(w.p, 0.10564542920187693, 1e-14);
}
END_TEST

static int cmp_dbl(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/*
 * Against brute force: every sign pattern for the exact p (2^n), every
 * Walsh average sorted for the estimate and the CI bounds, for n = 1..12
 * and tie-free values, and n = 60 (normal branch) for the Walsh order
 * statistics.
 */
START_TEST(wsr_bruteforce)
{
	struct prng r;
	size_t n, i, j;

	prng_seed(&r, 31, 4);
	for (n = 1; n <= 12; n++) {
		double d[12], w[78], v_obs = 0;
		uint64_t le = 0, ge = 0;
		struct wsr_result t;
		struct hl1_est h;
		unsigned mask;
		size_t m = 0, order[12];

		/* distinct magnitudes 1..n (ranks known), random signs, random order */
		for (i = 0; i < n; i++) {
			order[i] = i;
		}
		for (i = n; i-- > 1;) {
			size_t k = prng_below(&r, i + 1), tmp = order[i];

			order[i] = order[k];
			order[k] = tmp;
		}
		for (i = 0; i < n; i++) {
			d[i] = (double)(order[i] + 1) * 0.37 * (prng_below(&r, 2) ? 1.0 : -1.0);
			if (d[i] > 0)
				v_obs += (double)(order[i] + 1);
		}
		for (mask = 0; mask < (1u << n); mask++) {
			double v = 0;

			for (i = 0; i < n; i++)
				if (mask >> i & 1)
					v += (double)(i + 1);
			le += v <= v_obs;
			ge += v >= v_obs;
		}
		ck_assert_int_eq(wsr_test(d, n, &t), 0);
		ck_assert(t.exact);
		ck_assert_double_eq(t.v, v_obs);
		ck_assert_double_eq_tol(t.p, fmin(1.0, 2.0 * (double)(le < ge ? le : ge) / (double)(1u << n)),
					1e-15);
		for (i = 0; i < n; i++)
			for (j = i; j < n; j++)
				w[m++] = (d[i] + d[j]) / 2.0;
		qsort(w, m, sizeof(*w), cmp_dbl);
		ck_assert_int_eq(hl_onesample(d, n, 0.95, &h), 0);
		ck_assert_double_eq(h.est, m % 2 ? w[m / 2] : 0.5 * (w[m / 2 - 1] + w[m / 2]));
		ck_assert(h.ci_low <= h.est && h.est <= h.ci_high);
		/* the bounds are Walsh averages, symmetric in rank */
		for (i = 0; i < m && w[i] != h.ci_low; i++)
			;
		ck_assert_msg(i < m && w[m - 1 - i] == h.ci_high, "n=%zu", n);
	}
	{
		enum { M = 60 };
		double d[M], *w = malloc(M * (M + 1) / 2 * sizeof(*w));
		struct hl1_est h;
		size_t m = 0, k;
		double sigma = sqrt(M * (M + 1.0) * (2.0 * M + 1.0) / 24.0);

		ck_assert_ptr_nonnull(w);
		for (i = 0; i < M; i++)
			d[i] = 0.02 + 0.05 * gauss(&r);
		for (i = 0; i < M; i++)
			for (j = i; j < M; j++)
				w[m++] = (d[i] + d[j]) / 2.0;
		qsort(w, m, sizeof(*w), cmp_dbl);
		ck_assert_int_eq(hl_onesample(d, M, 0.95, &h), 0);
		ck_assert(!h.ci_exact);
		ck_assert_double_eq(h.est, 0.5 * (w[m / 2 - 1] + w[m / 2]));
		k = (size_t)ceil(m / 2.0 - 0.5 - 1.959963984540054 * sigma);
		ck_assert_double_eq(h.ci_low, w[k - 1]);
		ck_assert_double_eq(h.ci_high, w[m - k]);
		free(w);
	}
}
END_TEST

/*
 * A reference A and a target B 5% slower with 2% pair noise, 12 pairs:
 * the overhead is found with its CI, the paired t agrees. Then the edge
 * cases: all pairs equal, one pair, too few pairs, bad values.
 */
START_TEST(paired_compare_cases)
{
	double a[12], b[12];
	struct paired_result p;
	struct prng r;
	size_t i;

	prng_seed(&r, 12, 12);
	for (i = 0; i < 12; i++) {
		a[i] = 50000.0 * (1.0 + 0.3 * prng_unit(&r));	/* the machine drifts */
		b[i] = a[i] * 0.95 * exp(0.02 * gauss(&r));
	}
	ck_assert_int_eq(paired_compare(a, b, 12, 0.05, &p), 0);
	ck_assert(p.testable && p.p_exact);
	ck_assert(p.p < 0.001);
	ck_assert_double_eq_tol(p.hl_pct, -5.0, 1.5);
	ck_assert(p.ci_low_pct < p.hl_pct && p.hl_pct < p.ci_high_pct);
	ck_assert(p.ci_low_pct < -5.0 && p.ci_high_pct > -5.0);
	ck_assert(p.ci_low_pct > -100.0);
	ck_assert_double_eq_tol(p.t_pct, p.hl_pct, 1.0);
	ck_assert_double_eq_tol(p.sd_log, 0.02, 0.012);
	ck_assert_uint_eq(p.pairs_needed, 6);

	/* no difference at all */
	ck_assert_int_eq(paired_compare(a, a, 12, 0.05, &p), 0);
	ck_assert_uint_eq(p.zeros, 12);
	ck_assert_double_eq(p.p, 1.0);
	ck_assert_double_eq(p.hl_pct, 0.0);
	ck_assert_double_eq(p.ci_low_pct, 0.0);
	ck_assert_double_eq(p.ci_high_pct, 0.0);
	ck_assert(!p.testable);
	ck_assert_double_eq(p.sd_log, 0.0);
	/* one pair */
	ck_assert_int_eq(paired_compare(a, b, 1, 0.05, &p), 0);
	ck_assert(!p.testable);
	ck_assert(isnan(p.sd_log) && isnan(p.t_pct));
	ck_assert_double_eq_tol(p.hl_pct, (b[0] / a[0] - 1.0) * 100.0, 1e-10);
	/* five pairs cannot reach 0.05, six can */
	ck_assert_int_eq(paired_compare(a, b, 5, 0.05, &p), 0);
	ck_assert(!p.testable);
	ck_assert_double_eq_tol(p.p_floor, 0.0625, 1e-15);
	ck_assert_double_eq_tol(p.p, 0.0625, 1e-15);	/* all five below: the floor */
	ck_assert_int_eq(paired_compare(a, b, 6, 0.05, &p), 0);
	ck_assert(p.testable);
	ck_assert_double_eq_tol(p.p, 0.03125, 1e-15);
	/* bad input */
	errno = 0;
	b[3] = 0.0;
	ck_assert_int_eq(paired_compare(a, b, 12, 0.05, &p), -1);
	ck_assert_int_eq(errno, EINVAL);
	b[3] = NAN;
	ck_assert_int_eq(paired_compare(a, b, 12, 0.05, &p), -1);
	ck_assert_int_eq(paired_compare(a, a, 0, 0.05, &p), -1);
	ck_assert_int_eq(paired_compare(a, a, 3, 1.5, &p), -1);
	ck_assert_int_eq(wsr_test(a, 0, NULL), -1);
	{
		struct hl1_est h;

		ck_assert_int_eq(hl_onesample(a, 3, 0.0, &h), -1);
		ck_assert_int_eq(hl_onesample(a, 0, 0.95, &h), -1);
	}
}
END_TEST

/*
 * Coverage of the paired CI: 400 simulated sets of 10 pairs with a true
 * log ratio of -0.05; the exact CI (nominal >= 95%, achieved 0.9609 at
 * n = 10) must cover it 92%..99% of the time.
 */
START_TEST(paired_ci_coverage)
{
	struct prng r;
	unsigned t, hit = 0, trials = 400;

	prng_seed(&r, 2025, 10);
	for (t = 0; t < trials; t++) {
		double d[10];
		struct hl1_est h;
		size_t i;

		for (i = 0; i < 10; i++)
			d[i] = -0.05 + 0.03 * gauss(&r);
		ck_assert_int_eq(hl_onesample(d, 10, 0.95, &h), 0);
		hit += h.ci_low <= -0.05 && -0.05 <= h.ci_high;
	}
	ck_assert_msg(hit >= 0.92 * trials && hit <= 0.99 * trials, "coverage %u/%u", hit, trials);
}
END_TEST

static Suite *paired_suite(void)
{
	Suite *s = suite_create("paired");
	TCase *pr = tcase_create("paired");

	tcase_add_test(pr, wsr_cdf_small);
	tcase_add_test(pr, wsr_depression);
	tcase_add_test(pr, wsr_sleep_ties_zero);
	tcase_add_test(pr, wsr_zero_dropped);
	tcase_add_test(pr, wsr_bruteforce);
	tcase_add_test(pr, paired_compare_cases);
	tcase_add_test(pr, paired_ci_coverage);
	suite_add_tcase(s, pr);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(paired_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
