/*
 * Drift of a series whose points are autocorrelated (the per-interval
 * IOPS of one endurance run): is there a monotonic trend, how large is it
 * over the measured span, and with what confidence?
 *
 * Mann-Kendall trend test (Mann 1945; Kendall, "Rank Correlation Methods",
 * 4th ed. 1975): S = sum_{i<j} sgn(y_j - y_i), its null variance with the
 * tie correction Var(S) = (n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18, and
 * z = (S - sgn(S)) / sqrt(Var) (continuity correction), two-sided p from
 * the normal distribution (adequate from n ~ 10; small_n flags n < 10).
 * Kendall's tau_a = S / (n(n-1)/2). S is counted in O(n log n) (merge-sort
 * inversions), so long series cost nothing here.
 *
 * Autocorrelation: the i.i.d. variance is far too small when neighbours
 * are correlated (positively correlated IOPS intervals make every run look
 * like a trend). Hamed & Rao, "A modified Mann-Kendall trend test for
 * autocorrelated data", J. Hydrology 204 (1998) 182-196: detrend with
 * Sen's slope, rank the detrended series, take the lag-k autocorrelations
 * r_k of the ranks (the usual estimator: sums over n - k products, divided
 * by the lag-0 sum), keep those outside +-z_{1-acf_alpha/2}/sqrt(n), and
 * inflate the variance by
 *   n/n* = 1 + 2 / (n(n-1)(n-2)) sum_k (n-k)(n-k-1)(n-k-2) r_k.
 * Which lags: TREND_LAGS_SIGNIFICANT is the published rule, every
 * significant lag in 1..n-1 (R's modifiedmk::mmkh; its Nile example is
 * reproduced here to all printed digits). TREND_LAGS_INITIAL, our
 * default, sums the lags up to the first one that is not significant
 * (the truncation of Geyer's initial-sequence estimators, Stat. Sci. 7,
 * 1992): the published rule drops the many small positive correlations at
 * long lags of a persistent process while keeping chance exceedances, and
 * under-corrects. False drift rate at alpha 0.05 (our simulation, 400
 * series of n = 300 per case; i.i.d. MK / published H&R / initial lags /
 * Yue-Wang 2004 AR(1) effective size):
 *   white noise           0.05 / 0.04 / 0.05 / 0.05
 *   AR(1), phi = 0.6      0.34 / 0.15 / 0.06 / 0.05
 *   AR(1), phi = 0.9      0.62 / 0.28 / 0.11 / 0.07
 *   AR(1) 0.95 + noise    0.62 / 0.30 / 0.21 / 0.43
 * with the power to see a rise of 2 innovation sd over the span barely
 * lower (0.985 against 0.99 for phi = 0.6). The last process (a slow
 * wander under fast noise) defeats every single-series method: a level
 * that wanders over the span is, over that span, a change, which is why a
 * gate should also require the change itself to exceed its threshold.
 * max_lag bounds the lags (3 with TREND_LAGS_SIGNIFICANT gives Rao, Hamed
 * & Chen 2003's first-three-lags variant). One deliberate deviation from
 * the paper: the factor is never taken below 1 (var_factor_raw keeps the
 * unclamped value, which can even be negative): negative autocorrelation
 * would shrink the variance and make drift easier to declare, and a gate
 * that fails a run on drift should not gain sensitivity from noise that
 * happens to alternate. Cost O(n * lags used); with the initial rule that
 * is the correlation length, with the published rule up to n^2 / 2, so
 * pass block means for long series (e.g. one value per minute for a day,
 * 1440 points), which also shortens the correlation the correction has to
 * estimate. Measured on this shared 2-core machine (AR(1) 0.7 noise):
 * 0.2 s for 3600 points, 5 s for 86400 (a day at 1 s).
 * Why this and not Yue-Wang: trend-free pre-whitening (Yue et al. 2002)
 * and the AR(1) effective sample size (Yue & Wang 2004) model the
 * correlation as an AR(1); they are best when it is one and worst when it
 * is not (0.43 above), and the interval IOPS of a device with a cache, a
 * garbage collector and a noisy neighbour are not an AR(1). The variance
 * correction leaves the data alone and follows whatever correlation the
 * ranks show. Why not an OLS
 * slope with a Newey-West interval: the least-squares slope follows the
 * outlier intervals (a stall, a GC pause) that this tool exists to show,
 * and HAC intervals are markedly too narrow at the sample sizes of a short
 * run with strong correlation (Andrews 1991); Sen's slope ignores up to
 * 29% outliers.
 *
 * Sen's slope (Sen, JASA 63, 1968; Theil 1950): the median of the
 * n(n-1)/2 pairwise slopes (y_j - y_i)/(t_j - t_i), its intercept the
 * median of y_i - slope t_i, and its CI (Gilbert, "Statistical Methods for
 * Environmental Pollution Monitoring", 1987, ch. 16): with
 * C = z_{1-alpha/2} sqrt(Var(S)) and N' slopes, the slopes of rank
 * round((N' - C)/2) and round((N' + C)/2 + 1) (R's trend::sens.slope
 * rounding). With the correction on, Var(S) is the corrected variance, so
 * the CI widens with the autocorrelation as the test does (our extension
 * of Gilbert's rule, consistent with the test). The slopes are never
 * stored beyond TREND_EXACT_MAX_N points (130816 slopes, 1 MB): up to
 * there they are sorted and exact; above, their order statistics come
 * from an O(n log n) count and a bisection over the doubles (order.h),
 * O(n) memory, exact up to the rounding of y - s t (within 1e-12 of the
 * sorted slopes, relative, in the tests).
 *
 * Reported: the slope per unit of t with its CI, and the change over the
 * measured span (t[n-1] - t[0]) with its CI: in the units of y, and in
 * percent of the Theil-Sen line's value at t[0] (NAN if that is <= 0); with
 * log_scale the analysis is on ln y and the percentages are expm1(change)
 * (a change over the span can then not go below -100%). Never
 * extrapolated: "IOPS -3% over 60 s [-5%, -1%]", not "-180%/hour". The
 * verdict drifting = p < alpha; "no evidence of drift" otherwise. A gate
 * (--max-drift PCT) should fail on drifting and |change_pct| >= PCT.
 *
 * t may be NULL (t_i = i); otherwise strictly increasing (the slopes use
 * t - t[0], so epoch seconds lose no precision).
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno EINVAL
 * (n == 0, a non-finite value, t not strictly increasing, y <= 0 with
 * log_scale, a bad cfg), ENOMEM.
 */
