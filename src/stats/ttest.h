/*
 * Student's t distribution and the t-based procedures the run-level
 * statistics use: Welch's two-sample test, the one-sample (paired) t test
 * and the prediction test of a new value against a history.
 *
 * Distribution. P(T <= t) for Student's t with df > 0 degrees of freedom
 * (df need not be an integer: Welch's df is not) from the regularized
 * incomplete beta function, P(|T| > t) = I_x(df/2, 1/2) with
 * x = df / (df + t^2) (Abramowitz & Stegun 26.7.1). I_x is
 * evaluated by its continued fraction (DLMF 8.17.22) with the modified
 * Lentz algorithm (Thompson & Barnett, J. Comput. Phys. 64, 1986), using
 * the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where the fraction converges
 * slowly; relative accuracy ~1e-14 in either tail. The quantile is the
 * bisection of the CDF (to the last bit; deterministic). df = INFINITY is
 * the standard normal.
 *
 * Welch (1947), "The generalization of Student's problem when several
 * different population variances are involved", Biometrika 34: the
 * difference of means mean(b) - mean(a), its standard error
 * se = sqrt(s_a^2/n_a + s_b^2/n_b), t = diff/se with the
 * Welch-Satterthwaite df = se^4 / ((s_a^2/n_a)^2/(n_a-1) + (s_b^2/n_b)^2/(n_b-1)),
 * the two-sided p and the CI diff +- t_{df,1-(1-level)/2} se. This is R's
 * t.test(b, a) (var.equal = FALSE). Assumes independent samples from
 * normal populations (the means' t statistic is robust to mild
 * non-normality, not to outliers). Needs n >= 2 on both sides and
 * se > 0; otherwise t, df, p and the CI are NAN ("not available").
 *
 * One-sample t (Student 1908): mean(x) with se = s / sqrt(n), t = mean/se
 * on n - 1 df, the two-sided p of "mean 0" and the CI mean +- t se; on
 * paired log ratios it is the paired t test. Needs n >= 2 and s > 0.
 *
 * Prediction test (Hahn & Meeker, "Statistical Intervals", Wiley 1991,
 * ch. 4; Geisser 1993): history x_1..x_k i.i.d. normal, a new value y
 * that is the mean of m new observations from the same population. Under
 * that null, t = (y - mean(x)) / (s sqrt(1/m + 1/k)) follows Student's t
 * with k - 1 df; the two-sided p and the prediction interval
 * mean(x) +- t_{k-1,1-(1-level)/2} s sqrt(1/m + 1/k) follow. Used with the
 * history's per-session values and the candidate session's value (m = 1),
 * it is the test that tolerates the between-session variation a run-level
 * test over pooled runs ignores (see runcmp.h). Needs k >= 2 and s > 0.
 *
 * All functions are pure and deterministic; no I/O, no globals.
 */
#ifndef DMRB_TTEST_H
#define DMRB_TTEST_H

#include <stddef.h>

/* P(T <= t) for Student's t with df > 0 (df = INFINITY: normal). NAN for a
 * NaN t or df <= 0. */
double tdist_cdf(double t, double df);

/* The p-quantile, 0 < p < 1 (-INFINITY / INFINITY at 0 / 1); NAN for a bad df. */
double tdist_quantile(double p, double df);

struct welch_result {
	double mean_a, mean_b;
	double diff;		/* mean(b) - mean(a) */
	double se;		/* NAN with n < 2 on a side */
	double t, df, p;	/* two-sided p; NAN when not available */
	double ci_low, ci_high;	/* of diff at the level asked; NAN when not available */
};

/*
 * Welch's test of b against a at confidence level (0 < level < 1). Returns
 * 0, or -1 with errno EINVAL for an empty sample, a non-finite value or a
 * bad level.
 */
int welch_test(const double *a, size_t na, const double *b, size_t nb, double level,
	       struct welch_result *out);

struct onesample_t_result {
	double mean, se;	/* se NAN for n < 2 */
	double t, df, p;	/* NAN when not available */
	double ci_low, ci_high;
};

/* One-sample t test of mean 0; errors as welch_test(). */
int onesample_t(const double *x, size_t n, double level, struct onesample_t_result *out);

struct predict_result {
	size_t k;		/* history size */
	double mean, sd;	/* of the history (sd with k - 1) */
	double diff;		/* y - mean */
	double se;		/* sd * sqrt(1/m + 1/k) */
	double t, df, p;	/* df = k - 1; NAN when not available */
	double pi_low, pi_high;	/* prediction interval for y; NAN when not available */
};

/*
 * Prediction test of y (the mean of m >= 1 new values) against a history
 * of k values. Returns 0, or -1 with errno EINVAL for k == 0, m == 0, a
 * non-finite value or a bad level.
 */
int predict_test(const double *hist, size_t k, double y, size_t m, double level,
		 struct predict_result *out);

#endif
