/*
 * Run-level statistics: Student's t (ttest.h), spread and variance
 * components (spread.h), the run-level comparison (runcmp.h) and the
 * minimum detectable effect (mde.h). The paired comparison is tested in
 * check_paired.c, the series statistics in check_seriesstats.c and
 * check_changepoint.c.
 *
 * Reference values are textbook examples (cited at each) or were computed
 * independently with a throwaway Python script from the formulas in the
 * headers: the incomplete beta by its power series (DLMF 8.17.7, not the
 * continued fraction the C code uses), the exact rank distributions by
 * enumeration, quantiles by bisection. Those values are stated where used.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/prng.h"
#include "stats/mde.h"
#include "stats/mwu.h"
#include "stats/runcmp.h"
#include "stats/spread.h"
#include "stats/ttest.h"
#include "datasets.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

static double gauss(struct prng *r)
{
	double u1 = 1.0 - prng_unit(r), u2 = prng_unit(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* ---- Student's t ---------------------------------------------------------- */

/*
 * Closed forms (Johnson, Kotz & Balakrishnan, Continuous Univariate
 * Distributions 2, ch. 28), written without cancellation in the lower
 * tail: df 1 (Cauchy) F(t) = atan(-1/t)/pi for t < 0, 1/2 + atan(t)/pi
 * else; df 2: F(t) = 1/(s (s - t)) for t < 0, s = sqrt(2 + t^2), else
 * 1/2 + t/(2s); df 3: F(t) = 1/2 + (t/sqrt3 / (1 + t^2/3) + atan(t/sqrt3))
 * / pi, which cancels in the far tail (compared up to |t| = 50 only; the
 * df 3 tail at -1000 from the Python series: 1.1026538212882994e-09).
 */
START_TEST(t_cdf_closed_forms)
{
	static const double ts[] = { -1000, -50, -8, -3, -0.5, 0, 0.7, 2, 12.7, 400 };
	size_t i;

	for (i = 0; i < N_OF(ts); i++) {
		double t = ts[i], r3 = t / sqrt(3.0), s2 = sqrt(2.0 + t * t);
		double f1 = t < 0 ? atan(-1.0 / t) / M_PI : 0.5 + atan(t) / M_PI;
		double f2 = t < 0 ? 1.0 / (s2 * (s2 - t)) : 0.5 + t / (2.0 * s2);
		double f3 = 0.5 + (r3 / (1.0 + t * t / 3.0) + atan(r3)) / M_PI;

		ck_assert_msg(fabs(tdist_cdf(t, 1) / f1 - 1.0) <= 1e-14, "df1 t=%g", t);
		ck_assert_msg(fabs(tdist_cdf(t, 2) / f2 - 1.0) <= 1e-14, "df2 t=%g", t);
		if (fabs(t) <= 50)
			ck_assert_msg(fabs(tdist_cdf(t, 3) / f3 - 1.0) <= 1e-11, "df3 t=%g", t);
	}
	ck_assert_double_eq_tol(tdist_cdf(-1000, 3) / 1.1026538212882994e-09, 1.0, 1e-13);
	ck_assert_double_eq_tol(tdist_cdf(-50, 3) / 8.808576020635977e-06, 1.0, 1e-13);
	/* a deep tail, relative: df 1, P(T <= -1e6) = atan(1e-6)/pi ~ 1/(pi 1e6) */
	ck_assert_double_eq_tol(tdist_cdf(-1e6, 1) / (atan(1e-6) / M_PI), 1.0, 1e-12);
	/* non-integer df (Python series reference): pt(2.5, 7.5), pt(-3, 4.3) */
	ck_assert_double_eq_tol(tdist_cdf(2.5, 7.5), 0.9805898708631873, 1e-14);
	ck_assert_double_eq_tol(tdist_cdf(-3, 4.3), 0.018212418014284824, 1e-15);
	ck_assert_double_eq_tol(tdist_cdf(1.5, INFINITY), mwu_norm_cdf(1.5), 1e-16);
	ck_assert(isnan(tdist_cdf(1, 0)));
	ck_assert(isnan(tdist_cdf(NAN, 3)));
	ck_assert(isnan(tdist_cdf(1, -2)));
}
END_TEST

