/*
 * Statistics behind baseline comparisons: Mann-Whitney U, Hodges-Lehmann
 * shift, verdicts. Reference values come from published examples (cited at
 * each) and were cross-checked with an independent Python enumeration of
 * the exact null distribution (no scipy needed).
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/prng.h"
#include "stats/mwu.h"
#include "stats/shift.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

/* Standard normal by Box-Muller from a fixed-seed stream. */
static double gauss(struct prng *r)
{
	double u1 = 1.0 - prng_unit(r), u2 = prng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* n samples of level * (1 + U(-jitter, +jitter)): per-interval IOPS with noise. */
static void jittered(double *v, size_t n, double level, double jitter, uint64_t seed)
{
	struct prng r;
	size_t i;

	prng_seed(&r, seed, 0);
	for (i = 0; i < n; i++)
		v[i] = level * (1.0 + jitter * (2.0 * prng_unit(&r) - 1.0));
}

static int cmp_dbl(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* All differences b_j - a_i, sorted: the brute force the selection avoids. */
static double *all_diffs(const double *a, size_t na, const double *b, size_t nb)
{
	double *d = malloc(na * nb * sizeof(*d));
	size_t i, j;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++)
			d[i * nb + j] = b[j] - a[i];
	qsort(d, na * nb, sizeof(*d), cmp_dbl);
	return d;
}

/* Count differences < x and <= x of sorted a, b without forming them. */
static void count_diffs(const double *as, size_t na, const double *bs, size_t nb, double x,
			uint64_t *lt, uint64_t *le)
{
	size_t i, j;

	*lt = *le = 0;
	for (i = 0; i < na; i++)
		for (j = 0; j < nb; j++) {
			/* early exit per row: bs ascending */
			if (bs[j] - as[i] > x)
				break;
			*le += 1;
			*lt += bs[j] - as[i] < x;
		}
}

/* ---- Mann-Whitney U ---------------------------------------------------- */

/*
 * scipy.stats.mannwhitneyu documentation example (ages of male and female
 * participants, after Conover): x = males, y = females. scipy prints
 * statistic=17.0, pvalue=0.1111111111111111 (method="exact") and
 * pvalue=0.11134688653314041 (method="asymptotic", continuity corrected).
 */
START_TEST(mwu_scipy_doc_example)
{
	static const double males[] = { 19, 22, 16, 29, 24 };
	static const double females[] = { 20, 11, 17, 12 };
	struct mwu_result r;

	ck_assert_int_eq(mwu_test(males, 5, females, 4, &r), 0);
	ck_assert_double_eq(r.u1, 17.0);
	ck_assert(r.exact);
	ck_assert(!r.ties);
	ck_assert_double_eq_tol(r.p, 1.0 / 9.0, 1e-15);
	ck_assert_double_eq_tol(r.p_asymp, 0.11134688653314041, 1e-14);
	ck_assert_double_eq_tol(r.z, 1.5921683328090657, 1e-12);

	/* Swapping the samples: U1 becomes na*nb - U1, p is unchanged. */
	ck_assert_int_eq(mwu_test(females, 4, males, 5, &r), 0);
	ck_assert_double_eq(r.u1, 3.0);
	ck_assert_double_eq_tol(r.p, 1.0 / 9.0, 1e-15);
	ck_assert_double_eq_tol(r.z, -1.5921683328090657, 1e-12);
}
END_TEST

/*
 * Hollander & Wolfe (1973), p. 69, the example in R's ?wilcox.test:
 * permeability constants, x = at term, y = 12-26 weeks. R prints W = 35,
 * p-value = 0.1272 for alternative = "greater"; the two-sided exact p is
 * twice that: 0.2544122544... (our Python enumeration of all 3003 splits).
 */
START_TEST(mwu_hollander_wolfe)
{
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct mwu_result r;

	ck_assert_int_eq(mwu_test(x, N_OF(x), y, N_OF(y), &r), 0);
	ck_assert_double_eq(r.u1, 35.0);
	ck_assert(r.exact);
	ck_assert_double_eq_tol(r.p, 0.2544122544122544, 1e-13);
	ck_assert_double_eq_tol(r.p_asymp, 0.24462360512698333, 1e-13);
}
END_TEST

/*
 * Ties: R's ?wilcox.test example wilcox.test(Ozone ~ Month, data =
 * airquality, subset = Month %in% c(5, 8)) prints W = 127.5,
 * p-value = 0.0001208 ("cannot compute exact p-value with ties"; normal
 * approximation with tie and continuity correction). Data: R's airquality,
 * Ozone for May and August with the NA days left out (26 each).
 */
START_TEST(mwu_ties_airquality)
{
	static const double may[] = { 41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14,
				      34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115, 37 };
	static const double aug[] = { 39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22,
				      59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118, 84, 85 };
	struct mwu_result r;

	ck_assert_int_eq(mwu_test(may, N_OF(may), aug, N_OF(aug), &r), 0);
	ck_assert_double_eq(r.u1, 127.5);
	ck_assert(r.ties);
	ck_assert(!r.exact);
	/* 0.00012080783076877465 from the Python cross-check; R rounds to 0.0001208 */
	ck_assert_double_eq_tol(r.p, 0.00012080783076877465, 1e-15);
	ck_assert_double_eq_tol(r.z, -3.8444810272800702, 1e-10);
}
END_TEST

/* Exact p against brute-force enumeration of every split of the pooled sample. */
static double brute_exact_p(const double *a, size_t na, const double *b, size_t nb)
{
	double pool[16], u_obs = 0;
	size_t n = na + nb, i, j;
	uint32_t mask;
	uint64_t le = 0, ge = 0, tot = 0;

	for (i = 0; i < na; i++) {
		pool[i] = a[i];
		for (j = 0; j < nb; j++)
			u_obs += a[i] > b[j];
	}
	for (j = 0; j < nb; j++)
		pool[na + j] = b[j];
	for (mask = 0; mask < (1u << n); mask++) {
		double u = 0;

		if ((size_t)__builtin_popcount(mask) != na)
			continue;
		for (i = 0; i < n; i++)
			for (j = 0; j < n; j++)
				if ((mask >> i & 1) && !(mask >> j & 1))
					u += pool[i] > pool[j];
		tot++;
		le += u <= u_obs;
		ge += u >= u_obs;
	}
	return fmin(1.0, 2.0 * (double)(le < ge ? le : ge) / (double)tot);
}

START_TEST(mwu_exact_matches_enumeration)
{
	struct prng rng;
	size_t na, nb, i;

	prng_seed(&rng, 42, 1);
	for (na = 1; na <= 7; na++)
		for (nb = 1; nb <= 7; nb++) {
			double a[7], b[7];
			struct mwu_result r;

			/* distinct values: shuffle the ranks 0..na+nb-1 */
			double pool[14];
			for (i = 0; i < na + nb; i++)
				pool[i] = (double)i * 1.5 + 3.0;
			for (i = na + nb - 1; i > 0; i--) {
				size_t k = prng_below(&rng, i + 1);
				double t = pool[i];

				pool[i] = pool[k];
				pool[k] = t;
			}
			memcpy(a, pool, na * sizeof(*a));
			memcpy(b, pool + na, nb * sizeof(*b));
			ck_assert_int_eq(mwu_test(a, na, b, nb, &r), 0);
			ck_assert(r.exact);
			ck_assert_msg(fabs(r.p - brute_exact_p(a, na, b, nb)) < 1e-12,
				      "na=%zu nb=%zu p=%.15g", na, nb, r.p);
		}
}
END_TEST

START_TEST(mwu_exact_cdf_properties)
{
	static double cdf[20 * 20 + 1];
	size_t u;

	ck_assert_int_eq(mwu_exact_cdf(20, 20, cdf), 0);
	/* P(U = 0) = 1 / C(40, 20) = 1 / 137846528820 */
	ck_assert_double_eq_tol(cdf[0], 1.0 / 137846528820.0, 1e-25);
	ck_assert_double_eq(cdf[400], 1.0);
	for (u = 1; u <= 400; u++)
		ck_assert(cdf[u] >= cdf[u - 1]);
	/* symmetric about 200: P(U <= u) = P(U >= 400 - u) = 1 - P(U <= 399 - u) */
	for (u = 0; u < 200; u++)
		ck_assert_double_eq_tol(cdf[u], 1.0 - cdf[399 - u], 1e-14);
	/* 3x3: P(U <= 1) = 2/20 */
	ck_assert_int_eq(mwu_exact_cdf(3, 3, cdf), 0);
	ck_assert_double_eq_tol(cdf[1], 0.1, 1e-15);
	errno = 0;
	ck_assert_int_eq(mwu_exact_cdf(21, 3, cdf), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(mwu_identical_and_constant)
{
	double a[60], c[8] = { 5, 5, 5, 5, 5, 5, 5, 5 };
	struct mwu_result r;

	jittered(a, 60, 10000, 0.03, 7);
	ck_assert_int_eq(mwu_test(a, 60, a, 60, &r), 0);
	ck_assert_double_eq(r.u1, 1800.0);
	ck_assert(r.ties);
	ck_assert_double_eq(r.p, 1.0);
	ck_assert_double_eq(r.z, 0.0);

	ck_assert_int_eq(mwu_test(c, 8, c, 5, &r), 0);
	ck_assert_double_eq(r.sigma, 0.0);
	ck_assert_double_eq(r.p, 1.0);
}
END_TEST

START_TEST(mwu_bad_input)
{
	double a[3] = { 1, 2, 3 }, bad[3] = { 1, NAN, 3 }, inf[2] = { 1, INFINITY };
	struct mwu_result r;

	errno = 0;
	ck_assert_int_eq(mwu_test(a, 0, a, 3, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mwu_test(a, 3, a, 0, &r), -1);
	ck_assert_int_eq(mwu_test(a, 3, bad, 3, &r), -1);
	ck_assert_int_eq(mwu_test(inf, 2, a, 3, &r), -1);
}
END_TEST

START_TEST(normal_quantile)
{
	/* z_0.975 = 1.959963984540054 (standard tables) */
	ck_assert_double_eq_tol(mwu_norm_quantile(0.025), -1.959963984540054, 1e-12);
	ck_assert_double_eq_tol(mwu_norm_quantile(0.5), 0.0, 1e-15);
	ck_assert_double_eq_tol(mwu_norm_quantile(0.995), 2.5758293035489004, 1e-12);
	ck_assert_double_eq_tol(mwu_norm_cdf(mwu_norm_quantile(1e-10)), 1e-10, 1e-20);
}
END_TEST

/* ---- medians and the Hodges-Lehmann shift ------------------------------ */

START_TEST(median_basic)
{
	double odd[] = { 9, 1, 5 }, even[] = { 4, 1, 3, 2 }, m;

	ck_assert_int_eq(stats_median(odd, 3, &m), 0);
	ck_assert_double_eq(m, 5.0);
	ck_assert_int_eq(stats_median(even, 4, &m), 0);
	ck_assert_double_eq(m, 2.5);
	ck_assert_int_eq(stats_median(odd, 0, &m), -1);
	ck_assert_double_eq(stats_pct_change(200, 150), -25.0);
	ck_assert_double_eq(stats_pct_change(0, 0), 0.0);
	ck_assert(isnan(stats_pct_change(0, 1)));
}
END_TEST

/*
 * Hollander & Wolfe data again, shift y - x: HL = -0.305 and the exact
 * two-sided 95% interval [-0.76, 0.15] at ranks 9 and 42 of the 50 sorted
 * differences, achieved coverage 1 - 2 P(U <= 8) = 0.96004 (Python
 * enumeration; R's wilcox.test(x, y, conf.int = TRUE) gives the same
 * numbers with the sign flipped, as it estimates x - y).
 */
START_TEST(hl_hollander_wolfe)
{
	static const double x[] = { 0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46 };
	static const double y[] = { 1.15, 0.88, 0.90, 0.74, 1.21 };
	struct shift_est s;

	ck_assert_int_eq(hl_shift(x, N_OF(x), y, N_OF(y), 0.95, &s), 0);
	ck_assert(s.ci_exact);
	ck_assert_double_eq_tol(s.hl, -0.305, 1e-12);
	ck_assert_double_eq_tol(s.ci_low, -0.76, 1e-12);
	ck_assert_double_eq_tol(s.ci_high, 0.15, 1e-12);
	ck_assert_double_eq_tol(s.ci_level, 0.9600399600399601, 1e-12);

	/* 3x3 cannot reach 95%: rank 1 .. 9, the whole range, 90% coverage */
	{
		double a[] = { 1, 2, 3 }, b[] = { 4, 5, 7 };

		ck_assert_int_eq(hl_shift(a, 3, b, 3, 0.95, &s), 0);
		ck_assert_double_eq(s.hl, 3.0);
		ck_assert_double_eq(s.ci_low, 1.0);
		ck_assert_double_eq(s.ci_high, 6.0);
		ck_assert_double_eq_tol(s.ci_level, 0.9, 1e-15);
	}
}
END_TEST

/*
 * The selection against sorting all differences, for shapes from 1xN to
 * 40x37 and values with many ties (small integers). The CI ranks are
 * recomputed here from the normal approximation with the tabled z.
 */
START_TEST(hl_matches_bruteforce)
{
	static const size_t shapes[][2] = {
		{ 1, 1 }, { 1, 9 }, { 9, 1 }, { 2, 2 }, { 7, 30 }, { 30, 7 },
		{ 25, 25 }, { 40, 37 }, { 21, 22 }, { 64, 3 },
	};
	struct prng rng;
	size_t t, i;

	prng_seed(&rng, 99, 2);
	for (t = 0; t < N_OF(shapes) * 4; t++) {
		size_t na = shapes[t % N_OF(shapes)][0], nb = shapes[t % N_OF(shapes)][1];
		unsigned spread = t < N_OF(shapes) * 2 ? 6 : 100000;	/* ties, then none */
		double a[64], b[64], *d, want_hl;
		struct shift_est s;
		struct mwu_result m;
		size_t nn = na * nb;

		for (i = 0; i < na; i++)
			a[i] = (double)prng_below(&rng, spread) * 0.25;
		for (i = 0; i < nb; i++)
			b[i] = (double)prng_below(&rng, spread) * 0.25 + 0.5;
		ck_assert_int_eq(hl_shift(a, na, b, nb, 0.95, &s), 0);
		ck_assert_int_eq(mwu_test(a, na, b, nb, &m), 0);
		d = all_diffs(a, na, b, nb);
		want_hl = nn % 2 ? d[nn / 2] : 0.5 * (d[nn / 2 - 1] + d[nn / 2]);
		ck_assert_msg(s.hl == want_hl, "%zux%zu: hl %g want %g", na, nb, s.hl, want_hl);
		if (!s.ci_exact && m.sigma > 0) {
			double kd = ceil(nn / 2.0 - 0.5 - 1.959963984540054 * m.sigma);
			size_t k = kd < 1 ? 1 : (size_t)kd;

			if (k > (nn + 1) / 2)
				k = (nn + 1) / 2;
			ck_assert_double_eq(s.ci_low, d[k - 1]);
			ck_assert_double_eq(s.ci_high, d[nn - k]);
		}
		ck_assert(s.ci_low <= s.hl && s.hl <= s.ci_high);
		free(d);
	}
}
END_TEST

/*
 * The CI covers the true shift about 95% of the time: 400 simulated pairs
 * of normal samples with shift 7. With 400 trials the binomial sd is 1.1%,
 * so [0.92, 0.98] is about +-3 sd around 0.95. Fixed seeds: deterministic.
 */
static void coverage(size_t n, double lo_ok, double hi_ok, bool want_exact)
{
	const double shift = 7.0;
	unsigned t, hit = 0, trials = 400;
	double hl_sum = 0;
	struct prng r;

	prng_seed(&r, 2024, n);
	for (t = 0; t < trials; t++) {
		double a[30], b[30];
		struct shift_est s;
		size_t i;

		for (i = 0; i < n; i++) {
			a[i] = 100.0 + 5.0 * gauss(&r);
			b[i] = 100.0 + shift + 5.0 * gauss(&r);
		}
		ck_assert_int_eq(hl_shift(a, n, b, n, 0.95, &s), 0);
		ck_assert(s.ci_exact == want_exact);
		hit += s.ci_low <= shift && shift <= s.ci_high;
		hl_sum += s.hl;
	}
	ck_assert_msg(hit >= lo_ok * trials && hit <= hi_ok * trials,
		      "n=%zu coverage %u/%u", n, hit, trials);
	ck_assert_double_eq_tol(hl_sum / trials, shift, 0.3);
}

START_TEST(hl_ci_covers_true_shift)
{
	coverage(30, 0.92, 0.98, false);	/* normal approximation */
	coverage(8, 0.92, 0.99, true);		/* exact, conservative */
}
END_TEST

/*
 * A 1-hour endurance comparison: 3600 x 3600 intervals, 13 million
 * differences that are never stored. Under a second and well under the
 * 104 MB that materialising them would take (peak RSS growth < 16 MB).
 * The result is checked by counting differences around it.
 */
START_TEST(hl_large_fast_bounded)
{
	enum { N = 3600 };
	double *a = malloc(N * sizeof(*a)), *b = malloc(N * sizeof(*b));
	struct rusage before, after;
	struct timespec t0, t1;
	struct shift_est s;
	uint64_t lt, le, nn = (uint64_t)N * N;
	double secs;
	struct prng r;
	size_t i;

	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	prng_seed(&r, 5, 5);
	for (i = 0; i < N; i++) {
		a[i] = 50000.0 + 1500.0 * gauss(&r);
		b[i] = 48000.0 + 1500.0 * gauss(&r);
	}
	getrusage(RUSAGE_SELF, &before);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	ck_assert_int_eq(hl_shift(a, N, b, N, 0.95, &s), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	getrusage(RUSAGE_SELF, &after);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
	ck_assert_msg(secs < 1.0, "3600x3600 took %.3f s", secs);
	ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 16 * 1024,
		      "peak RSS grew by %ld KiB", after.ru_maxrss - before.ru_maxrss);

	ck_assert(!s.ci_exact);
	ck_assert_double_eq_tol(s.hl, -2000.0, 150.0);
	ck_assert(s.ci_low < -2000.0 + 150.0 && s.ci_high > -2000.0 - 150.0);
	ck_assert(s.ci_low < s.hl && s.hl < s.ci_high);

	/* hl is a median of the differences: half below, half above */
	qsort(a, N, sizeof(*a), cmp_dbl);
	qsort(b, N, sizeof(*b), cmp_dbl);
	count_diffs(a, N, b, N, s.hl, &lt, &le);
	ck_assert(lt <= nn / 2 && le >= nn / 2);
	free(a);
	free(b);
}
END_TEST

START_TEST(hl_bad_input)
{
	double a[3] = { 1, 2, 3 };
	struct shift_est s;

	ck_assert_int_eq(hl_shift(a, 3, a, 3, 1.0, &s), -1);
	ck_assert_int_eq(hl_shift(a, 3, a, 3, 0.0, &s), -1);
	ck_assert_int_eq(hl_shift(a, 0, a, 3, 0.95, &s), -1);
}
END_TEST

static Suite *stats_suite(void)
{
	Suite *s = suite_create("stats");
	TCase *mwu = tcase_create("mwu");
	TCase *shift = tcase_create("shift");

	tcase_add_test(mwu, mwu_scipy_doc_example);
	tcase_add_test(mwu, mwu_hollander_wolfe);
	tcase_add_test(mwu, mwu_ties_airquality);
	tcase_add_test(mwu, mwu_exact_matches_enumeration);
	tcase_add_test(mwu, mwu_exact_cdf_properties);
	tcase_add_test(mwu, mwu_identical_and_constant);
	tcase_add_test(mwu, mwu_bad_input);
	tcase_add_test(mwu, normal_quantile);
	suite_add_tcase(s, mwu);

	tcase_add_test(shift, median_basic);
	tcase_add_test(shift, hl_hollander_wolfe);
	tcase_add_test(shift, hl_matches_bruteforce);
	tcase_add_test(shift, hl_ci_covers_true_shift);
	tcase_add_test(shift, hl_large_fast_bounded);
	tcase_add_test(shift, hl_bad_input);
	suite_add_tcase(s, shift);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
