/*
 * Paired (interleaved) comparison: a reference A and a target B measured in
 * alternating slices (A B B A ..., the same seed per pair), pair i giving
 * a_i and b_i. Whatever moves the machine between pairs moves both members
 * of a pair, so the per-pair log ratio d_i = ln(b_i / a_i) carries the
 * target's overhead with the drift cancelled; the pairs, not the slices'
 * intervals, are the replicates.
 *
 * Wilcoxon signed-rank test (Wilcoxon 1945; Hollander & Wolfe,
 * "Nonparametric Statistical Methods", 2nd ed. 1999, sec. 3.1) of
 * "d is symmetric about 0": zeros (b_i == a_i) are dropped, as in Wilcoxon's
 * original method, R's wilcox.test and scipy's default (zero_method
 * "wilcox"); the |d| of the n' others are ranked with midranks for ties and
 * V = the sum of the ranks of the positive d. Exact two-sided p =
 * min(1, 2 min(P(V <= v), P(V >= v))) from the exact null distribution
 * (counts of subsets of {1..n'} by sum) when n' <= WSR_EXACT_MAX and there
 * are neither ties nor zeros; otherwise the normal approximation with mean
 * n'(n'+1)/4, variance n'(n'+1)(2n'+1)/24 - sum(t^3 - t)/48 over tie groups
 * and a continuity correction of 0.5 towards the mean (R's
 * wilcox.test(correct = TRUE); when |V - mean| <= 0.5 we give p = 1 where R
 * gives slightly less).
 *
 * One-sample Hodges-Lehmann estimate (Hodges & Lehmann 1963; H&W sec. 3.2):
 * the median of the n(n+1)/2 Walsh averages (d_i + d_j)/2, i <= j, over
 * all n pairs (zeros included: a pair with no difference is evidence of no
 * difference). Its CI (H&W sec. 3.3) is [W(k), W(M+1-k)] over the sorted
 * Walsh averages W(1..M), M = n(n+1)/2, the inversion of the signed-rank
 * test: k is the smallest v with P(V <= v) >= (1-level)/2 (at least 1) from
 * the exact distribution when n <= WSR_EXACT_MAX with no ties or zeros
 * among the d (R's wilcox.test(conf.int = TRUE) uses the same ranks), else
 * k = ceil(M/2 - 0.5 + z_{(1-level)/2} sigma) with the tie-corrected sigma
 * over all n (zeros form one tie group). ci_level is the coverage achieved.
 * The Walsh averages are never stored: their order statistics are found by
 * bisection with an O(n) count (order.h), so memory is O(n) for any n.
 *
 * paired_compare() puts it together on d_i = ln(b_i / a_i) (a_i, b_i > 0):
 * the overhead hl_pct = expm1(HL) * 100 with its CI at 1 - alpha
 * transformed the same way (never below -100%), the signed-rank p, the
 * median ratio, the sd of the d (the paired spread that mde_signed_rank()
 * takes), and the paired t test on the d as a second opinion. As for the
 * two-sample test, p_floor = 2^(1 - n') is the smallest p the exact test
 * can give (6 pairs are needed for alpha = 0.05: 2^-5 = 0.031), testable
 * says p_floor < alpha and pairs_needed how many tie-free nonzero pairs
 * would make it so.
 *
 * Assumptions: pairs independent of each other (the interleaving's job:
 * slices long enough that one pair's state does not carry into the next),
 * d symmetric about its centre under the null (the log makes ratio noise
 * symmetric), and, for HL as "the" overhead, a common shift.
 *
 * Pure and deterministic; no I/O, no globals. Errors: -1 with errno EINVAL
 * (n == 0, a non-finite value, a value <= 0 where a log is taken, a bad
 * level or alpha), ENOMEM.
 */
#ifndef DMRB_PAIRED_H
#define DMRB_PAIRED_H

#include <stdbool.h>
#include <stddef.h>

#include "stats/ttest.h"

#define WSR_EXACT_MAX 50	/* as R: exact below 50 tie-free nonzero pairs */
#define PAIRED_MAX_PAIRS 1000	/* pairs_needed searches up to this */

struct wsr_result {
	size_t n;		/* nonzero differences, the test's n */
	size_t zeros;		/* dropped */
	double v;		/* sum of ranks of the positive differences */
	double mu, sigma;	/* of V under H0 (tie-corrected sigma) */
	double z;		/* continuity-corrected; 0 when sigma == 0 */
	double p;		/* two-sided: exact when .exact, else p_asymp */
	double p_asymp;
	bool exact, ties;
};

/* Signed-rank test of d (n values, any order). With no nonzero d: n = 0, p = 1. */
int wsr_test(const double *d, size_t n, struct wsr_result *out);

/*
 * Exact null CDF of V for n tie-free nonzero differences: cdf[v] =
 * P(V <= v), v = 0 .. n(n+1)/2 (the caller's array holds n(n+1)/2 + 1
 * doubles). 1 <= n <= WSR_EXACT_MAX, else -1 with errno EINVAL.
 */
int wsr_exact_cdf(size_t n, double *cdf);

struct hl1_est {
	double est;		/* median of the Walsh averages */
	double ci_low, ci_high;
	double ci_level;	/* achieved coverage */
	bool ci_exact;
};

/* One-sample HL estimate of d with its CI at level (0 < level < 1). */
int hl_onesample(const double *d, size_t n, double level, struct hl1_est *out);

struct paired_result {
	size_t n;			/* pairs */
	size_t zeros;			/* pairs with b == a */
	double median_pct;		/* expm1(median d) * 100 */
	double hl_pct;			/* the overhead: expm1(HL) * 100 */
	double ci_low_pct, ci_high_pct;	/* its CI at 1 - alpha, percent */
	double ci_level;
	bool ci_exact;
	double p;			/* two-sided signed-rank p */
	bool p_exact, ties;
	double p_floor;			/* 2^(1 - (n - zeros)) */
	bool testable;			/* p_floor < alpha */
	size_t pairs_needed;		/* nonzero pairs for p_floor < alpha */
	double sd_log;			/* sd of the d (n - 1); NAN for n < 2 */
	struct onesample_t_result t;	/* paired t on the d */
	double t_pct, t_ci_low_pct, t_ci_high_pct;	/* NAN when not available */
};

/* b against a, pair by pair: d_i = ln(b_i / a_i). */
int paired_compare(const double *a, const double *b, size_t n, double alpha,
		   struct paired_result *out);

/* 2^(1 - n), at most 1. */
double paired_p_floor(size_t n);

#endif