START_TEST(t_quantile)
{
	static const double ps[] = { 1e-9, 0.001, 0.025, 0.2, 0.5, 0.8, 0.975, 0.999 };
	size_t i;

	/* R: qt(0.975, 10) = 2.228138851986274, qt(0.975, 5) = 2.570581835636314 */
	ck_assert_double_eq_tol(tdist_quantile(0.975, 10), 2.228138851986274, 1e-12);
	ck_assert_double_eq_tol(tdist_quantile(0.975, 5), 2.570581835636314, 1e-12);
	ck_assert_double_eq_tol(tdist_quantile(0.025, 5), -2.570581835636314, 1e-12);
	for (i = 0; i < N_OF(ps); i++) {
		double p = ps[i];
		double q1 = p < 0.5 ? -1.0 / tan(M_PI * p) : 1.0 / tan(M_PI * (1.0 - p));
		double q2 = (2.0 * p - 1.0) / sqrt(2.0 * p * (1.0 - p));

		ck_assert_msg(fabs(tdist_quantile(p, 1) - q1) <= 1e-12 * fmax(1.0, fabs(q1)),
			      "df1 p=%g", p);
		ck_assert_msg(fabs(tdist_quantile(p, 2) - q2) <= 1e-12 * fmax(1.0, fabs(q2)),
			      "df2 p=%g", p);
		ck_assert_double_eq_tol(tdist_cdf(tdist_quantile(p, 7.5), 7.5), p, 1e-13 * fmax(p, 1e-3));
	}
	ck_assert_double_eq(tdist_quantile(0.5, 3), 0.0);
	ck_assert_double_eq_tol(tdist_quantile(0.975, INFINITY), 1.959963984540054, 1e-12);
	ck_assert(isinf(tdist_quantile(0.0, 3)) && tdist_quantile(0.0, 3) < 0);
	ck_assert(isinf(tdist_quantile(1.0, 3)) && tdist_quantile(1.0, 3) > 0);
	ck_assert(isnan(tdist_quantile(0.3, 0)));
}
END_TEST

/*
 * R: t.test(extra ~ group, data = sleep) prints t = -1.8608, df = 17.776,
 * p-value = 0.07939, 95% CI -3.3654832 0.2054832 (mean1 - mean2). Our
 * diff is mean(b) - mean(a), so a = group 2, b = group 1. Full-precision
 * values from the Python reference.
 */
