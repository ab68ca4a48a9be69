/*
 * Two-sided Mann-Whitney U (Wilcoxon rank-sum) test of two independent
 * samples, e.g. the per-interval IOPS of a baseline and of a run.
 *
 * U1 is the statistic of sample a: the number of pairs (a_i, b_j) with
 * a_i > b_j plus half the pairs with a_i == b_j (= R1 - na(na+1)/2, the
 * rank sum of a with midranks for ties; scipy's and R's "W" convention).
 *
 * The p-value is exact when the pooled sample has no ties and both samples
 * have at most MWU_EXACT_MAX values: the null distribution of U is counted
 * exactly (Gaussian binomial coefficients, O(na*nb) memory, see mwu.c) and
 * p = min(1, 2 * min(P(U <= U1), P(U >= U1))). Otherwise the normal
 * approximation is used with the tie-corrected variance
 *	sigma^2 = na*nb/12 * ((n+1) - sum(t^3 - t) / (n(n-1)))
 * and a continuity correction of 0.5 towards the mean; this is what scipy's
 * mannwhitneyu(method="asymptotic") and R's wilcox.test(correct=TRUE) do.
 *
 * Everything is pure and deterministic; no I/O, no globals.
 */
#ifndef DMRB_MWU_H
#define DMRB_MWU_H

#include <stdbool.h>
#include <stddef.h>

#define MWU_EXACT_MAX 20	/* exact p when both samples are this small and tie-free */

struct mwu_result {
	double u1;	/* U of sample a, in [0, na*nb] */
	double mu;	/* na*nb/2, the mean of U under H0 */
	double sigma;	/* tie-corrected sd of U under H0; 0 when all values are equal */
	double z;	/* (U1 - mu) with continuity correction, over sigma; 0 if sigma == 0 */
	double p;	/* two-sided p: exact when .exact, else p_asymp */
	double p_asymp;	/* two-sided p of the normal approximation, always filled */
	bool exact;	/* p comes from the exact null distribution */
	bool ties;	/* the pooled sample has tied values */
};

/*
 * Test samples a (na values) and b (nb values), in any order; both are
 * copied and sorted internally. Returns 0, or -1 with errno set: EINVAL for
 * an empty sample or a non-finite value, ENOMEM on allocation failure.
 */
int mwu_test(const double *a, size_t na, const double *b, size_t nb, struct mwu_result *out);

/* The same on samples already sorted ascending (no copy; O(1) extra memory
 * unless the exact distribution is needed). */
int mwu_test_sorted(const double *as, size_t na, const double *bs, size_t nb,
		    struct mwu_result *out);

/* Whether the exact null distribution is used for these sizes. */
bool mwu_exact_applies(size_t na, size_t nb, bool ties);

/*
 * The exact null CDF of U for tie-free samples of sizes na, nb:
 * cdf[u] = P(U <= u) for u = 0 .. na*nb (the caller's array holds
 * na*nb + 1 doubles). Only for mwu_exact_applies(na, nb, false) sizes;
 * returns -1 with errno EINVAL otherwise, ENOMEM on allocation failure.
 */
int mwu_exact_cdf(size_t na, size_t nb, double *cdf);

/* Standard normal CDF and its inverse (p in (0, 1)), used by shift.c too. */
double mwu_norm_cdf(double x);
double mwu_norm_quantile(double p);

#endif
