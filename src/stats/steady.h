/*
 * Steady state of a series of interval values (IOPS, bandwidth, latency per
 * interval): when did the workload stop warming up?
 *
 * 1. steady_fio(): fio's steadystate criteria (fio HOWTO "steadystate",
 *    steadystate.c), for comparison with fio and its users' habits. Over a
 *    rolling window of w samples (fio: ss_dur, one sample per second),
 *    after ignoring the first `ramp` samples (ss_ramp):
 *      STEADY_RANGE ("iops:X" / "iops:X%"): the largest |y_i - mean| in
 *        the window, in percent of the window mean when pct;
 *      STEADY_SLOPE ("iops_slope:X" / "iops_slope:X%"): the least-squares
 *        slope of y over the sample index 0..w-1 (fio assumes equal
 *        spacing), in percent of the window mean per sample when pct;
 *    steady at the first window whose criterion (its absolute value for the
 *    slope) is strictly below the limit. In pct mode a window mean <= 0
 *    never qualifies (fio would divide by it).
 *    Their weakness: neither looks at the noise. With 10% noise per sample
 *    and 60-sample windows, iops:20% (every sample within 2 sd) holds in
 *    only 6% of windows of a perfectly steady device (0.954^60), while the
 *    fitted slope has an sd of 0.075% of the mean per sample, so
 *    iops_slope:0.1% accepts 9% of windows whose level still rises by
 *    0.2% per sample (12% across the window).
 *
 * 2. steady_equiv(): our rule, an equivalence test (Schuirmann's two one-
 *    sided tests, J. Pharmacokinet. Biopharm. 15, 1987) on the rolling
 *    window: steady when the change across the window, estimated by Sen's
 *    slope with its Mann-Kendall interval corrected for autocorrelation
 *    (trend.h: Hamed & Rao), lies entirely inside +-tol_pct of the level,
 *    the interval taken at 1 - 2 alpha (90% for alpha 0.05, which is the
 *    TOST at level alpha). "Steady" is then a claim with evidence: it is
 *    reached late on a noisy device (the interval must be narrow enough),
 *    at level alpha not while the level moves by more than the tolerance,
 *    and an outlier interval cannot break it (Sen's slope). Windows are evaluated
 *    every `step` samples from ramp + window - 1 on; cost per window
 *    O(w log w + w * lags) (cfg.max_lag bounds the lags; 0 = all).
 *
 * 3. steady_mser(): the retrospective warm-up cut, MSER-m (White 1997,
 *    Simulation 69(6); Franklin & White, WSC 2008; the rule Hoad, Robinson
 *    & Davies, J. Oper. Res. Soc. 61 (2010), chose for automated warm-up
 *    detection after comparing the published ones). Batch means b_1..b_k of m samples (m = 5: MSER-5; a trailing
 *    partial batch is dropped); for each d, MSER(d) = sum_{j>d} (b_j -
 *    mean_d)^2 / (k - d)^2, the squared standard error of the mean of what
 *    remains after dropping d batches; d* minimises it over the first half
 *    of the batches (the statistic is erratic at the end of a run). valid is
 *    false when d* sits at that limit: the warm-up may not have ended within
 *    the first half, the run is too short to tell. The result is the number
 *    of samples to drop from the start: the "exclude the warm-up" figure.
 *
 * The series is taken in order with equal spacing (intervals); values are
 * in any unit. Pure and deterministic; no I/O, no globals. Errors: -1 with
 * errno EINVAL (n == 0, a non-finite value, a bad configuration), ENOMEM.
 */
#ifndef DMRB_STEADY_H
#define DMRB_STEADY_H

#include <stdbool.h>
#include <stddef.h>

enum steady_crit {
	STEADY_RANGE,	/* fio iops: / bw: */
	STEADY_SLOPE,	/* fio iops_slope: / bw_slope: */
};

struct steady_fio_cfg {
	enum steady_crit crit;
	size_t window;		/* samples, >= 2 */
	size_t ramp;		/* samples ignored at the start */
	double limit;		/* > 0 */
	bool pct;		/* limit in percent of the window mean */
};

struct steady_result {
	bool reached;
	size_t index;		/* last sample of the first steady window; n if never */
	size_t start;		/* its first sample (index - window + 1); n if never */
	double criterion;	/* at that window (fio: the criterion; equiv: the larger
				 * |CI bound| in percent); of the last window if never;
				 * NAN if no window fitted */
	double level;		/* window mean (fio) or Theil-Sen level (equiv) there */
};

int steady_fio(const double *y, size_t n, const struct steady_fio_cfg *cfg,
	       struct steady_result *out);

struct steady_equiv_cfg {
	size_t window;		/* samples, >= 10 */
	size_t ramp;		/* samples ignored at the start */
	size_t step;		/* evaluate every step samples, >= 1 */
	double tol_pct;		/* > 0: the change across the window must stay inside +-tol */
	double alpha;		/* 0 < alpha < 0.5: CI at 1 - 2 alpha */
	size_t max_lag;		/* Hamed-Rao lags (0 = all) */
};

void steady_equiv_cfg_default(struct steady_equiv_cfg *cfg);	/* 60, 0, 1, 5%, 0.05, 0 */

int steady_equiv(const double *y, size_t n, const struct steady_equiv_cfg *cfg,
		 struct steady_result *out);

struct mser_result {
	size_t batches;		/* k = n / batch */
	size_t truncate;	/* samples to drop: d* * batch */
	double mser;		/* MSER(d*) */
	double mean;		/* mean of the batch means kept */
	bool valid;		/* d* below the search limit */
};

/* MSER with batch size batch >= 1 (5: MSER-5); needs n / batch >= 4 batches. */
int steady_mser(const double *y, size_t n, size_t batch, struct mser_result *out);

#endif