START_TEST(welch_sleep)
{
	struct welch_result w;
	double one = 3.0, c[3] = { 2, 2, 2 };

	ck_assert_int_eq(welch_test(sleep2, 10, sleep1, 10, 0.95, &w), 0);
	ck_assert_double_eq_tol(w.diff, -1.58, 1e-14);
	ck_assert_double_eq_tol(w.t, -1.860813467486853, 1e-12);
	ck_assert_double_eq_tol(w.df, 17.776473516178488, 1e-11);
	ck_assert_double_eq_tol(w.p, 0.07939414018735813, 1e-12);
	ck_assert_double_eq_tol(w.ci_low, -3.3654832307117095, 1e-11);
	ck_assert_double_eq_tol(w.ci_high, 0.20548323071170937, 1e-11);

	/* not available: one value on a side, or no variance at all */
	ck_assert_int_eq(welch_test(&one, 1, sleep1, 10, 0.95, &w), 0);
	ck_assert(isnan(w.p) && isnan(w.t) && isnan(w.ci_low) && isnan(w.se));
	ck_assert_double_eq_tol(w.diff, 0.75 - 3.0, 1e-14);
	ck_assert_int_eq(welch_test(c, 3, c, 3, 0.95, &w), 0);
	ck_assert(isnan(w.p));
	ck_assert_double_eq(w.diff, 0.0);

	errno = 0;
	ck_assert_int_eq(welch_test(sleep1, 0, sleep2, 10, 0.95, &w), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(welch_test(sleep1, 10, sleep2, 10, 1.0, &w), -1);
	c[1] = NAN;
	ck_assert_int_eq(welch_test(c, 3, sleep2, 10, 0.95, &w), -1);
}
END_TEST

/*
 * R: t.test(extra ~ group, data = sleep, paired = TRUE): t = -4.0621,
 * df = 9, p-value = 0.002833, 95% CI -2.4598858 -0.7001142.
 */
START_TEST(onesample_t_sleep_paired)
{
	struct onesample_t_result r;
	double d[10], z[4] = { 1, 1, 1, 1 };
	size_t i;

	for (i = 0; i < 10; i++)
		d[i] = sleep1[i] - sleep2[i];
	ck_assert_int_eq(onesample_t(d, 10, 0.95, &r), 0);
	ck_assert_double_eq_tol(r.mean, -1.58, 1e-14);
	ck_assert_double_eq_tol(r.t, -4.062127683382037, 1e-11);
	ck_assert_double_eq(r.df, 9.0);
	ck_assert_double_eq_tol(r.p, 0.002832890197384265, 1e-13);
	ck_assert_double_eq_tol(r.ci_low, -2.4598857632769815, 1e-11);
	ck_assert_double_eq_tol(r.ci_high, -0.7001142367230185, 1e-11);
	ck_assert_int_eq(onesample_t(z, 4, 0.95, &r), 0);
	ck_assert(isnan(r.p));
	ck_assert_int_eq(onesample_t(z, 1, 0.95, &r), 0);
	ck_assert(isnan(r.se));
}
END_TEST

/*
 * Prediction test, worked by hand with the df 2 closed-form quantile
 * t_{2,0.975} = (2p-1)/sqrt(2p(1-p)) = 4.302652729749464: history
 * {10, 12, 14}: mean 12, sd 2, se = 2 sqrt(1 + 1/3) = 2.309401; y = 20:
 * t = 8 / 2.309401 = 3.464102 = 2 sqrt 3; p = 2 P(T_2 > 2 sqrt 3) =
 * 1 - 2sqrt3 / sqrt(2 + 12) = 0.0741799002274485; PI 12 +- 4.302653 * 2.309401.
 */
START_TEST(predict_textbook)
{
	static const double h[] = { 10, 12, 14 };
	const double q = (2 * 0.975 - 1) / sqrt(2 * 0.975 * 0.025), se = 2.0 * sqrt(4.0 / 3.0);
	struct predict_result r;
	double c[3] = { 5, 5, 5 };

	ck_assert_int_eq(predict_test(h, 3, 20.0, 1, 0.95, &r), 0);
	ck_assert_double_eq_tol(r.mean, 12.0, 1e-14);
	ck_assert_double_eq_tol(r.sd, 2.0, 1e-14);
	ck_assert_double_eq_tol(r.t, 2.0 * sqrt(3.0), 1e-13);
	ck_assert_double_eq(r.df, 2.0);
	ck_assert_double_eq_tol(r.p, 1.0 - 2.0 * sqrt(3.0) / sqrt(14.0), 1e-13);
	ck_assert_double_eq_tol(r.pi_low, 12.0 - q * se, 1e-11);
	ck_assert_double_eq_tol(r.pi_high, 12.0 + q * se, 1e-11);
	/* m = 4 new values averaged: se = 2 sqrt(1/4 + 1/3) */
	ck_assert_int_eq(predict_test(h, 3, 20.0, 4, 0.95, &r), 0);
	ck_assert_double_eq_tol(r.se, 2.0 * sqrt(0.25 + 1.0 / 3.0), 1e-14);
	/* not available */
	ck_assert_int_eq(predict_test(h, 1, 20.0, 1, 0.95, &r), 0);
	ck_assert(isnan(r.p) && isnan(r.pi_low));
	ck_assert_int_eq(predict_test(c, 3, 20.0, 1, 0.95, &r), 0);
	ck_assert(isnan(r.p));
	ck_assert_int_eq(predict_test(h, 3, NAN, 1, 0.95, &r), -1);
	ck_assert_int_eq(predict_test(h, 3, 1.0, 0, 0.95, &r), -1);
	ck_assert_int_eq(predict_test(h, 0, 1.0, 1, 0.95, &r), -1);
}
END_TEST

/* ---- spread ------------------------------------------------------------------ */

static const double hist10[] = { 1000, 1010, 990, 1005, 995, 1020, 980, 1002, 998, 1008 };
static const double cand5[] = { 900, 910, 905, 895, 915 };

START_TEST(spread_history)
{
	struct spread_est s;
	double one = 7.0, eq[4] = { 3, 3, 3, 3 }, bad[3] = { 1, 0, 2 }, sd;

	/* Python reference: sd(log), 1.4826 * mad(log), expm1(sd) * 100 */
	ck_assert_int_eq(spread_log(hist10, 10, &s), 0);
	ck_assert_uint_eq(s.n, 10);
	ck_assert_double_eq_tol(s.median, 1001.0, 1e-12);
	ck_assert_double_eq_tol(s.sd_log, 0.01113687903050236, 1e-15);
	ck_assert_double_eq_tol(s.mad_log, 0.00962261581361893, 1e-15);
	ck_assert_double_eq_tol(s.sd_pct, 1.119912492816959, 1e-12);
	ck_assert_int_eq(spread_log(&one, 1, &s), 0);
	ck_assert(isnan(s.sd_log) && isnan(s.mad_log) && isnan(s.sd_pct));
	ck_assert_double_eq_tol(s.mean_log, log(7.0), 1e-15);
	ck_assert_int_eq(spread_log(eq, 4, &s), 0);
	ck_assert_double_eq(s.sd_log, 0.0);
	ck_assert_double_eq(s.mad_log, 0.0);
	errno = 0;
	ck_assert_int_eq(spread_log(bad, 3, &s), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(spread_log(hist10, 0, &s), -1);
	bad[1] = NAN;
	ck_assert_int_eq(spread_log(bad, 3, &s), -1);

	ck_assert_int_eq(spread_pooled_log(hist10, 10, cand5, 5, &sd), 0);
	ck_assert_double_eq_tol(sd, 0.010457003692680265, 1e-15);
	ck_assert_int_eq(spread_pooled_log(&one, 1, &one, 1, &sd), 0);
	ck_assert(isnan(sd));
}
END_TEST

/*
 * Montgomery, Design and Analysis of Experiments (random effects model,
 * the looms example): 4 looms x 4 observations; MS_treatments = 29.73,
 * MS_E = 1.90, sigma^2_tau = (29.73 - 1.90) / 4 = 6.96. Labels shuffled to
 * show that the order does not matter. Then an unbalanced case worked by
 * hand (Python): groups {10, 12}, {20, 21, 19}, {15}: MSB = 49.4167,
 * MSW = 4/3, n0 = (6 - 14/6) / 2 = 11/6, sd_between = 5.121256947983838.
 */
START_TEST(variance_components)
{
	static const double loom[] = { 98, 97, 99, 96, 91, 90, 93, 92, 96, 95, 97, 95, 95, 96, 99, 98 };
	static const size_t lab[] = { 4, 4, 4, 4, 1, 1, 1, 1, 9, 9, 9, 9, 2, 2, 2, 2 };
	static const double ub[] = { 20, 10, 15, 21, 12, 19 };
	static const size_t ul[] = { 5, 3, 8, 5, 3, 5 };
	size_t perm[16], i, one[3] = { 0, 0, 0 }, each[3] = { 0, 1, 2 };
	double shuffled[16];
	struct var_components v;

	for (i = 0; i < 16; i++) {
		perm[i] = lab[(i * 7) % 16];
		shuffled[i] = loom[(i * 7) % 16];
	}
	ck_assert_int_eq(var_components(shuffled, perm, 16, &v), 0);
	ck_assert_uint_eq(v.groups, 4);
	ck_assert_double_eq_tol(v.ms_between, 29.729166666666668, 1e-12);
	ck_assert_double_eq_tol(v.ms_within, 1.8958333333333333, 1e-12);
	ck_assert_double_eq_tol(v.n0, 4.0, 1e-14);
	ck_assert_double_eq_tol(v.sd_between * v.sd_between, 6.958333333333334, 1e-11);
	ck_assert_double_eq_tol(v.icc, 6.958333333333334 / (6.958333333333334 + 1.8958333333333333),
				1e-12);

	ck_assert_int_eq(var_components(ub, ul, 6, &v), 0);
	ck_assert_uint_eq(v.groups, 3);
	ck_assert_double_eq_tol(v.ms_between, 49.41666666666667, 1e-11);
	ck_assert_double_eq_tol(v.ms_within, 4.0 / 3.0, 1e-13);
	ck_assert_double_eq_tol(v.n0, 11.0 / 6.0, 1e-14);
	ck_assert_double_eq_tol(v.sd_between, 5.121256947983838, 1e-12);

	/* one group: no between; one value per group: no within */
	ck_assert_int_eq(var_components(ub, one, 3, &v), 0);
	ck_assert(isnan(v.sd_between) && !isnan(v.sd_within));
	ck_assert_int_eq(var_components(ub, each, 3, &v), 0);
	ck_assert(isnan(v.sd_within) && isnan(v.sd_between));
	/* between truncated at 0 when the groups differ less than chance */
	{
		static const double x[] = { 1, 3, 1, 3 };
		static const size_t g[] = { 0, 0, 1, 1 };

		ck_assert_int_eq(var_components(x, g, 4, &v), 0);
		ck_assert_double_eq(v.sd_between, 0.0);
	}
	ck_assert_int_eq(var_components(ub, ul, 0, &v), -1);
}
END_TEST

/* ---- run-level comparison ----------------------------------------------------- */

/*
 * 10 history runs against 5 candidate runs, every candidate below every
 * baseline: U = 0, exact p = 2 / C(15, 5) = 2/3003. Python reference: the
 * HL shift of the logs and its exact CI at ranks 9 and 42 of the 50
 * differences (coverage 1 - 2 P(U <= 8) = 0.96004), transformed by expm1;
 * Welch on the logs.
 */
START_TEST(runcmp_textbook)
{
	struct runcmp_result r;

	ck_assert_int_eq(runcmp(hist10, 10, cand5, 5, 0.05, &r), 0);
	ck_assert(r.p_exact && !r.ties);
	ck_assert_double_eq_tol(r.p, 2.0 / 3003.0, 1e-15);
	ck_assert_double_eq_tol(r.p_floor, 2.0 / 3003.0, 1e-15);
	ck_assert(r.testable);
	ck_assert_uint_eq(r.runs_needed, 2);	/* 2 / C(12, 2) = 0.030 */
	ck_assert_double_eq_tol(r.base_median, 1001.0, 1e-12);
	ck_assert_double_eq_tol(r.run_median, 905.0, 1e-12);
	ck_assert_double_eq_tol(r.change_pct, -9.590409590409587, 1e-11);
	ck_assert_double_eq_tol(r.hl_pct, -9.571852358944117, 1e-11);
	ck_assert_double_eq_tol(r.ci_low_pct, -10.71428571428572, 1e-11);
	ck_assert_double_eq_tol(r.ci_high_pct, -8.500000000000009, 1e-11);
	ck_assert_double_eq_tol(r.ci_level, 0.9600399600399601, 1e-13);
	ck_assert(r.ci_exact);
	ck_assert_double_eq_tol(r.welch.p, 2.667576009956111e-09, 1e-18);
	ck_assert_double_eq_tol(r.welch.df, 10.160312650372813, 1e-10);
	ck_assert_double_eq_tol(r.welch_pct, -9.570059155672439, 1e-11);
	ck_assert_double_eq_tol(r.welch_ci_low_pct, -10.62145150363463, 1e-9);
	ck_assert_double_eq_tol(r.welch_ci_high_pct, -8.506298897423607, 1e-9);

	/* swapped: the same p, the inverse ratio */
	ck_assert_int_eq(runcmp(cand5, 5, hist10, 10, 0.05, &r), 0);
	ck_assert_double_eq_tol(r.p, 2.0 / 3003.0, 1e-15);
	ck_assert_double_eq_tol(r.hl_pct, (1.0 / (1.0 - 0.09571852358944117) - 1.0) * 100.0, 1e-10);
}
END_TEST

/* Sizes where no test is possible, and what would be needed. */
START_TEST(runcmp_possible)
{
	static const double a[] = { 100, 101, 102 }, b[] = { 50, 51, 52 };
	struct runcmp_result r;

	ck_assert_double_eq_tol(runcmp_p_floor(3, 3), 0.1, 1e-15);
	ck_assert_double_eq_tol(runcmp_p_floor(4, 4), 2.0 / 70.0, 1e-15);
	ck_assert_double_eq_tol(runcmp_p_floor(5, 3), 2.0 / 56.0, 1e-15);
	ck_assert_double_eq_tol(runcmp_p_floor(10, 2), 2.0 / 66.0, 1e-15);
	ck_assert_double_eq_tol(runcmp_p_floor(20, 1), 2.0 / 21.0, 1e-15);
	ck_assert_double_eq(runcmp_p_floor(1, 1), 1.0);
	ck_assert_double_eq(runcmp_p_floor(0, 5), 1.0);
	ck_assert_double_eq_tol(runcmp_p_floor(20, 20), 2.0 / 137846528820.0, 1e-24);
	ck_assert_uint_eq(runcmp_runs_needed(3, 0.05, 100), 5);	/* 2/56 */
	ck_assert_uint_eq(runcmp_runs_needed(4, 0.05, 100), 4);	/* 2/70 */
	ck_assert_uint_eq(runcmp_runs_needed(1, 0.05, 100), 40);	/* 2/41 */
	ck_assert_uint_eq(runcmp_runs_needed(1, 0.05, 39), 0);

	/* 3 vs 3, halved: as far apart as can be, and still p = 0.1 */
	ck_assert_int_eq(runcmp(a, 3, b, 3, 0.05, &r), 0);
	ck_assert(!r.testable);
	ck_assert_uint_eq(r.runs_needed, 5);
	ck_assert_double_eq_tol(r.p, 0.1, 1e-15);
	ck_assert_double_eq_tol(r.ci_level, 0.9, 1e-15);	/* cannot reach 0.95 */
	ck_assert_double_eq_tol(r.change_pct, (51.0 / 101.0 - 1.0) * 100.0, 1e-12);
	/* Welch can "reject" here; that is why the gate must not use it */
	ck_assert(r.welch.p < 0.05);
}
END_TEST

START_TEST(runcmp_edges)
{
	double base[8], run[8], one = 5.0, z[3] = { 1, 0, 2 };
	struct runcmp_result r;
	size_t i;

	for (i = 0; i < 8; i++) {
		base[i] = 1000.0 + (double)i;
		run[i] = base[i] / 1000.0;	/* a 99.9% collapse */
	}
	ck_assert_int_eq(runcmp(base, 8, run, 8, 0.05, &r), 0);
	ck_assert(r.ci_low_pct > -100.0 && r.ci_high_pct < 0.0);
	ck_assert_double_eq_tol(r.hl_pct, -99.9, 1e-6);
	/* identical samples: nothing */
	ck_assert_int_eq(runcmp(base, 8, base, 8, 0.05, &r), 0);
	ck_assert_double_eq(r.p, 1.0);
	ck_assert_double_eq(r.hl_pct, 0.0);
	ck_assert(r.ties && !r.p_exact);
	/* 1 vs 1 */
	ck_assert_int_eq(runcmp(&one, 1, base, 1, 0.05, &r), 0);
	ck_assert(!r.testable);
	ck_assert(isnan(r.welch.p) && isnan(r.welch_pct));
	ck_assert_double_eq_tol(r.change_pct, (1000.0 / 5.0 - 1.0) * 100.0, 1e-9);
	/* bad input */
	errno = 0;
	ck_assert_int_eq(runcmp(z, 3, base, 8, 0.05, &r), -1);
	ck_assert_int_eq(errno, EINVAL);
	z[1] = -1;
	ck_assert_int_eq(runcmp(base, 8, z, 3, 0.05, &r), -1);
	z[1] = NAN;
	ck_assert_int_eq(runcmp(base, 8, z, 3, 0.05, &r), -1);
	z[1] = INFINITY;
	ck_assert_int_eq(runcmp(base, 8, z, 3, 0.05, &r), -1);
	ck_assert_int_eq(runcmp(base, 0, base, 3, 0.05, &r), -1);
	ck_assert_int_eq(runcmp(base, 8, base, 8, 0.0, &r), -1);
	ck_assert_int_eq(runcmp(base, 8, base, 8, 1.0, &r), -1);
}
END_TEST

/*
 * Holm (1979), worked by hand: p = {0.01, 0.04, 0.03, 0.005}, m = 4;
 * sorted 0.005 * 4 = 0.02, 0.01 * 3 = 0.03, 0.03 * 2 = 0.06,
 * max(0.06, 0.04 * 1) = 0.06.
 */
START_TEST(holm_textbook)
{
	double p[] = { 0.01, 0.04, 0.03, 0.005 }, adj[4], q[] = { 0.01, NAN, 0.04 }, bad = 1.5;

	ck_assert_int_eq(stats_holm(p, 4, adj), 0);
	ck_assert_double_eq_tol(adj[0], 0.03, 1e-15);
	ck_assert_double_eq_tol(adj[1], 0.06, 1e-15);
	ck_assert_double_eq_tol(adj[2], 0.06, 1e-15);
	ck_assert_double_eq_tol(adj[3], 0.02, 1e-15);
	ck_assert_int_eq(stats_holm(q, 3, q), 0);	/* in place, NAN untested */
	ck_assert_double_eq_tol(q[0], 0.02, 1e-15);
	ck_assert(isnan(q[1]));
	ck_assert_double_eq_tol(q[2], 0.04, 1e-15);
	ck_assert_int_eq(stats_holm(p, 0, adj), 0);
	ck_assert_int_eq(stats_holm(&bad, 1, adj), -1);
}
END_TEST

/* ---- minimum detectable effect --------------------------------------------- */

/*
 * Python reference from the formulas in mde.h: the attained size from the
 * exact U distribution, the t quantiles by bisection of the series-based
 * CDF. 10 vs 5 with sd 0.05: alpha' = 2 * 60/3003 = 0.03996,
 * delta = (t_{13,0.98002} + t_{13,0.8}) * 0.05 * sqrt(0.3) * sqrt(pi/3).
 */
START_TEST(mde_values)
{
	struct mde m;

	ck_assert_int_eq(mde_mwu(10, 5, 0.05, 0.05, 0.8, &m), 0);
	ck_assert(m.possible);
	ck_assert_double_eq_tol(m.alpha_used, 0.03996003996003996, 1e-15);
	ck_assert_double_eq_tol(m.delta_log, 0.08834292094178704, 1e-12);
	ck_assert_double_eq_tol(m.up_pct, 9.236265183681075, 1e-9);
	ck_assert_double_eq_tol(m.down_pct, -8.455310302078042, 1e-9);
	ck_assert_int_eq(mde_mwu(5, 3, 0.1, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.delta_log, 0.2692479036001788, 1e-12);
	ck_assert_int_eq(mde_mwu(20, 10, 0.03, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.alpha_used, 0.04903102894107392, 1e-14);
	ck_assert_double_eq_tol(m.delta_log, 0.034628570486612734, 1e-12);
	/* 3 vs 3: nothing is detectable */
	ck_assert_int_eq(mde_mwu(3, 3, 0.05, 0.05, 0.8, &m), 0);
	ck_assert(!m.possible);
	ck_assert(isinf(m.delta_log));
	ck_assert_double_eq_tol(m.p_floor, 0.1, 1e-15);
	ck_assert_double_eq(m.down_pct, -100.0);
	/* no spread: any change is detectable (where a test is possible) */
	ck_assert_int_eq(mde_mwu(5, 5, 0.0, 0.05, 0.8, &m), 0);
	ck_assert(m.possible);
	ck_assert_double_eq(m.delta_log, 0.0);
	/* beyond the exact sizes alpha is used as is */
	ck_assert_int_eq(mde_mwu(25, 25, 0.05, 0.05, 0.8, &m), 0);
	ck_assert_double_eq(m.alpha_used, 0.05);

	ck_assert_int_eq(mde_welch(10, 5, 0.05, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.delta_log, 0.08734354039515753, 1e-12);
	ck_assert_int_eq(mde_welch(5, 3, 0.1, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.delta_log, 0.26476609772221044, 1e-12);

	/* signed rank: 10 pairs, alpha' = 2 * 10/1024; 6 pairs, alpha' = 2/64 */
	ck_assert_int_eq(mde_signed_rank(10, 0.03, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.alpha_used, 0.048828125, 1e-15);
	ck_assert_double_eq_tol(m.delta_log, 0.03067834912172056, 1e-12);
	ck_assert_int_eq(mde_signed_rank(6, 0.05, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.delta_log, 0.0811931052057905, 1e-12);
	ck_assert_int_eq(mde_signed_rank(5, 0.05, 0.05, 0.8, &m), 0);
	ck_assert(!m.possible);
	ck_assert_double_eq_tol(m.p_floor, 0.0625, 1e-15);

	ck_assert_int_eq(mde_predict(10, 1, 0.05, 0.05, 0.8, &m), 0);
	ck_assert_double_eq_tol(m.delta_log, 0.16495461164200476, 1e-12);

	/* 10 history runs, sd 5%: 5 candidate runs see a 10% change */
	ck_assert_uint_eq(mde_mwu_runs_needed(10, 0.05, 10.0, 0.05, 0.8, 100), 5);
	ck_assert_uint_eq(mde_mwu_runs_needed(10, 0.05, 0.1, 0.05, 0.8, 100), 0);
}
END_TEST

START_TEST(mde_bad_input)
{
	struct mde m;

	errno = 0;
	ck_assert_int_eq(mde_mwu(0, 5, 0.05, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(mde_mwu(5, 5, NAN, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(mde_mwu(5, 5, -0.1, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(mde_mwu(5, 5, 0.1, 0.0, 0.8, &m), -1);
	ck_assert_int_eq(mde_mwu(5, 5, 0.1, 0.05, 1.0, &m), -1);
	ck_assert_int_eq(mde_welch(1, 5, 0.1, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(mde_signed_rank(0, 0.1, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(mde_predict(1, 1, 0.1, 0.05, 0.8, &m), -1);
	ck_assert_int_eq(mde_predict(5, 0, 0.1, 0.05, 0.8, &m), -1);
	ck_assert_uint_eq(mde_mwu_runs_needed(5, 0.1, 0.0, 0.05, 0.8, 10), 0);
}
END_TEST

/*
 * The MDE is what it claims: at the delta mde_mwu() returns for 10 vs 5,
 * the exact test over 2000 simulated normal samples rejects about 80% of
 * the time (we measured 0.78 in 20000 Python trials). Binomial sd at 2000
 * trials is 0.009: [0.73, 0.84] is about +-5 sd. And at delta / 2 it must
 * be well below (power ~0.3), or the MDE would be too pessimistic.
 */
START_TEST(mde_simulated_power)
{
	struct prng r;
	struct mde m;
	unsigned t, hit = 0, hit_half = 0, trials = 2000;

	ck_assert_int_eq(mde_mwu(10, 5, 1.0, 0.05, 0.8, &m), 0);
	prng_seed(&r, 77, 3);
	for (t = 0; t < trials; t++) {
		double a[10], b[5], bh[5];
		struct mwu_result u;
		size_t i;

		for (i = 0; i < 10; i++)
			a[i] = gauss(&r);
		for (i = 0; i < 5; i++) {
			double e = gauss(&r);

			b[i] = m.delta_log + e;
			bh[i] = m.delta_log / 2 + e;
		}
		ck_assert_int_eq(mwu_test(a, 10, b, 5, &u), 0);
		hit += u.p < 0.05;
		ck_assert_int_eq(mwu_test(a, 10, bh, 5, &u), 0);
		hit_half += u.p < 0.05;
	}
	ck_assert_msg(hit >= 0.73 * trials && hit <= 0.84 * trials, "power %u/%u", hit, trials);
	ck_assert_msg(hit_half <= 0.45 * trials, "power at half %u/%u", hit_half, trials);
}
END_TEST

static Suite *runstats_suite(void)
{
	Suite *s = suite_create("runstats");
	TCase *tt = tcase_create("ttest"), *sp = tcase_create("spread"),
	      *rc = tcase_create("runcmp"), *md = tcase_create("mde");

	tcase_add_test(tt, t_cdf_closed_forms);
	tcase_add_test(tt, t_quantile);
	tcase_add_test(tt, welch_sleep);
	tcase_add_test(tt, onesample_t_sleep_paired);
	tcase_add_test(tt, predict_textbook);
	suite_add_tcase(s, tt);

	tcase_add_test(sp, spread_history);
	tcase_add_test(sp, variance_components);
	suite_add_tcase(s, sp);

	tcase_add_test(rc, runcmp_textbook);
	tcase_add_test(rc, runcmp_possible);
	tcase_add_test(rc, runcmp_edges);
	tcase_add_test(rc, holm_textbook);
	suite_add_tcase(s, rc);

	tcase_add_test(md, mde_values);
	tcase_add_test(md, mde_bad_input);
	tcase_add_test(md, mde_simulated_power);
	suite_add_tcase(s, md);

	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(runstats_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
