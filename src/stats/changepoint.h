/*
 * Change points in a history (baseline show, the report): where in a series
 * of run-level values did the metric step? E-divisive means (Matteson &
 * James, "A Nonparametric Approach for Multiple Change Point Analysis of
 * Multivariate Data", JASA 109(505), 2014), the method MongoDB adopted for
 * its performance CI (Daly et al., "Change Point Detection in Software
 * Performance Testing", ICPE 2020) and Apache Otava (formerly Hunter,
 * Fleming et al., ICPE 2023) builds on.
 *
 * The statistic. For consecutive stretches X = x[s..tau) and Y = x[tau..kappa)
 * of a segment [s, e), m = tau - s, k = kappa - tau, the energy divergence
 * (Szekely & Rizzo) with exponent a in (0, 2):
 *   E = 2/(m k) sum_{i,j} |X_i - Y_j|^a - C(m,2)^-1 sum_{i<j} |X_i - X_j|^a
 *	 - C(k,2)^-1 sum_{i<j} |Y_i - Y_j|^a,
 *   Q = m k / (m + k) * E.
 * The population E is >= 0, and 0 only when X and Y have the same
 * distribution (Szekely & Rizzo 2005, for a in (0, 2) and finite a-th
 * moments): a change in level, spread or shape all count. The candidate of a segment is the (tau, kappa) with the largest Q
 * over s + min_size <= tau, tau + min_size <= kappa <= e (the kappa search
 * is Matteson & James's, sec. 3.1: a later change does not dilute the
 * first). All sums come from running within-stretch sums, O(L^2) time and
 * O(L) memory per segment of length L, exact (no approximation).
 *
 * The procedure (hierarchical, "divisive"): start with one segment; the
 * candidate with the largest Q over all current segments is tested; if
 * significant it becomes a change point, its segment is split, and the
 * next candidate is tested; the first non-significant candidate ends the
 * search (its p is reported as p_next).
 *
 * The significance test: the permutation test of Matteson & James (sec.
 * 3.2), made deterministic by a seeded generator (xoshiro256**,
 * engine/prng.h): R times, the values are permuted within each current
 * segment and the whole search is repeated on the permuted series; with
 * b = the number of permuted maxima >= the observed Q,
 * p = (b + 1) / (R + 1) (Davison & Hinkley 1997, eq. 4.11; never 0), and the
 * candidate is a change point when p <= alpha. The default R = 999 gives
 * p-values in steps of 0.001 with a Monte Carlo standard error of 0.007 at
 * p = 0.05. Why not Hunter's/Otava's Student t test of the two sides: the
 * split is chosen to maximise the difference, so a t test at that split
 * is not a test at its nominal level. On independent normal series of 20
 * points, the two-sample t test at the E-divisive split (min_size 3)
 * rejects at p < 0.05 in 25% of series (our simulation, 400 series), five
 * times the nominal rate; Otava compensates with p = 0.001 and a merge
 * heuristic. Repeating the search inside every permutation accounts for
 * the selection exactly, and for the history sizes here it is cheap:
 * R * O(n^2) per candidate tested, measured on this shared 2-core machine
 * at 0.05 s per candidate for n = 100 (the Nile, two candidates: 0.11 s)
 * and 0.3 s for n = 300, with R = 999. Hunter's other
 * changes (sliding windows, weak points) address series of thousands of
 * points and are not needed here.
 *
 * Assumptions: the values are independent within segments (runs, not
 * intervals of one run: for an autocorrelated series, permutations
 * destroy the correlation and every wiggle looks like a change); exponent 1
 * unless there is a reason (only moments below the exponent need exist).
 * The detection does not depend on the unit (scaling multiplies every Q
 * by the same factor) but does on a log transform: pass logs for
 * multiplicative metrics (IOPS, latency), so that a 10% step weighs the
 * same at any level; the means reported are then means of the logs.
 *
 * Each change point is reported with the first index of the new segment
 * (Otava's convention: x[index] is the first value after the change), the
 * p-value it was accepted with, its Q, the order in which it was found (1 =
 * the most pronounced), and, from the final segmentation, the mean and
 * median of the segments either side with the relative change of the mean.
 *
 * Pure and deterministic: the same series and configuration give the same
 * answer. No I/O, no globals. Errors: -1 with errno EINVAL (n == 0, n >
 * CP_MAX_N, a non-finite value, a bad configuration), ENOMEM.
 */
#ifndef DMRB_CHANGEPOINT_H
#define DMRB_CHANGEPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CP_DEFAULT_ALPHA 0.05
#define CP_DEFAULT_PERMUTATIONS 999
#define CP_DEFAULT_MIN_SIZE 3
#define CP_DEFAULT_EXPONENT 1.0
#define CP_DEFAULT_SEED UINT64_C(0x9e3779b97f4a7c15)
#define CP_MAX_N 2000		/* R * n^2 work: ~4e9 at the limit with R = 999 */

struct cp_cfg {
	double alpha;		/* significance level, 0 < alpha < 1 */
	unsigned permutations;	/* R >= 1 */
	size_t min_size;	/* shortest segment, >= 2 */
	double exponent;	/* energy exponent, 0 < a < 2 */
	uint64_t seed;
};

void cp_cfg_default(struct cp_cfg *cfg);

struct cp_point {
	size_t index;		/* first point of the new segment */
	double p;		/* permutation p when accepted */
	double qhat;		/* Q of the split */
	unsigned rank;		/* 1 = found first */
	size_t n_before, n_after;		/* the adjacent final segments */
	double mean_before, mean_after;
	double median_before, median_after;
	double change_pct;	/* (mean_after / mean_before - 1) * 100; NAN if mean_before == 0 */
};

struct cp_result {
	size_t count;		/* change points written, sorted by index */
	double p_next;		/* p of the first candidate rejected; NAN if none was tested */
	bool capped;		/* stopped because cap points were found */
};

/*
 * Change points of x[0..n-1] into pts (room for cap points; n / min_size
 * is always enough). cfg NULL: the defaults.
 */
int cp_ediv(const double *x, size_t n, const struct cp_cfg *cfg, struct cp_point *pts,
	    size_t cap, struct cp_result *res);

#endif
