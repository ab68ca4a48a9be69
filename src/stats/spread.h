/*
 * Run-to-run spread of a metric, measured where the noise a gate must
 * tolerate lives: over runs (a baseline history), on the log scale, so that
 * a spread reads as a ratio ("runs differ by about 14%") and a throughput
 * and a latency are treated alike.
 *
 * spread_log(): of n > 0 positive values v_i, with l_i = ln v_i:
 *   sd_log  = the sample standard deviation of the l_i (divisor n - 1);
 *   mad_log = 1.4826 * median |l_i - median(l)|, the median absolute
 *	       deviation scaled to estimate the sd of normal data (Hampel 1974;
 *	       R's mad(); 1.4826 = 1 / Phi^-1(3/4)). Unbiased only
 *	       asymptotically: for normal data it averages 0.82 sd at n = 5,
 *	       0.91 at n = 10, 0.96 at n = 20 (our simulation);
 *   sd_pct, mad_pct = expm1(sd) * 100: the spread as a percentage ratio.
 * Which to use: sd_log for the minimum detectable effect and for comparing
 * a threshold to the spread (mde.h's formulas are normal theory, and the sd
 * is the efficient estimator there; an outlier run inflates it, which makes
 * the reported MDE conservative). mad_log is the diagnostic: it ignores up
 * to half the runs being outliers, so an sd well above the MAD means a
 * history with an outlier run or a step (look at changepoint.h). How far
 * above is "well above" depends on n; for normal samples the ratio
 * sd/mad exceeds 4.2 (n = 5), 2.0 (n = 10), 1.6 (n = 20) only 5% of the
 * time (our simulation, 20000 samples each), so do not judge it below n = 8.
 * Both are NAN for n < 2.
 *
 * spread_pooled_log(): the pooled sd of the logs of two samples,
 * sqrt(((n_a-1) s_a^2 + (n_b-1) s_b^2) / (n_a + n_b - 2)), for an MDE that
 * uses both sides' spread. NAN when n_a + n_b < 3.
 *
 * var_components(): one-way random-effects analysis of variance of values
 * x (pass logs) in groups (sessions: runs measured together, e.g. one
 * --save-baseline --repeat 5): the within-session sd and the between-session
 * sd by the ANOVA (method of moments) estimators for unbalanced data
 * (Searle, Casella & McCulloch, "Variance Components", Wiley 1992, sec. 3.5;
 * Montgomery, "Design and Analysis of Experiments", random effects model):
 *   MSB = sum n_i (mean_i - mean)^2 / (k - 1),
 *   MSW = sum (x_ij - mean_i)^2 / (N - k),
 *   n0  = (N - sum n_i^2 / N) / (k - 1),
 *   sd_within^2 = MSW, sd_between^2 = max(0, (MSB - MSW) / n0) (truncated at
 *   zero, as is usual; the untruncated estimate can be negative).
 * A between-session sd comparable to the within-session one means that
 * runs of one session are not independent replicates of the history: a
 * comparison must then treat the session as the unit (runcmp.h).
 * Assumes normal session effects and errors, independent. sd_between needs
 * k >= 2 groups, sd_within N > k values.
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno
 * EINVAL (n == 0, a non-finite value, a value <= 0 where logs are taken),
 * ENOMEM.
 */
#ifndef DMRB_SPREAD_H
#define DMRB_SPREAD_H

#include <stddef.h>

#define SPREAD_MAD_SCALE 1.482602218505602	/* 1 / Phi^-1(0.75) */

struct spread_est {
	size_t n;
	double median;		/* of the values as given */
	double mean_log;	/* mean of ln v */
	double sd_log;		/* NAN for n < 2 */
	double mad_log;		/* NAN for n < 2 */
	double sd_pct, mad_pct;	/* expm1(.) * 100; NAN for n < 2 */
};

int spread_log(const double *v, size_t n, struct spread_est *out);

/* Pooled sd of ln a and ln b into *sd (NAN if na + nb < 3). */
int spread_pooled_log(const double *a, size_t na, const double *b, size_t nb, double *sd);

struct var_components {
	size_t n, groups;
	double mean;		/* of all values */
	double ms_between;	/* NAN for one group */
	double ms_within;	/* NAN when every group has one value */
	double n0;		/* the effective group size; NAN for one group */
	double sd_within;	/* sqrt(MSW) */
	double sd_between;	/* sqrt(max(0, (MSB - MSW) / n0)) */
	double icc;		/* sd_between^2 / (sd_between^2 + sd_within^2) */
};

/* x[i] belongs to group[i] (any labels, any order). */
int var_components(const double *x, const size_t *group, size_t n, struct var_components *out);

#endif
