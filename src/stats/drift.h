/*
 * How a long run drifts: is there a monotonic trend in an interval series
 * (IOPS, p99 latency), how large is it over the measured span, and with what
 * confidence (issue 22: "IOPS -2803.5%/hour" was a straight line through one
 * minute, extrapolated to an hour, with no interval and no test).
 *
 * The test is trend_mk() (stats/trend.h: Mann-Kendall with the Hamed-Rao
 * autocorrelation correction, Sen's slope and its interval) on BLOCK MEANS:
 *
 *  - the intervals used are cut into consecutive blocks of b intervals,
 *    b = ceil(n / DRIFT_MAX_BLOCKS): up to DRIFT_MAX_BLOCKS intervals each is
 *    its own point; an hour at 1 s is 240 blocks of 15 s, a day at 1 s 240
 *    blocks of 6 min. A trailing block of fewer than b/2 intervals joins the
 *    one before it.
 *  - a block's value is the time-weighted mean of its intervals' values
 *    (sum of value x length / sum of lengths: for IOPS exactly the block's
 *    I/Os per second), at the time-weighted centre of the block.
 *
 * Why blocks: the test costs O(points x correlation length), the Hamed-Rao
 * correction has to estimate a shorter correlation between block means
 * than between 1 s intervals, and averaging removes within-block noise a
 * monotonic trend does not need; the header of trend.h recommends it. 240
 * points keep the test well within its large-sample regime (Hamed-Rao
 * from n ~ 10) at a cost of milliseconds, small enough to run at every
 * status line of a day-long run.
 *
 * Intervals without a value (NAN: no I/O, so no latency) are left out; so
 * is a last interval shorter than half of the first (the stub the stop
 * leaves), and every interval that ends at or before from_s (a warm-up
 * excluded by the steady-state rule).
 *
 * Scale: throughput and latency change by factors, so the test runs on
 * the logarithm of the block means whenever they are all above 0 (the
 * usual case; trend.h's log_scale): the change over the span is then a
 * ratio, expm1 of Sen's slope times the span, and cannot read below -100%
 * (a linear line through a device slowing down by 10% every few seconds
 * says -130% by the end of a minute). A block mean of 0 (a block without
 * any I/O) makes the test linear; d.log_scale says which.
 *
 * The verdict: drifting when p < alpha; else "no evidence of drift". The
 * change over the measured span (first to last block centre) comes with its
 * (1 - alpha) interval, in the series' units and in percent of the
 * Theil-Sen line's value at the start; never extrapolated. A gate
 * (--max-drift PCT) fails on drifting with |change_pct| >= PCT: a slow
 * wander defeats any single-series test (trend.h), so significance alone
 * is not enough to fail a run.
 *
 * Pure; no I/O, no globals.
 */
#ifndef DMRB_DRIFT_H
#define DMRB_DRIFT_H

#include <stdbool.h>
#include <stddef.h>

#include "stats/trend.h"

#define DRIFT_MAX_BLOCKS 240
#define DRIFT_MIN_POINTS 3    /* fewer blocks: no test ("too few intervals") */

struct drift {
	bool valid;               /* at least DRIFT_MIN_POINTS blocks were tested */
	size_t intervals;         /* intervals used */
	size_t block;             /* intervals per block (b) */
	size_t points;            /* blocks tested */
	double from_s, to_s;      /* span of the intervals used: start of the first, end of the last */
	double t_first;           /* the centre of the first block: where the Theil-Sen line starts */
	double mean;              /* time-weighted mean of the intervals used */
	double first_tenth_mean;  /* of the first and last tenth of the blocks */
	double last_tenth_mean;
	double tenth_change_pct;  /* last tenth vs first tenth, NAN when the first is 0 */
	bool drifting;            /* valid and p < alpha */
	bool log_scale;           /* the test ran on ln of the block means */
	/* In the series' units: the Theil-Sen line at t_first, and its change over the span. */
	double level_start, change, change_low, change_high;
	struct trend_result tr;   /* Mann-Kendall and Sen's slope on the block means (ln
				   * units with log_scale); tr.change_pct and its bounds
				   * are percentages either way */
};

/*
 * Drift of y over the intervals ending at t_end[i] (seconds, increasing)
 * that lasted len[i] seconds. Intervals ending at or before from_s are left
 * out (a negative from_s keeps all). alpha: the test's level (0.05).
 * 0, or -1 with errno (EINVAL: bad arguments; ENOMEM); out->valid false
 * with fewer than DRIFT_MIN_POINTS blocks.
 */
int drift_analyze(const double *t_end, const double *len, const double *y, size_t n,
		  double from_s, double alpha, struct drift *out);

/* "drifting", "no evidence of drift" or "too few intervals". */
const char *drift_verdict(const struct drift *d);

/* Whether a --max-drift PCT gate fails: drifting and |change_pct| >= pct. */
bool drift_exceeds(const struct drift *d, double pct);

#endif