#ifndef DMRB_TREND_H
#define DMRB_TREND_H

#include <stdbool.h>
#include <stddef.h>

#define TREND_EXACT_MAX_N 512	/* up to here the slopes are stored and sorted */

enum trend_lags {
	TREND_LAGS_INITIAL,	/* lags up to the first insignificant one (default) */
	TREND_LAGS_SIGNIFICANT,	/* every significant lag: Hamed & Rao as published */
};

struct trend_cfg {
	double alpha;		/* test level; the CI is at 1 - alpha (0.05) */
	double acf_alpha;	/* level at which a lag counts (0.05, as H&R) */
	size_t max_lag;		/* 0: up to n - 1; 3: Rao et al. 2003 */
	enum trend_lags lags;
	bool correct;		/* apply the Hamed-Rao correction (true) */
	bool log_scale;		/* analyse ln y (false) */
};

void trend_cfg_default(struct trend_cfg *cfg);

struct trend_result {
	size_t n;
	double s;			/* Mann-Kendall S */
	double var_s;			/* its i.i.d. null variance (tie-corrected) */
	double var_factor;		/* the n/n* used: >= 1; 1 without correction */
	double var_factor_raw;		/* as published (may be < 1) */
	double z, p;			/* with the correction; p NAN for n < 2 */
	double z_iid, p_iid;		/* without */
	double tau;			/* Kendall's tau_a */
	double slope, slope_low, slope_high;	/* per unit of t; CI at 1 - alpha */
	double level_start;		/* Theil-Sen line at t[0] (ln units with log_scale) */
	double span;			/* t[n-1] - t[0] */
	double change, change_low, change_high;	/* slope * span and its CI */
	double change_pct, change_low_pct, change_high_pct;
	bool drifting;			/* p < alpha */
	bool small_n;			/* n < 10: p is indicative only */
};

/* Trend of y over t (t NULL: 0, 1, 2, ...). cfg NULL: the defaults. */
int trend_mk(const double *t, const double *y, size_t n, const struct trend_cfg *cfg,
	     struct trend_result *out);

#endif
